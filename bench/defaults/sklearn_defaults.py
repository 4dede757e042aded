"""scikit-learn's MLPClassifier / MLPRegressor on the CSVs that bench/defaults/run.ts writes.

Each CSV: the features, the target (last feature column is followed by 'y'), and one column per seed
(split_0 … split_4) holding 'train' or 'test'. Features are standardized on the training rows (and the
target for regression), exactly as run.ts does for mlpkit. Training runs the full budget: n_iter_no_change
is set beyond max_iter so the loss-plateau stop never fires. Prints one JSON object of scores.
"""
import json, os, sys, warnings

os.environ.setdefault('OPENBLAS_NUM_THREADS', '1')
import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.neural_network import MLPClassifier, MLPRegressor

warnings.filterwarnings('ignore', category=ConvergenceWarning)


def run(path, task, seeds, cfg):
    df = pd.read_csv(path)
    feats = [c for c in df.columns if c.startswith('x')]
    X_all, y_all = df[feats].to_numpy(np.float64), df['y'].to_numpy()
    scores = []
    for s in seeds:
        tr = (df[f'split_{s}'] == 'train').to_numpy()
        Xtr, Xte = X_all[tr], X_all[~tr]
        mu, sd = Xtr.mean(0), Xtr.std(0)
        sd[sd == 0] = 1
        Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd
        common = dict(hidden_layer_sizes=tuple(cfg['hidden']), activation='relu', solver='adam', alpha=cfg['alpha'],
                      batch_size=cfg['batch'], learning_rate_init=cfg['lr'], max_iter=cfg['epochs'], shuffle=True,
                      random_state=s, tol=1e-4, n_iter_no_change=cfg['epochs'] + 1)
        if task == 'regression':
            ytr, yte = y_all[tr].astype(np.float64), y_all[~tr].astype(np.float64)
            m, v = ytr.mean(), ytr.std()
            est = MLPRegressor(**common).fit(Xtr, (ytr - m) / v)
            scores.append(100 * r2_score(yte, est.predict(Xte) * v + m))
        else:
            ytr, yte = y_all[tr].astype(int), y_all[~tr].astype(int)
            est = MLPClassifier(**common).fit(Xtr, ytr)
            scores.append(100 * accuracy_score(yte, est.predict(Xte)))
    return scores


if __name__ == '__main__':
    spec = json.loads(sys.argv[1])
    out = {d['name']: run(d['csv'], d['task'], spec['seeds'], spec['config']) for d in spec['datasets']}
    print(json.dumps(out))

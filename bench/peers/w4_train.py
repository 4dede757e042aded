"""One W4 end-to-end run in a fresh process: pandas.read_csv of the file, then one epoch of the same network as
`mlpkit train FILE --target y --hidden 32 --epochs 1 --batch-size 256` (30 standardized inputs → 32 ReLU → 1,
MSE on the standardized target, Adam 1e-3, shuffled batches of 256) with scikit-learn (MLPRegressor.partial_fit)
or PyTorch (one thread). Usage: w4_train.py sklearn|torch FILE; prints one JSON line."""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd

framework, path = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
df = pd.read_csv(path, engine="c")
x = df.drop(columns=["y"]).to_numpy(dtype=np.float32)
y = df["y"].to_numpy(dtype=np.float32)
x = (x - x.mean(axis=0)) / x.std(axis=0)
y = (y - y.mean()) / y.std()
read = time.perf_counter() - t0
if framework == "sklearn":
    from sklearn.neural_network import MLPRegressor
    m = MLPRegressor(hidden_layer_sizes=(32,), batch_size=256, learning_rate_init=1e-3, alpha=0.0, shuffle=True, random_state=0)
    m.partial_fit(x, y)
else:
    import torch
    torch.set_num_threads(1)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y).unsqueeze(1)
    perm = torch.randperm(len(xt))
    for i in range(0, len(xt), 256):
        idx = perm[i:i + 256]
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(net(xt[idx]), yt[idx])
        loss.backward()
        opt.step()
seconds = time.perf_counter() - t0
r = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"framework": framework, "rows": len(df), "seconds": seconds, "read_seconds": read,
                  "cpu_seconds": r.ru_utime + r.ru_stime, "peak_rss_mb": round(r.ru_maxrss / 1024)}))

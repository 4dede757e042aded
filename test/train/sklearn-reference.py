# Reference for test/estimators.test.ts: one full-batch SGD step of scikit-learn 1.2's MLPClassifier from given weights.
# The weights are the estimator's initial weights (seed 0), written to w0.json; prints the JSON pasted as SKLEARN.
import json, warnings, numpy as np
from sklearn.neural_network import MLPClassifier
warnings.filterwarnings('ignore')
X = np.array([[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8], [0.0, 0.0], [2.0, -0.5], [-1.2, -0.7]])
y = np.array([1, 0, 1, 0, 0, 1])
w = [float(v) for v in json.load(open('w0.json'))]
W1 = np.array(w[0:6]).reshape(2, 3); b1 = np.array(w[6:9]); W2 = np.array(w[9:12]).reshape(3, 1); b2 = np.array(w[12:13])
c = MLPClassifier(hidden_layer_sizes=(3,), activation='tanh', solver='sgd', momentum=0.0, learning_rate_init=0.5, batch_size=6, max_iter=1, alpha=0.1, shuffle=False, warm_start=True, random_state=0)
c.fit(X, y)
c.coefs_ = [W1.copy(), W2.copy()]; c.intercepts_ = [b1.copy(), b2.copy()]
c.fit(X, y)
out = list(c.coefs_[0].ravel()) + list(c.intercepts_[0]) + list(c.coefs_[1].ravel()) + list(c.intercepts_[1])
print(json.dumps({'loss': c.loss_curve_[-1], 'weights': out}))

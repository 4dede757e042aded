"""scikit-learn MLPClassifier harness of mlpkit's benchmark: W1, W1acc, W2 and W3 (BENCHMARKS.md).

  /usr/bin/python3 bench/peers/sklearn_bench.py --threads 1 --workloads W1,W3,W2

Epochs are timed with partial_fit: each partial_fit call on the full set is exactly one shuffled epoch
(sklearn breaks out of its loop after one pass when incremental). The first partial_fit call, on one batch,
initialises the network and is the warm-up step. sklearn keeps float32 when given float32 (coefs_ dtype is
recorded). alpha=0 (sklearn's default alpha=1e-4 adds an L2 penalty the other peers do not have).
--threads T sets OPENBLAS_NUM_THREADS=T (sklearn's own code is single-threaded numpy).
"""
import os, sys, time, warnings
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common

a = common.parse_args()
import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

warnings.filterwarnings('ignore')
BASE = dict(framework='sklearn', version=sklearn.__version__, threads=a.threads, run=a.run, seed=a.seed,
            blas=common.blas_info())


def w1_model():
    return MLPClassifier(hidden_layer_sizes=(256, 128), activation='relu', solver='adam', alpha=0.0, batch_size=128,
                         learning_rate_init=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-8, shuffle=True,
                         random_state=a.seed)


def w1_train(m, X, y, epochs):
    m.partial_fit(X[:128], y[:128], classes=np.arange(10))  # init + warm-up step
    times = []
    for _ in range(epochs):
        t = time.perf_counter(); m.partial_fit(X, y); times.append(time.perf_counter() - t)
    return times


model = None
if any(w in a.workloads for w in ('W1', 'W1acc', 'W3')):
    fm = common.load_fmnist()
    X, Y, Xt, Yt = fm['x_train'], fm['y_train'], fm['x_test'], fm['y_test']

if 'W1' in a.workloads:
    model = w1_model()
    cw = common.CpuWindow()
    times = w1_train(model, X, Y, 1)
    common.emit(dict(BASE, workload='W1', samples_per_s=60000 / times[0], seconds=times[0], timed_samples=60000,
                     epoch_api='partial_fit', dtype=str(model.coefs_[0].dtype), final_loss=float(model.loss_),
                     **cw.result()))

if 'W1acc' in a.workloads:
    m = w1_model()
    cw = common.CpuWindow()
    times = w1_train(m, X, Y, a.epochs)
    cpu = cw.result()
    acc = float((m.predict(Xt) == Yt).mean())
    common.emit(dict(BASE, workload='W1acc', epochs=a.epochs, accuracy=acc, epoch_seconds=times,
                     samples_per_s=60000 * a.epochs / sum(times), epoch_api='partial_fit', **cpu))

if 'W3' in a.workloads:
    m = model or w1_model().partial_fit(X[:128], Y[:128], classes=np.arange(10))
    x1 = np.ascontiguousarray(Xt[:1]); xb = np.ascontiguousarray(Xt[:1024])
    cw = common.CpuWindow()
    lat = common.latency_us(lambda: m.predict_proba(x1))
    thr = common.throughput(lambda: m.predict_proba(xb), 1024)
    common.emit(dict(BASE, workload='W3', trained=model is not None, api='predict_proba', **lat, **thr, **cw.result()))

if 'W2' in a.workloads:
    tab = common.load_tabular()
    X2, Y2 = tab['x'], tab['y']
    # sklearn SGD momentum: v = 0.9 v - 0.1 g; p += v  (same trajectory as PyTorch's form at constant lr)
    m = MLPClassifier(hidden_layer_sizes=(32, 32), activation='tanh', solver='sgd', alpha=0.0, batch_size=32,
                      learning_rate='constant', learning_rate_init=0.1, momentum=0.9, nesterovs_momentum=False,
                      shuffle=True, random_state=a.seed)
    m.partial_fit(X2[:32], Y2[:32], classes=np.array([0, 1]))  # init + warm-up step
    cw = common.CpuWindow()
    t = time.perf_counter()
    for _ in range(5):
        m.partial_fit(X2, Y2)
    dt = time.perf_counter() - t
    cpu = cw.result()
    common.emit(dict(BASE, workload='W2', samples_per_s=50000 / dt, seconds=dt, timed_samples=50000,
                     accuracy=float(m.score(X2, Y2)), epoch_api='partial_fit', dtype=str(m.coefs_[0].dtype), **cpu))

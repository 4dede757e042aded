"""PyTorch CPU harness of mlpkit's benchmark: W1 (fmnist-mlp), W1acc (5-epoch test accuracy), W2 (tabular-small),
W3 (inference); the workloads are described in BENCHMARKS.md.

  /usr/bin/python3 bench/peers/torch_bench.py --threads 1 --workloads W1,W3,W2

--threads T sets torch.set_num_threads(T) AND OPENBLAS_NUM_THREADS=T: Debian's torch 1.13 runs float32
Linear layers through OpenBLAS (BLAS_INFO=generic -> libblas.so.3 -> OpenBLAS), whose threads
torch.set_num_threads does not control. With T=2, torch's OpenMP threads spin-wait (libgomp's default) while
OpenBLAS's own pthreads want the same two cores, which slows W1 several-fold; --omp-passive sets
OMP_WAIT_POLICY=PASSIVE and is recorded as a separate variant.
W3 runs on the network trained by the W1 run in the same process (or on a fresh one if W1 is not requested).
One JSON record per workload on stdout.
"""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common

def _extra(p):
    p.add_argument('--omp-passive', action='store_true', help='OMP_WAIT_POLICY=PASSIVE (a separate variant)')
    p.add_argument('--blas-threads', type=int, default=None, help='OpenBLAS threads if not --threads (a variant)')


a = common.parse_args(_extra)
if a.omp_passive:
    os.environ['OMP_WAIT_POLICY'] = 'PASSIVE'  # read by libgomp when torch loads it
if a.blas_threads is not None:
    os.environ['OPENBLAS_NUM_THREADS'] = str(a.blas_threads)
import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
nn = torch.nn
BASE = dict(framework='pytorch', version=torch.__version__, threads=a.threads, run=a.run, seed=a.seed,
            torch_threads=torch.get_num_threads(), blas=common.blas_info())
_variant = ([f'OpenBLAS {a.blas_threads} thread(s)'] if a.blas_threads is not None else []) + \
    (['OMP_WAIT_POLICY=PASSIVE'] if a.omp_passive else [])
if _variant:
    BASE['variant'] = ', '.join(_variant)


def w1_model():
    # PyTorch default init: weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def w1_train(model, X, y, epochs, gen):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    lossf = nn.CrossEntropyLoss()  # log-softmax + NLL, mean over the batch

    def step(idx):
        opt.zero_grad()
        loss = lossf(model(X[idx]), y[idx])
        loss.backward()
        opt.step()
        return loss

    step(torch.arange(128))  # warm-up: one step
    times = []
    for _ in range(epochs):
        t = time.perf_counter()
        perm = torch.randperm(X.shape[0], generator=gen)
        for i in range(0, X.shape[0], 128):
            last = step(perm[i:i + 128])
        times.append(time.perf_counter() - t)
    return times, float(last)


model = None
need_fm = any(w in a.workloads for w in ('W1', 'W1acc', 'W3'))
if need_fm:
    fm = common.load_fmnist()
    X = torch.from_numpy(fm['x_train']); Y = torch.from_numpy(fm['y_train'].astype(np.int64))
    Xt = torch.from_numpy(fm['x_test']); Yt = fm['y_test']

if 'W1' in a.workloads:
    model = w1_model()
    cw = common.CpuWindow()
    times, loss = w1_train(model, X, Y, 1, torch.Generator().manual_seed(a.seed))
    common.emit(dict(BASE, workload='W1', samples_per_s=60000 / times[0], seconds=times[0], timed_samples=60000,
                     final_batch_loss=loss, **cw.result()))
if 'W1acc' in a.workloads:
    m = w1_model()
    cw = common.CpuWindow()
    times, loss = w1_train(m, X, Y, a.epochs, torch.Generator().manual_seed(a.seed))
    cpu = cw.result()
    with torch.no_grad():
        acc = float((m(Xt).argmax(1).numpy() == Yt).mean())
    common.emit(dict(BASE, workload='W1acc', epochs=a.epochs, accuracy=acc, epoch_seconds=times,
                     samples_per_s=60000 * a.epochs / sum(times), final_batch_loss=loss, **cpu))

if 'W3' in a.workloads:
    m = (model or w1_model()).eval()
    x1 = Xt[:1].clone(); xb = Xt[:1024].clone()
    cw = common.CpuWindow()
    with torch.inference_mode():
        lat = common.latency_us(lambda: torch.softmax(m(x1), 1))
        thr = common.throughput(lambda: torch.softmax(m(xb), 1), 1024)
    common.emit(dict(BASE, workload='W3', trained=model is not None, **lat, **thr, **cw.result()))

if 'W2' in a.workloads:
    tab = common.load_tabular()
    X2 = torch.from_numpy(tab['x']); Y2 = torch.from_numpy(tab['y'].astype(np.float32)).reshape(-1, 1)
    m = nn.Sequential(nn.Linear(20, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
    opt = torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)  # v = 0.9 v + g; p -= 0.1 v
    lossf = nn.BCEWithLogitsLoss()  # sigmoid + binary cross-entropy, fused

    def step(idx):
        opt.zero_grad(); loss = lossf(m(X2[idx]), Y2[idx]); loss.backward(); opt.step()

    step(torch.arange(32))  # warm-up: one step
    gen = torch.Generator().manual_seed(a.seed)
    cw = common.CpuWindow()
    t = time.perf_counter()
    for _ in range(5):
        perm = torch.randperm(10000, generator=gen)
        for i in range(0, 10000, 32):
            step(perm[i:i + 32])
    dt = time.perf_counter() - t
    cpu = cw.result()
    with torch.no_grad():
        acc = float(((m(X2) > 0).float() == Y2).float().mean())
    common.emit(dict(BASE, workload='W2', samples_per_s=50000 / dt, seconds=dt, timed_samples=50000, accuracy=acc,
                     **cpu))

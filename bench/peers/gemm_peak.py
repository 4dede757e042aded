"""The machine's float32 GEMM ceiling through numpy (OpenBLAS): the figure W1's GFLOP/s is compared with.

  /usr/bin/python3 bench/peers/gemm_peak.py --threads 1|2

C[MxN] = A[MxK] @ B[KxN] is 2*M*K*N FLOP. Times the square 1024^3 product and the eight GEMMs of one W1
training step at batch 128 (forward X@W1, H1@W2, H2@W3; backward dW3 = H2^T@dZ3, dH2 = dZ3@W3^T,
dW2 = H1^T@dZ2, dH1 = dZ2@W2^T, dW1 = X^T@dZ1, transposes as views). Median of 30 (150) timed calls.
Prints one JSON record: framework 'openblas-sgemm', workload 'GEMM'.
"""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common

a = common.parse_args()
import numpy as np  # noqa: E402


def gflops(f, flop, reps):
    f()
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return flop / common.median(ts) / 1e9


rng = np.random.default_rng(0)
mk = lambda r, c: rng.random((r, c), dtype=np.float32)  # noqa: E731
A, B = mk(1024, 1024), mk(1024, 1024)
cw = common.CpuWindow()
square = gflops(lambda: A @ B, 2 * 1024 ** 3, 30)
n = 128
X, W1, W2, W3 = mk(n, 784), mk(784, 256), mk(256, 128), mk(128, 10)
H1, H2, dZ1, dZ2, dZ3 = mk(n, 256), mk(n, 128), mk(n, 256), mk(n, 128), mk(n, 10)


def step():
    X @ W1; H1 @ W2; H2 @ W3
    H2.T @ dZ3; dZ3 @ W3.T; H1.T @ dZ2; dZ2 @ W2.T; X.T @ dZ1


step_flop = 2 * n * (784 * 256 + 256 * 128 + 128 * 10) * 2 + 2 * n * (10 * 128 + 128 * 256)
mix = gflops(step, step_flop, 150)
common.emit(dict(framework='openblas-sgemm', workload='GEMM', threads=a.threads, run=a.run, gflops_1024=square,
                 gflops_w1_step=mix, blas=common.blas_info(), numpy=np.__version__, **cw.result()))

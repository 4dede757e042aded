"""Helpers for the Python peer harnesses of mlpkit's benchmark (run with Debian's /usr/bin/python3).

parse_args() must run BEFORE numpy/torch/sklearn are imported: it sets OPENBLAS_NUM_THREADS and
OMP_NUM_THREADS from --threads, which OpenBLAS reads only when it is loaded. The data files are the flat
little-endian files that bench/run.ts writes (BENCH_DATA, default bench/out/data), sha256-checked there.
"""
import argparse, datetime, json, os, resource, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
# The OpenBLAS variables this process was started with, before parse_args sets the thread count
# (bench/run.ts records them as found and unsets them).
OPENBLAS_ENV_SEEN = {k: os.environ.get(k) for k in ('OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE', 'OPENBLAS_NUM_THREADS')}


def data_dir():
    return os.environ.get('BENCH_DATA', os.path.join(HERE, '..', 'out', 'data'))


def parse_args(extra=None):
    p = argparse.ArgumentParser()
    p.add_argument('--workloads', default='W1,W3,W2', help='comma list of W1, W1acc, W2, W3')
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--epochs', type=int, default=5, help='epochs for W1acc')
    p.add_argument('--run', type=int, default=0, help='round number, copied into the records')
    if extra:
        extra(p)
    a = p.parse_args()
    os.environ['OPENBLAS_NUM_THREADS'] = str(a.threads)
    os.environ['OMP_NUM_THREADS'] = str(a.threads)
    a.workloads = [w.strip() for w in a.workloads.split(',') if w.strip()]
    return a


def load_fmnist():
    import numpy as np
    d = data_dir()
    return dict(
        x_train=np.fromfile(f'{d}/fmnist-train-x.f32', np.float32).reshape(60000, 784),
        y_train=np.fromfile(f'{d}/fmnist-train-y.u8', np.uint8),
        x_test=np.fromfile(f'{d}/fmnist-test-x.f32', np.float32).reshape(10000, 784),
        y_test=np.fromfile(f'{d}/fmnist-test-y.u8', np.uint8),
    )


def load_tabular():
    import numpy as np
    d = data_dir()
    return dict(x=np.fromfile(f'{d}/tabular-x.f32', np.float32).reshape(10000, 20),
                y=np.fromfile(f'{d}/tabular-y.u8', np.uint8))


def blas_info():
    """The BLAS really loaded and its thread count (threadpoolctl ships with Debian's sklearn)."""
    try:
        from threadpoolctl import threadpool_info
        return [{k: i.get(k) for k in ('internal_api', 'version', 'num_threads', 'architecture')}
                for i in threadpool_info()]
    except Exception as e:  # noqa: BLE001
        return str(e)


def _machine_jiffies():
    with open('/proc/stat') as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return sum(v[:8]) - idle, (v[7] if len(v) > 7 else 0)


class CpuWindow:
    """Over a timed section: cores used by OTHER processes (machine busy time minus this process's CPU
    time, per wall second), the hypervisor's steal, and this process's own cores."""

    def __init__(self):
        self.hz = os.sysconf('SC_CLK_TCK')
        self.b0, self.s0 = _machine_jiffies(); self.p0 = time.process_time(); self.t0 = time.perf_counter()

    def result(self):
        b1, s1 = _machine_jiffies(); p1 = time.process_time(); wall = time.perf_counter() - self.t0
        busy = (b1 - self.b0) / self.hz
        return dict(foreign_cores=round(max(0.0, busy - (p1 - self.p0)) / wall, 3),
                    steal_cores=round((s1 - self.s0) / self.hz / wall, 3), own_cores=round((p1 - self.p0) / wall, 3))


def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def quantile(xs, q):
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def latency_us(call, warmup=100, calls=1000):
    """call() runs one batch-1 inference and returns its result in host memory."""
    for _ in range(warmup):
        call()
    ts = []
    pc = time.perf_counter_ns
    for _ in range(calls):
        t = pc(); call(); ts.append((pc() - t) / 1000)
    return dict(latency_us=median(ts), latency_p10_us=quantile(ts, 0.1), latency_p90_us=quantile(ts, 0.9),
                latency_calls=calls)


def throughput(call, batch, warmup=3, min_s=1.0, min_calls=10):
    for _ in range(warmup):
        call()
    calls = 0
    t = time.perf_counter()
    while calls < min_calls or time.perf_counter() - t < min_s:
        call(); calls += 1
    dt = time.perf_counter() - t
    return dict(samples_per_s=calls * batch / dt, batch_calls=calls, batch_size=batch)


def openblas_core(blas):
    """The kernel OpenBLAS picked (threadpoolctl's 'architecture', e.g. Cooperlake), from blas_info()."""
    for i in blas if isinstance(blas, list) else []:
        if i.get('internal_api') == 'openblas' and i.get('architecture'):
            return i['architecture']
    return None


def process_facts():
    """How this process runs, as it sees itself: the cores it may use (taskset) and the OpenBLAS variables it
    was started with."""
    try:
        with open('/proc/self/status') as f:
            cpus = next((l.split()[1] for l in f if l.startswith('Cpus_allowed_list:')), None)
    except OSError:
        cpus = None
    return dict(cpus_allowed=cpus, openblas_env_seen=OPENBLAS_ENV_SEEN)


def peak_rss_mb():
    """Peak resident memory of this process in MB: Linux's VmHWM, which starts afresh at exec (getrusage's
    ru_maxrss keeps the peak of the process that forked this one, here bench/run.ts)."""
    try:
        with open('/proc/self/status') as f:
            kb = next((int(l.split()[1]) for l in f if l.startswith('VmHWM:')), None)
        if kb is not None:
            return round(kb / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def emit(rec):
    rec = dict(rec, **process_facts())
    if 'blas' in rec:
        rec['openblas_core'] = openblas_core(rec['blas'])
    rec['peak_rss_mb'] = peak_rss_mb()
    rec['date'] = datetime.datetime.now(datetime.timezone.utc).isoformat()
    sys.stdout.write(json.dumps(rec) + '\n')
    sys.stdout.flush()

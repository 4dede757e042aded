"""One W4 read in a fresh process: pandas.read_csv (C engine) on the file named on the command line; one JSON line."""
import json
import resource
import sys
import time

import pandas as pd

path = sys.argv[1]
r0 = resource.getrusage(resource.RUSAGE_SELF)
t0 = time.perf_counter()
df = pd.read_csv(path, engine="c")
seconds = time.perf_counter() - t0
r = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    "reader": "pandas", "version": pd.__version__, "rows": len(df), "seconds": seconds,
    "cpu_seconds": (r.ru_utime - r0.ru_utime) + (r.ru_stime - r0.ru_stime),
    "peak_rss_mb": round(r.ru_maxrss / 1024),
}))

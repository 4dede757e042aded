// Helpers for the JavaScript peer harnesses of mlpkit's benchmark: data files, seeded RNG, timing, records.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
// The flat data files bench/run.ts writes (sha256-checked there).
export const dataDir = () => process.env.BENCH_DATA ?? join(here, '..', 'out', 'data');
// The npm peers live in bench/node_modules (bench/package.json), never in the package's own dependencies.
export const peerRequire = createRequire(join(here, '..', 'package.json'));

// mulberry32: tiny 32-bit seeded PRNG returning floats in [0,1).
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Fisher-Yates permutation of 0..n-1 driven by rng().
export function permutation(n, rng) {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

function readF32(name) {
  const b = readFileSync(join(dataDir(), name));
  // copy into a fresh, aligned ArrayBuffer
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}
const readU8 = (name) => new Uint8Array(readFileSync(join(dataDir(), name)));

export function loadFmnist() {
  return {
    xTrain: readF32('fmnist-train-x.f32'), yTrain: readU8('fmnist-train-y.u8'),
    xTest: readF32('fmnist-test-x.f32'), yTest: readU8('fmnist-test-y.u8'),
    nTrain: 60000, nTest: 10000, d: 784, classes: 10,
  };
}
export function loadTabular() {
  return { x: readF32('tabular-x.f32'), y: readU8('tabular-y.u8'), n: 10000, d: 20 };
}

// Over a timed section: how many cores OTHER processes kept busy (machine busy time from /proc/stat minus this
// process's own CPU time, per wall second) and the hypervisor's steal time. A record
// with foreign_cores well above 0 was contended. Linux only (USER_HZ assumed 100).
function machineJiffies() {
  const v = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = v[3] + (v[4] ?? 0);
  return { busy: v.slice(0, 8).reduce((a, b) => a + b, 0) - idle, steal: v[7] ?? 0 };
}
export function cpuWindow() {
  const m0 = machineJiffies(), p0 = process.cpuUsage(), t0 = performance.now();
  return () => {
    const m1 = machineJiffies(), p = process.cpuUsage(p0), wall = (performance.now() - t0) / 1000;
    const own = (p.user + p.system) / 1e6, busy = (m1.busy - m0.busy) / 100;
    const r3 = (v) => Math.round(v * 1000) / 1000;
    return { foreign_cores: r3(Math.max(0, busy - own) / wall), steal_cores: r3((m1.steal - m0.steal) / 100 / wall), own_cores: r3(own / wall) };
  };
}

export const now = () => performance.now(); // ms, monotonic, sub-microsecond resolution

// "--key value" / "--flag" parser.
export function args(defaults) {
  const out = { ...defaults };
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i++) {
    if (!a[i].startsWith('--')) continue;
    const k = a[i].slice(2);
    const v = a[i + 1] !== undefined && !a[i + 1].startsWith('--') ? a[++i] : true;
    out[k] = typeof defaults[k] === 'number' ? Number(v) : v;
  }
  return out;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
}

// W3 helpers. callOnce() must run one batch-1 inference and bring the result to JS memory.
export async function latencyUs(callOnce, { warmup = 100, calls = 1000 } = {}) {
  for (let i = 0; i < warmup; i++) await callOnce();
  const ts = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const t = now(); await callOnce(); ts[i] = (now() - t) * 1000;
  }
  const a = Array.from(ts);
  return { latency_us: median(a), latency_p10_us: quantile(a, 0.1), latency_p90_us: quantile(a, 0.9), latency_calls: calls };
}
// callBatch() runs one inference on the 1024-sample batch; repeated until >= minMs and >= minCalls.
export async function throughput(callBatch, batch, { warmup = 3, minMs = 1000, minCalls = 10 } = {}) {
  for (let i = 0; i < warmup; i++) await callBatch();
  let calls = 0;
  const t = now();
  while (calls < minCalls || now() - t < minMs) { await callBatch(); calls++; }
  const dt = (now() - t) / 1000;
  return { samples_per_s: (calls * batch) / dt, batch_calls: calls, batch_size: batch };
}

export function argmaxAccuracy(probs, y, n, classes) {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c] > probs[i * classes + best]) best = c;
    if (best === y[i]) ok++;
  }
  return ok / n;
}

export function machine() {
  return { node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadavg_1m: os.loadavg()[0] };
}

// The OpenBLAS variables this process was started with (bench/run.ts records them as found and unsets them).
const OPENBLAS_VARS = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE', 'OPENBLAS_NUM_THREADS'];
const startEnv = Object.fromEntries(OPENBLAS_VARS.map((v) => [v, process.env[v] ?? null]));

// How this process runs, as it sees itself: the cores it may use (taskset; Linux's Cpus_allowed_list), V8's
// flags (--single-threaded) and the OpenBLAS variables it was started with.
export function processFacts() {
  let cpus = null;
  try { cpus = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? null; } catch { /* not Linux */ }
  return { cpus_allowed: cpus, node_flags: process.execArgv, openblas_env_seen: startEnv };
}

// Peak resident memory of this process in MB: Linux's VmHWM, which starts afresh at exec. (getrusage's
// maxRSS does not: it keeps the peak of the process that forked this one, here bench/run.ts.)
export function peakRssMb() {
  try {
    const kb = /VmHWM:\s*(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb !== undefined) return Math.round(Number(kb) / 1024);
  } catch { /* not Linux */ }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

// One JSON record per line on stdout; bench/run.ts collects them.
export function emit(rec) {
  const r = { ...rec, ...processFacts(), peak_rss_mb: peakRssMb(),
    heap_used_mb: Math.round(process.memoryUsage().heapUsed / 1048576), date: new Date().toISOString() };
  process.stdout.write(JSON.stringify(r) + '\n');
}

// mlpkit's harness for the benchmark workloads W1, W1acc, W2, W3 (spec: BENCHMARKS.md). Prints one
// JSON record per line, as the peers' harnesses do.
// Usage: npx tsx bench/mlpkit.ts [--workloads W1,W3,W2] [--threads 1|2] [--seed 0] [--run 1] [--backend native|wasm|ts]
//        [--onnx bench/out/w1.onnx]   (also write the W1 network as ONNX, for the onnxruntime-node W3 peer)
// Training is timed through `fit()` and inference through `predict()`, the calls a user makes, as the
// peers are timed through theirs. --backend native is the BLAS backend (@mlpkit/native; with --threads > 1
// the BLAS's own threads); wasm (relaxed SIMD where the runtime validates it) with --threads > 1 splits
// products over worker threads; ts is the portable TypeScript reference (one thread).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { createWasmBackend, exportOnnx, fit, mlp, Model, tsBackend, wasmSimdSupported, type Backend, type FitOptions } from '../src/index.js';
import { createNativeBackend, createThreadedBackend, nativeBlas } from '../src/node.js';
import { enableRelaxedSimd } from '../src/node/native.js';
import { generateTabular, loadFmnist } from './data.js';
import { openblasCoreOf } from './fairness.js';
// Measured as the peers' harnesses measure it (foreign load of a timed section; how the process is pinned).
import { cpuWindow, peakRssMb, processFacts } from './peers/common.mjs';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
}

const workloads = arg('workloads', 'W1,W3,W2').split(',');
const threads = Number(arg('threads', '1'));
const seed = Number(arg('seed', '0'));
const run = Number(arg('run', '1'));
const backendName = arg('backend', wasmSimdSupported() ? 'wasm' : 'ts');
if (!['native', 'wasm', 'ts'].includes(backendName)) throw new Error(`unknown --backend '${backendName}'; expected native, wasm or ts`);
const onnxPath = arg('onnx', '');
if (backendName === 'ts' && threads > 1) throw new Error('--backend ts runs on one thread; use --backend wasm for --threads > 1');
const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
if (backendName !== 'ts') enableRelaxedSimd();
const blas = backendName === 'native' ? nativeBlas() : null;
if (backendName === 'native' && blas === null) throw new Error('--backend native: the @mlpkit/native addon is not available (mlpkit info --backend says why)');

function backend(): Backend {
  if (backendName === 'ts') return tsBackend;
  if (blas !== null) return createNativeBackend(blas, { threads });
  return threads > 1 ? createThreadedBackend({ threads }) : createWasmBackend();
}
// The kernels as they ran: a native backend asked for two threads names, once it has measured, the count it found faster.
const named = backend();

function emit(rec: Record<string, unknown>): void {
  // The peak resident memory is the process's so far (VmHWM; the workloads run in order W1, W3, W2); external memory holds the
  // ArrayBuffers, the wasm memory among them.
  const mem = process.memoryUsage();
  const mb = (v: number): number => Math.round(v / 1048576);
  console.log(JSON.stringify({
    framework: 'mlpkit', version, threads, run, seed, backend: backendName, kernels: named.name, ...(blas === null ? {} : { blas: blas.config() }),
    ...(blas === null ? {} : { openblas_core: openblasCoreOf(blas.config()) }), ...processFacts(),
    variant: backendName === 'ts' ? 'TypeScript backend' : backendName,
    cpu: cpus()[0]?.model ?? '', peak_rss_mb: peakRssMb(), heap_used_mb: mb(mem.heapUsed), external_mb: mb(mem.external),
    date: new Date().toISOString(), ...rec,
  }));
}

/** With helper threads: let them boot (load the module, reach their wait) before anything is timed. */
function settle(model: Model): Model {
  if (threads > 1 && backendName === 'wasm') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  return model;
}

let fm: ReturnType<typeof loadFmnist> | null = null;
const fmnist = (): ReturnType<typeof loadFmnist> => (fm ??= loadFmnist());

function oneHot(y: Uint8Array, k: number): Float32Array {
  const out = new Float32Array(y.length * k);
  y.forEach((c, i) => { out[i * k + c] = 1; });
  return out;
}

const W1_FIT: Omit<FitOptions, 'epochs'> = {
  batchSize: 128, shuffle: true, seed, optimizer: { kind: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
};

function w1Model(): Model {
  return settle(new Model(mlp({ inputSize: 784, outputSize: 10, task: 'multiclass', hidden: [256, 128], activation: 'relu' }), { seed, maxBatch: 128, backend: backend() }));
}

/**
 * W1's network trained by `fit()` (the spec's Adam on batches of 128, a fresh seeded permutation per
 * epoch): returns the model and the seconds the `fit()` call took. A warm-up `fit()` of one batch on a
 * throw-away model first, so that the timed call does not pay for compiling the JavaScript.
 */
async function trainW1(epochs: number): Promise<{ model: Model; seconds: number; cpu: ReturnType<ReturnType<typeof cpuWindow>> }> {
  const d = fmnist();
  const y = oneHot(d.yTrain, 10);
  await fit(w1Model(), { x: { rows: 128, cols: 784, data: d.xTrain.subarray(0, 128 * 784) }, y: { rows: 128, cols: 10, data: y.subarray(0, 1280) } }, { ...W1_FIT, epochs: 1 });
  const model = w1Model();
  const window = cpuWindow();
  const t0 = performance.now();
  await fit(model, { x: { rows: 60000, cols: 784, data: d.xTrain }, y: { rows: 60000, cols: 10, data: y } }, { ...W1_FIT, epochs });
  const seconds = (performance.now() - t0) / 1000;
  return { model, seconds, cpu: window() };
}

function testAccuracy(model: Model): number {
  const d = fmnist();
  const p = model.predict({ rows: 10000, cols: 784, data: d.xTest }).data;
  let ok = 0;
  for (let i = 0; i < 10000; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (p[i * 10 + c]! > p[i * 10 + best]!) best = c;
    if (best === d.yTest[i]) ok++;
  }
  return ok / 10000;
}

let w1Trained: Model | null = null;

async function w1(): Promise<void> {
  const { model, seconds: s, cpu } = await trainW1(1);
  w1Trained = model;
  emit({ workload: 'W1', samples_per_s: Math.round(60000 / s), seconds: s, timed_samples: 60000, effective_gflops: Math.round(60.43 / s * 10) / 10, ...cpu });
  if (onnxPath !== '') {
    mkdirSync(dirname(onnxPath), { recursive: true });
    writeFileSync(onnxPath, exportOnnx(model));
    // mlpkit's own probabilities for test samples 0–15, which the onnxruntime-node harness compares with.
    const ref = model.predict({ rows: 16, cols: 784, data: fmnist().xTest.slice(0, 16 * 784) }).data;
    writeFileSync(`${onnxPath}.ref.json`, JSON.stringify(Array.from(ref)));
  }
}

async function w1acc(): Promise<void> {
  const { model, seconds: total, cpu } = await trainW1(5);
  emit({ workload: 'W1acc', accuracy: testAccuracy(model), epochs: 5, samples_per_s: Math.round(300000 / total), seconds: total, ...cpu });
}

async function w2(): Promise<void> {
  const t = generateTabular();
  const make = (): Model => settle(new Model({
    inputSize: 20, loss: 'binaryCrossEntropy',
    layers: [{ kind: 'dense', units: 32, activation: 'tanh' }, { kind: 'dense', units: 32, activation: 'tanh' }, { kind: 'dense', units: 1, activation: 'sigmoid' }],
  }, { seed, maxBatch: 32, backend: backend() }));
  const options: Omit<FitOptions, 'epochs'> = { batchSize: 32, shuffle: true, seed, optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0.9 } };
  const y = Float32Array.from(t.y);
  await fit(make(), { x: { rows: 32, cols: 20, data: t.x.subarray(0, 640) }, y: y.subarray(0, 32) }, { ...options, epochs: 1 });
  const model = make();
  const window = cpuWindow();
  const t0 = performance.now();
  await fit(model, { x: { rows: t.n, cols: 20, data: t.x }, y }, { ...options, epochs: 5 });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = window();
  const p = model.predict({ rows: t.n, cols: 20, data: t.x }).data;
  let ok = 0;
  for (let i = 0; i < t.n; i++) if ((p[i]! > 0.5 ? 1 : 0) === t.y[i]) ok++;
  emit({ workload: 'W2', samples_per_s: Math.round(50000 / seconds), seconds, timed_samples: 50000, accuracy: ok / t.n, ...cpu });
}

async function w3(): Promise<void> {
  w1Trained ??= (await trainW1(1)).model;
  const model = w1Trained;
  const d = fmnist();
  const one = { rows: 1, cols: 784, data: d.xTest.slice(0, 784) };
  for (let i = 0; i < 100; i++) model.predict(one);
  const times: number[] = [];
  const window = cpuWindow();
  for (let i = 0; i < 1000; i++) {
    const t0 = performance.now();
    model.predict(one);
    times.push((performance.now() - t0) * 1000);
  }
  times.sort((a, b) => a - b);
  const q = (f: number): number => Math.round(times[Math.floor(f * (times.length - 1))]! * 10) / 10;
  const latency = { latency_us: q(0.5), latency_p10_us: q(0.1), latency_p90_us: q(0.9) };
  const foreign1 = window().foreign_cores;
  const big = { rows: 1024, cols: 784, data: d.xTest.slice(0, 1024 * 784) };
  for (let i = 0; i < 3; i++) model.predict(big);
  const w2win = cpuWindow();
  let calls = 0;
  const t0 = performance.now();
  while (calls < 10 || performance.now() - t0 < 1000) { model.predict(big); calls++; }
  const seconds = (performance.now() - t0) / 1000;
  // One record, as the peers': batch-1 latency and batch-1024 throughput.
  emit({ workload: 'W3', ...latency, samples_per_s: Math.round(calls * 1024 / seconds), batch_size: 1024, batch_calls: calls, foreign_cores: Math.max(foreign1, w2win().foreign_cores) });
}

const table: Record<string, () => Promise<void>> = { W1: w1, W1acc: w1acc, W2: w2, W3: w3 };
for (const w of workloads) {
  const f = table[w];
  if (f === undefined) throw new Error(`unknown workload '${w}'; expected W1, W1acc, W2, W3`);
  await f();
}
process.exit(0);

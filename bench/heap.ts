// Does the training step allocate? Runs one epoch (469 steps) of the W1 step — gather, forward, loss,
// zeroGrad, backward, Adam — on synthetic data of W1's shape and, around every step:
//  - the heap retained after a full GC (v8 used_heap_size), per step: the growth over the epoch;
//  - the bytes each engine call allocates: heapUsed after the call minus before it, measured right after
//    a full GC (the young generation is far from full, so nothing is collected in between).
// Usage: node --expose-gc --import tsx bench/heap.ts [--backend wasm|ts] [--steps 469]
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { applyOptimizer, createWasmBackend, initOptimizer, mlp, Model, Rng, tsBackend, wasmSimdSupported } from '../src/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with  node --expose-gc --import tsx bench/heap.ts');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
};
const backendName = arg('backend', wasmSimdSupported() ? 'wasm' : 'ts');
const steps = Number(arg('steps', '469'));

const model = new Model(mlp({ inputSize: 784, outputSize: 10, task: 'multiclass', hidden: [256, 128], activation: 'relu' }),
  { seed: 0, maxBatch: 128, backend: backendName === 'ts' ? tsBackend : createWasmBackend() });
const rng = new Rng(0);
const n = 60000;
const x = new Float32Array(n * 784);
for (let i = 0; i < x.length; i += 7) x[i] = rng.uniform();
const y = new Float32Array(n * 10);
for (let i = 0; i < n; i++) y[i * 10 + (i % 10)] = 1;
const rule = { kind: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;
const state = initOptimizer(rule, model.paramBuffer.length, model.arena);
const perm = rng.permutation(n);
const train = { mode: 'train', rng } as const;
let t = 0;
let start = 0;
let m = 128;

// The step's calls, in order.
const calls: [string, () => void][] = [
  ['gatherInputRows', () => model.gatherInputRows(x, perm, start, m)],
  ['gatherTargetRows', () => model.gatherTargetRows(y, perm, start, m)],
  ['forwardRows', () => { model.forwardRows(m, train); }],
  ['lossOnTargets', () => { model.lossOnTargets(m); }],
  ['zeroGrad', () => model.zeroGrad()],
  ['backward', () => model.backward()],
  ['applyOptimizer (adam)', () => applyOptimizer(rule, state, model.paramBuffer.a, model.gradBuffer.a, 1e-3, ++t, model.arena.kernels)],
];
const step = (i: number): void => {
  start = (i * 128) % n;
  m = Math.min(128, n - start);
  for (const [, f] of calls) f();
};
const usedHeap = (): number => getHeapStatistics().used_heap_size;

// Warm-up (compiles the code paths), then the epoch with the retained heap after a full GC before every step.
for (let i = 0; i < 5; i++) step(i);
const retained = new Float64Array(steps + 1);
const spaces = (): Map<string, number> => new Map(getHeapSpaceStatistics().map((sp) => [sp.space_name, sp.space_used_size]));
gc();
const spaces0 = spaces();
for (let i = 0; i < steps; i++) {
  gc();
  retained[i] = usedHeap();
  step(i);
}
gc();
retained[steps] = usedHeap();
const spaces1 = spaces();

// Bytes allocated: heapUsed rises by what is allocated until the next scavenge, so after a full GC run a
// call `reps` times between two readings (far below the young generation's size) and divide. The reading
// itself allocates (process.memoryUsage()'s result): measured with nothing between and subtracted.
const reps = 100;
// Anything else the VM allocates meanwhile (the optimizing compiler's code and feedback) only adds: the
// least of five trials is the call's own.
const allocated = (f: () => void): number => {
  let least = Infinity;
  for (let trial = 0; trial < 5; trial++) {
    gc();
    const h0 = process.memoryUsage().heapUsed;
    for (let r = 0; r < reps; r++) f();
    least = Math.min(least, process.memoryUsage().heapUsed - h0);
  }
  return least;
};
const overhead = Math.min(...Array.from({ length: 20 }, () => allocated(() => undefined)));
start = 0;
m = 128;
const perCall = calls.map(([name, f]) => [name, (allocated(f) - overhead) / reps] as const);
let i0 = 0;
const perStep = (allocated(() => step(i0++)) - overhead) / reps;

const kib = (v: number): string => `${(v / 1024).toFixed(1)} KiB`;
const r = Array.from(retained);
const first = r[0]!;
const last = r[steps]!;
// Least-squares slope of the retained heap over the steps: bytes kept per step.
const mx = steps / 2;
const my = r.reduce((a, b) => a + b, 0) / r.length;
const slope = r.reduce((a, v, i) => a + (i - mx) * (v - my), 0) / r.reduce((a, _, i) => a + (i - mx) ** 2, 0);
console.log(`backend ${backendName}: ${steps} W1 training steps (batch 128; after 5 warm-up steps)`);
console.log(`retained heap after a full GC: first ${kib(first)}, last ${kib(last)}, min ${kib(Math.min(...r))}, max ${kib(Math.max(...r))}`);
const half = steps >> 1;
console.log(`retained growth over the steps: ${last - first} bytes (first half ${r[half]! - first}, second half ${last - r[half]!}; least-squares slope ${slope.toFixed(2)} bytes/step)`);
console.log(`  by heap space: ${[...spaces1].map(([name, v]) => [name, v - (spaces0.get(name) ?? 0)] as const).filter(([, d]) => d !== 0).map(([name, d]) => `${name} ${d > 0 ? '+' : ''}${d}`).join(', ')} bytes`);
console.log(`bytes allocated per call (least of 5 trials of ${reps} calls, per call; reading overhead ${overhead} bytes subtracted):`);
for (const [name, b] of perCall) console.log(`  ${name.padEnd(22)} ${b.toFixed(1).padStart(8)}`);
console.log(`  ${'whole training step'.padEnd(22)} ${perStep.toFixed(1).padStart(8)}`);

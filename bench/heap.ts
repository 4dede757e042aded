// Does the training step allocate? Runs the W1 step (gather, forward, loss, zeroGrad, backward, Adam)
// for one epoch of synthetic data and samples the JS heap after a full GC every 50 steps.
// Usage: node --expose-gc --import tsx bench/heap.ts
import { applyOptimizer, initOptimizer, mlp, Model, Rng } from '../src/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const model = new Model(mlp({ inputSize: 784, outputSize: 10, task: 'multiclass', hidden: [256, 128], activation: 'relu' }), { seed: 0, maxBatch: 128 });
const rng = new Rng(0);
const n = 60000;
const x = new Float32Array(n * 784);
for (let i = 0; i < x.length; i += 97) x[i] = rng.uniform();
const y = new Float32Array(n * 10);
for (let i = 0; i < n; i++) y[i * 10 + (i % 10)] = 1;
const X = model.resident(x);
const Y = model.resident(y);
const rule = { kind: 'adam', learningRate: 1e-3 } as const;
const state = initOptimizer(rule, model.paramBuffer.length, model.arena);
const perm = rng.permutation(n);
const train = { mode: 'train', rng } as const;
let t = 0;
const samples: number[] = [];
const allocatedBefore = (): number => { gc(); return process.memoryUsage().heapUsed; };
for (let s = 0, step = 0; s < n; s += 128, step++) {
  if (step % 50 === 0) samples.push(allocatedBefore());
  const m = Math.min(128, n - s);
  model.gatherInputRows(X.a, perm, s, m);
  model.gatherTargetRows(Y.a, perm, s, m);
  model.forwardRows(m, train);
  model.lossOnTargets(m);
  model.zeroGrad();
  model.backward();
  applyOptimizer(rule, state, model.paramBuffer.a, model.gradBuffer.a, 1e-3, ++t, model.arena.kernels);
}
samples.push(allocatedBefore());
// Bytes allocated per step: heapUsed rises by what the steps allocate until the next scavenge, so
// measure 20 steps right after a full GC (far below the young generation's size).
gc();
const h0 = process.memoryUsage().heapUsed;
for (let s = 0; s < 20 * 128; s += 128) {
  model.gatherInputRows(X.a, perm, s, 128);
  model.gatherTargetRows(Y.a, perm, s, 128);
  model.forwardRows(128, train);
  model.lossOnTargets(128);
  model.zeroGrad();
  model.backward();
  applyOptimizer(rule, state, model.paramBuffer.a, model.gradBuffer.a, 1e-3, ++t, model.arena.kernels);
}
const perStep = (process.memoryUsage().heapUsed - h0) / 20;
const kb = (v: number): string => `${(v / 1024).toFixed(1)} KiB`;
const growth = samples[samples.length - 1]! - samples[1]!;
console.log(`heap after GC, every 50 steps over 469 steps: ${samples.map((v) => (v / 1048576).toFixed(2)).join(' ')} MiB`);
console.log(`retained growth from step 50 to the end of the epoch: ${kb(growth)}`);
console.log(`allocated per training step (heapUsed rise over 20 steps after a GC): ${perStep.toFixed(0)} bytes`);

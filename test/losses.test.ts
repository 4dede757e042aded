import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOSSES } from '../src/losses.js';
import { sigmoid } from '../src/activations.js';
import { tsKernels } from '../src/kernels/ts.js';

const f64 = (a: number[]): Float64Array => Float64Array.from(a);

test('mse is the lecture\'s 1/(NK) Σ (ŷ − y)²', () => {
  const O = f64([1, 2, 3, 4]);
  const Y = f64([0, 2, 5, 4]);
  // N = 2 rows, K = 2 outputs: (1 + 0 + 4 + 0)/4
  assert.equal(LOSSES.mse.value(O, O, Y, 2, 2), 1.25);
});

test('binary cross-entropy from logits is finite and exact at |I| ≥ 100', () => {
  const I = f64([100, -100, 1000, -1000]);
  const O = I.map(sigmoid);
  const Y = f64([0, 1, 1, 0]);
  const v = LOSSES.binaryCrossEntropy.value(O, I, Y, 4, 1);
  // Wrong by 100 twice, right with certainty twice: (100 + 100 + 0 + 0)/4.
  assert.equal(v, 50);
  const d = new Float64Array(4);
  LOSSES.binaryCrossEntropy.grad(O, I, Y, 4, 1, d);
  assert.deepEqual(Array.from(d), [0.25, -0.25, 0, 0]);
});

test('binary cross-entropy equals −[y log p + (1 − y) log(1 − p)] at moderate logits', () => {
  const I = f64([0.3, -1.7, 2.2]);
  const O = I.map(sigmoid);
  const Y = f64([1, 0, 0]);
  const naive = -[0, 1, 2].reduce((s, i) => s + Y[i]! * Math.log(O[i]!) + (1 - Y[i]!) * Math.log(1 - O[i]!), 0) / 3;
  assert.ok(Math.abs(LOSSES.binaryCrossEntropy.value(O, I, Y, 3, 1) - naive) < 1e-14);
});

test('categorical cross-entropy from logits is finite at |I| ≥ 100 and equals −log softmax at the true class', () => {
  const I = f64([1000, -1000, 0, 0.5, 1.5, -0.2]);
  const O = new Float64Array(6);
  tsKernels.softmaxRows(I, O, 2, 3);
  const Y = f64([0, 1, 0, 0, 0, 1]);
  const v = LOSSES.categoricalCrossEntropy.value(O, I, Y, 2, 3);
  assert.ok(Number.isFinite(v));
  const lse2 = Math.log(Math.exp(0.5) + Math.exp(1.5) + Math.exp(-0.2));
  assert.ok(Math.abs(v - (2000 + (lse2 + 0.2)) / 2) < 1e-9, `value ${v}`);
  const d = new Float64Array(6);
  LOSSES.categoricalCrossEntropy.grad(O, I, Y, 2, 3, d);
  for (let j = 0; j < 6; j++) assert.ok(Math.abs(d[j]! - (O[j]! - Y[j]!) / 2) < 1e-15);
});

test('huber is quadratic inside the threshold and linear outside', () => {
  const Y = f64([0, 0]);
  assert.equal(LOSSES.huber.value(f64([0.5, 0]), f64([0, 0]), Y, 2, 1), 0.0625);
  assert.equal(LOSSES.huber.value(f64([3, 0]), f64([0, 0]), Y, 2, 1), 1.25);
});

test('sample weights scale each sample\'s term', () => {
  const O = f64([1, 3]);
  const Y = f64([0, 0]);
  assert.equal(LOSSES.mse.value(O, O, Y, 2, 1, f64([2, 0])), 1);
});

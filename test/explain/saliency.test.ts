import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { Rng } from '../../src/rng.js';
import { saliency } from '../../src/explain/saliency.js';

function randomRows(n: number, d: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
}

/** Central difference of output c of row x. */
function finiteDifference(model: Model, x: readonly number[], c: number, h = 1e-6): number[] {
  return x.map((_, j) => {
    const plus = [...x];
    const minus = [...x];
    plus[j]! += h;
    minus[j]! -= h;
    const a = model.predict([plus]).data[c]!;
    const b = model.predict([minus]).data[c]!;
    return (a - b) / (2 * h);
  });
}

test('saliency of a softmax classifier equals finite differences of the predicted probability', () => {
  const model = new Model(mlp({ inputSize: 3, outputSize: 4, task: 'multiclass', hidden: [6, 5], activation: 'tanh', dtype: 'float64' }), { seed: 7 });
  const x = randomRows(5, 3, 1);
  const s = saliency(model, x);
  assert.equal(s.gradients.rows, 5);
  for (let i = 0; i < 5; i++) {
    const c = s.outputs[i]!;
    const probs = Array.from(model.predict([x[i]!]).data);
    assert.equal(c, probs.indexOf(Math.max(...probs)));
    const fd = finiteDifference(model, x[i]!, c);
    for (let j = 0; j < 3; j++) {
      const g = s.gradients.data[i * 3 + j]!;
      assert.ok(Math.abs(g - fd[j]!) <= 1e-6 * Math.max(1, Math.abs(fd[j]!)), `row ${i} feature ${j}: ${g} vs ${fd[j]}`);
    }
  }
});

test('saliency of a regression net with batch norm equals finite differences in evaluation mode', () => {
  const model = new Model(mlp({ inputSize: 2, outputSize: 2, task: 'regression', hidden: [5], activation: 'sigmoid', batchNorm: 'before', dtype: 'float64' }), { seed: 2 });
  model.setState(Array.from(model.getState(), (_, i) => 0.3 + 0.1 * i));
  const x = randomRows(4, 2, 3);
  const s = saliency(model, x, { output: 1 });
  for (let i = 0; i < 4; i++) {
    assert.equal(s.outputs[i], 1);
    const fd = finiteDifference(model, x[i]!, 1);
    for (let j = 0; j < 2; j++) {
      const g = s.gradients.data[i * 2 + j]!;
      assert.ok(Math.abs(g - fd[j]!) <= 1e-6 * Math.max(1, Math.abs(fd[j]!)), `row ${i} feature ${j}: ${g} vs ${fd[j]}`);
    }
  }
});

test('saliency applies the chain rule through an input scaling and leaves the gradient buffer untouched', () => {
  const model = new Model(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [4], dtype: 'float64' }), { seed: 1 });
  model.gradBuffer.a.fill(0.25);
  const x = randomRows(3, 2, 9);
  const plain = saliency(model, x);
  const scaled = saliency(model, x, { inputScale: [2, 0.5] });
  for (let i = 0; i < 3; i++) {
    assert.equal(scaled.gradients.data[i * 2]!, 2 * plain.gradients.data[i * 2]!);
    assert.equal(scaled.gradients.data[i * 2 + 1]!, 0.5 * plain.gradients.data[i * 2 + 1]!);
  }
  assert.ok(model.gradBuffer.a.every((g) => g === 0.25));
  assert.throws(() => saliency(model, x, { output: 3 }), /output must be 'predicted' or an integer in \[0, 0\], got 3/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { perceptronModel, perceptronPredict, trainPerceptron } from '../src/perceptron.js';
import { halfPlane, xor } from '../src/data/generators.js';
import { Rng } from '../src/rng.js';

test('the perceptron rule separates a linearly separable set exactly', () => {
  const { x, y } = halfPlane({ n: 300, seed: 3 });
  const r = trainPerceptron(x, y, { maxEpochs: 2000, seed: 1 });
  assert.equal(r.converged, true, r.message);
  assert.equal(r.trainingErrors, 0);
  assert.equal(r.mistakesPerEpoch.at(-1), 0);
  assert.match(r.message, /separated exactly/);
  const pred = perceptronPredict(r, x);
  assert.deepEqual(pred, y);
});

test('the perceptron rule reports that XOR is not linearly separable within its budget', () => {
  const { x, y } = xor({ n: 200, seed: 2 });
  const r = trainPerceptron(x, y, { maxEpochs: 200, seed: 1 });
  assert.equal(r.converged, false);
  assert.equal(r.epochs, 200);
  assert.ok(r.trainingErrors > 0);
  assert.ok(r.mistakesPerEpoch.every((m) => m > 0));
  assert.match(r.message, /not linearly separable within the budget/);
});

test('the perceptron rule separates three linearly separable classes with one step neuron each', () => {
  const rng = new Rng(5);
  const x: number[][] = [];
  const y: string[] = [];
  const centres = [[0, 3], [3, -2], [-3, -2]] as const;
  for (let i = 0; i < 150; i++) {
    const c = i % 3;
    x.push([centres[c]![0] + rng.range(-1, 1), centres[c]![1] + rng.range(-1, 1)]);
    y.push(['a', 'b', 'c'][c]!);
  }
  const r = trainPerceptron(x, y, { seed: 0 });
  assert.equal(r.converged, true, r.message);
  assert.equal(r.weights.length, 3);
  assert.deepEqual(perceptronPredict(r, x), y);
});

test('a trained perceptron runs forward in the engine as a step layer with the same decisions', () => {
  const { x, y } = halfPlane({ n: 100, seed: 4 });
  const r = trainPerceptron(x, y, { seed: 0 });
  const model = perceptronModel(r);
  const out = model.predict(x);
  for (let i = 0; i < x.length; i++) assert.equal(out.data[i], y[i]);
});

test('the perceptron rejects a bad budget with a message naming it', () => {
  assert.throws(() => trainPerceptron([[0], [1]], [0, 1], { maxEpochs: 0 }), /maxEpochs must be an integer ≥ 1, got 0/);
});

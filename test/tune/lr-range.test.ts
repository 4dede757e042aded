import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { fit } from '../../src/train/fit.js';
import { loadDataset } from '../../src/datasets.js';
import { StandardScaler } from '../../src/data/scalers.js';
import { accuracyScore } from '../../src/explain/predictor.js';
import { lrRangeTest } from '../../src/tune/lr-range.js';
import type { NumericMatrix } from '../../src/data/matrix-input.js';

async function iris(): Promise<{ x: NumericMatrix; y: NumericMatrix }> {
  const d = await loadDataset('iris');
  const x = new StandardScaler().fitTransform(d.x);
  const classes = [...new Set(d.y)].sort();
  const y = new Float64Array(d.y.length * classes.length);
  d.y.forEach((c, i) => { y[i * classes.length + classes.indexOf(c)] = 1; });
  return { x, y: { rows: d.y.length, cols: classes.length, data: y } };
}

test("lr-find's suggested rate trains a net that converges on iris", async () => {
  const data = await iris();
  const spec = mlp({ inputSize: 4, outputSize: 3, task: 'multiclass', hidden: [16], activation: 'relu' });
  const model = new Model(spec, { seed: 1 });
  const before = model.getWeights();
  const r = await lrRangeTest(model, data, { minLearningRate: 1e-5, maxLearningRate: 10, steps: 50, batchSize: 32, seed: 2 });
  assert.deepEqual(model.getWeights(), before, 'the range test restores the weights');
  assert.equal(r.stopReason, 'diverged', 'a rate of 10 blows the loss up');
  assert.ok(r.learningRates.length < 50);
  assert.ok(r.learningRates.every((lr, i) => i === 0 || lr > r.learningRates[i - 1]!));
  assert.ok(r.suggested > 1e-4 && r.suggested < 1, `suggested ${r.suggested}`);
  assert.ok(r.steepestLearningRate <= r.minLossLearningRate);
  const h = await fit(model, data, { epochs: 60, batchSize: 32, optimizer: { kind: 'adam', learningRate: r.suggested }, seed: 3 });
  const first = h.epochs[0]!.trainLoss;
  const last = h.epochs.at(-1)!.trainLoss;
  assert.ok(last < 0.15 && last < first / 5, `loss ${first} → ${last} at η = ${r.suggested}`);
  assert.ok(accuracyScore(data.y, model.predict(data.x)) > 0.95);
});

test('the range test rejects an empty rate range with a message naming both ends', async () => {
  const model = new Model(mlp({ inputSize: 1, outputSize: 1, task: 'regression', hidden: [2] }));
  await assert.rejects(lrRangeTest(model, { x: [[0], [1]], y: [0, 1] }, { minLearningRate: 1, maxLearningRate: 0.1 }), /0 < minLearningRate < maxLearningRate, got 1 and 0.1/);
});

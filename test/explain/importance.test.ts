import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { fit } from '../../src/train/fit.js';
import { Rng } from '../../src/rng.js';
import { permutationImportance } from '../../src/explain/importance.js';
import type { NumericMatrix } from '../../src/data/matrix-input.js';

/** y = 1 when 2·x3 + 0.3·x1 > 0; x2 and x4 are noise. */
function planted(n: number, seed: number): { x: NumericMatrix; y: NumericMatrix } {
  const rng = new Rng(seed);
  const x = new Float64Array(n * 4);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 4; j++) x[i * 4 + j] = rng.normal();
    y[i] = 2 * x[i * 4 + 2]! + 0.3 * x[i * 4]! > 0 ? 1 : 0;
  }
  return { x: { rows: n, cols: 4, data: x }, y: { rows: n, cols: 1, data: y } };
}

test('permutation importance on held-out data ranks the planted informative feature first', async () => {
  const train = planted(400, 1);
  const held = planted(300, 2);
  const model = new Model(mlp({ inputSize: 4, outputSize: 1, task: 'binary', hidden: [8], activation: 'tanh' }), { seed: 3 });
  await fit(model, train, { epochs: 40, batchSize: 32, optimizer: { kind: 'adam', learningRate: 0.02 }, seed: 4 });
  const imp = permutationImportance(model, held.x, held.y, { repeats: 8, seed: 5, featureNames: ['a', 'b', 'c', 'd'] });
  assert.equal(imp.score, 'accuracy');
  assert.ok(imp.baseline > 0.9, `baseline accuracy ${imp.baseline}`);
  assert.equal(imp.ranking[0], 2);
  const c = imp.features[2]!;
  assert.equal(c.name, 'c');
  assert.equal(c.rank, 1);
  assert.equal(c.drops.length, 8);
  assert.ok(c.mean > 0.3, `drop of the planted feature ${c.mean}`);
  // The noise features' drops are within a few spreads of zero.
  for (const j of [1, 3]) {
    const f = imp.features[j]!;
    assert.ok(Math.abs(f.mean) < 0.05, `noise feature ${f.name} drop ${f.mean}`);
    assert.ok(f.std >= 0);
  }
});

test('permutation importance with a prediction function needs an explicit score', () => {
  const predict = (x: NumericMatrix): NumericMatrix => ({ rows: x.rows, cols: 1, data: x.data.filter((_, i) => i % 2 === 0) });
  assert.throws(() => permutationImportance(predict, [[1, 2], [3, 4]], [[1], [3]]), /needs an explicit score/);
  const imp = permutationImportance(predict, [[1, 2], [3, 4], [5, 6]], [[1], [3], [5]], { score: 'negMse', repeats: 3 });
  assert.equal(imp.baseline, -0);
  assert.equal(imp.features[1]!.mean, 0);
  assert.ok(imp.features[0]!.mean > 0);
  assert.deepEqual(imp.ranking, [0, 1]);
});

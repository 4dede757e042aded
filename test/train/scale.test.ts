import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { fit } from '../../src/train/fit.js';
import { Rng } from '../../src/rng.js';
import { trainTestSplit } from '../../src/data/splits.js';

// Row counts far beyond what spreading into push(...) or Math.max(...) survives (~150k): nothing in
// the split, the gathers, the shuffles or the losses may depend on the row count by recursion or spreading.

test('fit holds out a stratified validation fraction of 2,000,000 rows × 4 features and trains an epoch', async () => {
  const n = 2_000_000;
  const rng = new Rng(1);
  const x = new Float32Array(n * 4);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform() * 2 - 1;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = x[i * 4]! + x[i * 4 + 1]! > 0 ? 1 : 0;
  const model = new Model(mlp({ inputSize: 4, outputSize: 1, task: 'binary', hidden: [4], dtype: 'float32' }), { seed: 1 });
  const h = await fit(model, { x: { rows: n, cols: 4, data: x }, y }, { epochs: 1, batchSize: 8192, optimizer: { kind: 'adam', learningRate: 0.05 }, validation: { fraction: 0.2 } });
  assert.equal(h.epochs.length, 1);
  assert.ok(h.epochs[0]!.valLoss! < 0.6, `validation loss ${h.epochs[0]!.valLoss}`);
  assert.deepEqual(h.classes, [0, 1]);
});

test('trainTestSplit stratifies 10,000,000 labels, each class keeping its share', () => {
  const n = 10_000_000;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = i % 10 === 0 ? 2 : i % 3;
  const s = trainTestSplit(n, new Rng(5), { testSize: 0.2, stratify: y });
  assert.equal(s.test.length, 2_000_000);
  assert.equal(s.train.length + s.test.length, n);
  const count = new Float64Array(3);
  for (let i = 0; i < s.test.length; i++) count[y[s.test[i]!]!]!++;
  const total = new Float64Array(3);
  for (let i = 0; i < n; i++) total[y[i]!]!++;
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(count[c]! - 0.2 * total[c]!) <= 1, `class ${c}: ${count[c]} of ${total[c]}`);
  for (let i = 1; i < s.test.length; i++) assert.ok(s.test[i - 1]! < s.test[i]!);
});

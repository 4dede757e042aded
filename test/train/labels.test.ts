import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { fit } from '../../src/train/fit.js';
import { loadDataset } from '../../src/data/datasets.js';
import { StandardScaler } from '../../src/data/scalers.js';
import { sortedUniqueLabels } from '../../src/data/matrix-input.js';

const net = (outputs: number, task: 'binary' | 'multiclass', inputs = 4): Model =>
  new Model(mlp({ inputSize: inputs, outputSize: outputs, task, hidden: [8], dtype: 'float64' }), { seed: 3 });
const o = { epochs: 4, batchSize: 16, optimizer: { kind: 'adam', learningRate: 0.01 }, seed: 1 } as const;

async function iris(): Promise<{ x: number[][]; labels: string[] }> {
  const d = await loadDataset('iris');
  const x = new StandardScaler().fitTransform(d.x);
  const rows = Array.from({ length: x.rows }, (_, i) => Array.from(x.data.subarray(i * x.cols, (i + 1) * x.cols)));
  return { x: rows, labels: d.y.map(String) };
}

test('multiclass fit takes string labels in any order: the same weights as one-hot rows of the sorted classes', async () => {
  const { x, labels } = await iris();
  const classes = sortedUniqueLabels(labels);
  const oneHot = labels.map((l) => classes.map((c) => (c === l ? 1 : 0)));
  const a = net(3, 'multiclass');
  const b = net(3, 'multiclass');
  const ha = await fit(a, { x, y: labels }, o);
  const hb = await fit(b, { x, y: oneHot }, o);
  assert.deepEqual(Array.from(a.getWeights()), Array.from(b.getWeights()));
  assert.deepEqual(ha.classes, classes);
  assert.deepEqual(hb.classes, [0, 1, 2]);
});

test('numeric labels are sorted numerically, not in order of appearance', async () => {
  const { x, labels } = await iris();
  const code: Record<string, number> = {};
  sortedUniqueLabels(labels).forEach((l, i) => { code[l] = [30, 4, 100][i]!; });
  const numeric = labels.map((l) => code[l]!);
  const oneHot = numeric.map((v) => [4, 30, 100].map((c) => (c === v ? 1 : 0)));
  const a = net(3, 'multiclass');
  const b = net(3, 'multiclass');
  const h = await fit(a, { x, y: Float64Array.from(numeric) }, o);
  await fit(b, { x, y: oneHot }, o);
  assert.deepEqual(h.classes, [4, 30, 100]);
  assert.deepEqual(Array.from(a.getWeights()), Array.from(b.getWeights()));
});

test('binary fit takes two labels; the second in sorted order is the positive class', async () => {
  const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const a = net(1, 'binary', 2);
  const b = net(1, 'binary', 2);
  const h = await fit(a, { x, y: ['yes', 'no', 'no', 'yes'] }, o);
  await fit(b, { x, y: [1, 0, 0, 1] }, o);
  assert.deepEqual(h.classes, ['no', 'yes']);
  assert.deepEqual(Array.from(a.getWeights()), Array.from(b.getWeights()));
  const c = net(1, 'binary', 2);
  assert.deepEqual((await fit(c, { x, y: [[1], [0], [0], [1]] }, o)).classes, [0, 1]);
});

test('a label count that does not match the output width is refused with the counts and what to build', async () => {
  const { x, labels } = await iris();
  await assert.rejects(fit(net(1, 'binary'), { x, y: labels }, o), /^Error: fit\.y: 3 distinct class labels \("setosa", "versicolor", "virginica"\) but the model has one sigmoid output \(a binary classifier: 2 classes\); build a multiclass model with 3 outputs/);
  await assert.rejects(fit(net(4, 'multiclass'), { x, y: labels }, o), /^Error: fit\.y: 3 distinct class labels .* but the model has 4 outputs \(4 classes\)/);
  const two = labels.map((l) => (l === 'setosa' ? 'a' : 'b'));
  await assert.rejects(fit(net(3, 'multiclass'), { x, y: two }, o), /2 distinct class labels \("a", "b"\) but the model has 3 outputs \(3 classes\); build a binary model \(one output\)/);
});

test('validation labels are encoded with the training classes; an unseen one is named with its row', async () => {
  const { x, labels } = await iris();
  const h = await fit(net(3, 'multiclass'), { x, y: labels }, { ...o, validation: { x: x.slice(0, 3), y: labels.slice(0, 3) } });
  assert.ok(Number.isFinite(h.epochs[0]!.valLoss!));
  await assert.rejects(
    fit(net(3, 'multiclass'), { x, y: labels }, { ...o, validation: { x: x.slice(0, 2), y: ['setosa', 'rose'] } }),
    /fit: validation\.y: row 1 has class "rose", not seen in training/,
  );
});

test('class weights and the stratified validation split work on labels', async () => {
  const { x, labels } = await iris();
  const h = await fit(net(3, 'multiclass'), { x, y: labels }, { ...o, classWeights: 'balanced', validation: { fraction: 0.2 } });
  assert.equal(h.epochs.length, 4);
  assert.ok(Number.isFinite(h.epochs[3]!.valLoss!));
});

test('a regression model refuses string targets, naming the row', async () => {
  const m = new Model(mlp({ inputSize: 1, outputSize: 1, task: 'regression', hidden: [2] }));
  await assert.rejects(fit(m, { x: [[0], [1]], y: [1, 'two'] }, o), /fit\.y: row 1 is the string "two"; a regression target must be a number/);
});

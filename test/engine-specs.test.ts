import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradCheck } from '../src/gradcheck.js';
import { Model } from '../src/graph/model.js';
import { huberLoss, LOSSES } from '../src/losses.js';
import { modelFromFile, modelToFile } from '../src/io/model-file.js';
import type { ModelSpec } from '../src/spec.js';

const x = [[0.5, -1], [1.5, 0.25], [-0.7, 0.9]];

test('a dense layer on a dead branch is refused with its name and why', () => {
  const spec: ModelSpec = {
    inputSize: 2, loss: 'mse', layers: [
      { kind: 'dense', name: 'h', units: 3, activation: 'tanh' },
      { kind: 'dense', name: 'side', inputs: ['input'], units: 2 },
      { kind: 'dense', name: 'out', inputs: ['h'], units: 1 },
    ],
  };
  assert.throws(() => new Model(spec), /layer 'side' \(dense, feeds no layer\) does not lead to the output 'out', so it could never be trained/);
});

test('a layer feeding only another dead layer is named with its consumer', () => {
  const spec: ModelSpec = {
    inputSize: 2, loss: 'mse', layers: [
      { kind: 'dense', name: 'a', units: 2 },
      { kind: 'dense', name: 'b', inputs: ['a'], units: 2 },
      { kind: 'dense', name: 'out', inputs: ['input'], units: 1 },
    ],
  };
  assert.throws(() => new Model(spec), /layers 'a' \(dense, feeds only 'b', which does not reach the output either\); 'b' \(dense, feeds no layer\) do not lead to the output 'out'/);
});

test('an output naming an inner layer is refused, naming the layers after it', () => {
  const spec: ModelSpec = {
    inputSize: 2, loss: 'mse', output: 'h',
    layers: [{ kind: 'dense', name: 'h', units: 3, activation: 'tanh' }, { kind: 'dense', name: 'out', units: 1 }],
  };
  assert.throws(() => new Model(spec), /layer 'out' \(dense, feeds no layer\) does not lead to the output 'h'.*output is 'h', an inner layer/);
});

test('a tied weight under L1 and L2 is one parameter: its penalty counts once in the loss and the gradient', () => {
  const spec: ModelSpec = {
    inputSize: 2, loss: 'mse', dtype: 'float64', l1: 0.05, l2: 0.1,
    layers: [{ kind: 'dense', name: 'h', units: 3, activation: 'tanh' }, { kind: 'dense', name: 'out', units: 1 }],
    ties: [[{ layer: 'h', row: 0, col: 0 }, { layer: 'h', row: 1, col: 2 }, { layer: 'out', row: 1, col: 0 }]],
  };
  const m = new Model(spec, { seed: 3 });
  const r = gradCheck(m, x, [[1], [0], [-1]], { mode: 'eval' });
  assert.ok(r.maxRelError < 1e-8, `worst ${r.worst?.where}: ${r.maxRelError}`);
  // The penalty value: every weight once, the tied value once (not three times).
  const w = m.getWeights();
  const W = [...m.param('h', 'W').value.a, ...m.param('out', 'W').value.a];
  const tied = m.param('h', 'W').value.a[0]!;
  const expected = W.reduce((s, v) => s + 0.1 * v * v + 0.05 * Math.abs(v), 0) - 2 * (0.1 * tied * tied + 0.05 * Math.abs(tied));
  m.forward(x);
  const withPenalty = m.loss([[1], [0], [-1]]);
  assert.ok(Math.abs(withPenalty - m.dataLoss() - expected) < 1e-12);
  assert.equal(w.length, m.parameterCount);
});

test('tied weights in layers with different penalties are refused', () => {
  const spec: ModelSpec = {
    inputSize: 2, loss: 'mse', l2: 0.1,
    layers: [{ kind: 'dense', name: 'h', units: 2, l2: 0 }, { kind: 'dense', name: 'out', units: 1 }],
    ties: [[{ layer: 'h', row: 0, col: 0 }, { layer: 'out', row: 0, col: 0 }]],
  };
  assert.throws(() => new Model(spec), /ties\[0\]: a tied weight is one parameter with one penalty, but 'h' has l1 0, l2 0 and 'out' has l1 0, l2 0\.1/);
});

test("huber's delta: quadratic within δ, linear beyond, and the default is 1", () => {
  const Y = new Float64Array([0, 0]);
  const h = huberLoss(0.5);
  // r = 0.4 ≤ δ: ½r² = 0.08; r = 2 > δ: δ(|r| − ½δ) = 0.875; mean over 2.
  assert.ok(Math.abs(h.value(new Float64Array([0.4, 2]), Y, Y, 2, 1) - (0.08 + 0.875) / 2) < 1e-15);
  assert.equal(LOSSES.huber.value(new Float64Array([3, 0]), Y, Y, 2, 1), 1.25);
});

test("huber's delta from the spec passes the gradient check on both sides of δ", () => {
  for (const delta of [0.2, 3]) {
    const m = new Model({
      inputSize: 2, loss: { name: 'huber', delta }, dtype: 'float64',
      layers: [{ kind: 'dense', units: 4, activation: 'tanh' }, { kind: 'dense', units: 2 }],
    }, { seed: 1 });
    const r = gradCheck(m, x, [[1, -2], [0.1, 0.5], [-1, 2]], { mode: 'eval' });
    assert.ok(r.checked > 20 && r.maxRelError < 1e-8, `delta ${delta}: ${r.worst?.where} ${r.maxRelError}`);
  }
});

test("huber's delta is validated where the spec is", () => {
  const base = { inputSize: 2, layers: [{ kind: 'dense' as const, units: 1 }] };
  assert.throws(() => new Model({ ...base, loss: { name: 'huber', delta: 0 } }), /model spec: loss: huber delta must be a finite number > 0, got 0/);
  const misspelt: unknown = { ...base, loss: { name: 'huber', detla: 1 } };
  assert.throws(() => new Model(misspelt as ModelSpec), /loss 'huber' has no option 'detla'; its options: delta/);
  const extra: unknown = { ...base, loss: { name: 'mse', delta: 1 } };
  assert.throws(() => new Model(extra as ModelSpec), /loss 'mse' has no option 'delta' \(it takes none\)/);
});

test("huber's delta survives the model file", () => {
  const m = new Model({ inputSize: 2, loss: { name: 'huber', delta: 0.25 }, layers: [{ kind: 'dense', units: 1 }] });
  const back = modelFromFile(JSON.stringify(modelToFile(m)));
  assert.deepEqual(back.spec.loss, { name: 'huber', delta: 0.25 });
  back.forward([[0, 0]]);
  const b = back.param('dense0', 'b').value.a[0]!;
  // One row, residual b − 10 far beyond δ: δ(|r| − ½δ).
  assert.ok(Math.abs(back.loss([[10]]) - 0.25 * (Math.abs(b - 10) - 0.125)) < 1e-5);
});

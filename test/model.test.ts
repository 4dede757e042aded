import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../src/graph/model.js';
import { mlp } from '../src/graph/builders.js';
import type { ModelSpec } from '../src/spec.js';
import { Rng } from '../src/rng.js';
import { ACTIVATIONS } from '../src/activations.js';

const small: ModelSpec = { inputSize: 2, layers: [{ kind: 'dense', name: 'h', units: 3, activation: 'tanh' }, { kind: 'dense', name: 'out', units: 1 }], loss: 'mse' };

test('forward gives one output row per input row', () => {
  const out = new Model(small).forward([[1, 2], [3, 4], [5, 6]]);
  assert.equal(out.rows, 3);
  assert.equal(out.cols, 1);
  assert.equal(out.data.length, 3);
});

test('predict over more rows than the compiled batch equals a single big forward', () => {
  const a = new Model(small, { seed: 3, maxBatch: 4 });
  const b = new Model(small, { seed: 3, maxBatch: 64 });
  const rng = new Rng(1);
  const x = Array.from({ length: 23 }, () => [rng.normal(), rng.normal()]);
  assert.deepEqual(Array.from(a.predict(x).data), Array.from(b.forward(x).data));
});

test('a model with inputs of the wrong width fails naming the expected and given widths', () => {
  assert.throws(() => new Model(small).forward([[1, 2, 3]]), /x: row 0 has 3 values, expected 2/);
});

test('NaN or Infinity in the inputs fails naming row and column', () => {
  assert.throws(() => new Model(small).forward([[1, 2], [3, NaN]]), /x: row 1, column 1 is NaN; every value must be a finite number/);
  assert.throws(() => new Model(small).forward({ rows: 1, cols: 2, data: Float32Array.from([1, Infinity]) }), /x: row 0, column 1 is Infinity/);
});

test('predict finds a value that is not finite in any block of a large float32 table (checked as it is copied), naming its cell', () => {
  const model = new Model(small);
  const rows = 2500;
  const data = Float32Array.from({ length: rows * 2 }, (_, i) => (i % 7) / 7);
  assert.equal(model.predict({ rows, cols: 2, data }).rows, rows);
  for (const [row, col, v, shown] of [[0, 0, NaN, 'NaN'], [1500, 1, -Infinity, '-Infinity'], [rows - 1, 1, Infinity, 'Infinity']] as const) {
    const bad = Float32Array.from(data);
    bad[row * 2 + col] = v;
    assert.throws(() => model.predict({ rows, cols: 2, data: bad }), new RegExp(`x: row ${row}, column ${col} is ${shown}; every value must be a finite number`));
    assert.throws(() => model.forward({ rows, cols: 2, data: bad }), new RegExp(`x: row ${row}, column ${col} is ${shown}`));
  }
  // A float64 table is converted, and checked in full, before any copy.
  const wide = Float64Array.from(data);
  wide[3] = NaN;
  assert.throws(() => model.predict({ rows, cols: 2, data: wide }), /x: row 1, column 1 is NaN/);
});

test('ragged rows fail naming the row', () => {
  assert.throws(() => new Model(small).forward([[1, 2], [3]]), /x: row 1 has 1 values, expected 2 as in row 0/);
});

test('an unknown activation fails naming the layer', () => {
  const spec = { ...small, layers: [{ kind: 'dense', name: 'h', units: 3, activation: 'swish2' }] } as unknown as ModelSpec;
  assert.throws(() => new Model(spec), /layer 'h' \(dense\): unknown activation 'swish2'/);
});

test('a cycle in the graph fails and shows the cycle', () => {
  const spec: ModelSpec = {
    inputSize: 2, loss: 'mse',
    layers: [
      { kind: 'dense', name: 'a', inputs: ['c'], units: 2 },
      { kind: 'dense', name: 'b', inputs: ['a'], units: 2 },
      { kind: 'add', name: 'c', inputs: ['b', 'input'] },
    ],
  };
  assert.throws(() => new Model(spec), /cycle: a → c → b → a|cycle: .*a.*b.*c/);
});

test('an input that is not a layer fails naming it and listing the layers', () => {
  const spec: ModelSpec = { inputSize: 2, loss: 'mse', layers: [{ kind: 'dense', name: 'a', inputs: ['nope'], units: 2 }] };
  assert.throws(() => new Model(spec), /layer 'a': input 'nope' is not a layer of this model \(layers: input, a\)/);
});

test('a mask of the wrong size fails naming the layer and the expected shape', () => {
  const spec: ModelSpec = { inputSize: 2, loss: 'mse', layers: [{ kind: 'dense', name: 'm', units: 2, mask: [[1, 0], [1, 1], [0, 1]] }] };
  assert.throws(() => new Model(spec), /layer 'm' \(dense\): mask must have 2 rows \(one per input\), got 3/);
});

test('tying weights of different shapes fails naming both layers and shapes', () => {
  const spec: ModelSpec = {
    inputSize: 2, loss: 'mse',
    layers: [
      { kind: 'dense', name: 'a', units: 3 },
      { kind: 'dense', name: 'b', units: 2, shareWeightsWith: 'a' },
    ],
  };
  assert.throws(() => new Model(spec), /cannot tie weights with 'a': shapes differ \(3×2 here, 2×3 there\)/);
});

test('adding layers of different widths fails naming the inputs and widths', () => {
  const spec: ModelSpec = {
    inputSize: 2, loss: 'mse',
    layers: [{ kind: 'dense', name: 'a', units: 3 }, { kind: 'add', name: 's', inputs: ['a', 'input'] }],
  };
  assert.throws(() => new Model(spec), /all inputs must have the same width to be added, got a: 3, input: 2/);
});

test('a trainable model with a step activation fails naming the layer and why', () => {
  const spec: ModelSpec = { inputSize: 2, loss: 'mse', layers: [{ kind: 'dense', name: 'perceptron', units: 1, activation: 'step' }] };
  assert.throws(() => new Model(spec), /layer 'perceptron' \(dense\): activation 'step' has derivative 0 almost everywhere/);
  const m = new Model(spec, { trainable: false });
  m.param('perceptron', 'W').value.a.set([1, 1]);
  m.param('perceptron', 'b').value.a.set([-1.5]);
  assert.deepEqual(Array.from(m.forward([[0, 0], [1, 0], [1, 1]]).data), [0, 0, 1]);
  m.loss([[0], [0], [1]]);
  assert.throws(() => m.backward(), /trainable: false/);
});

test('cross-entropy needs the matching output activation', () => {
  const spec: ModelSpec = { inputSize: 2, loss: 'categoricalCrossEntropy', layers: [{ kind: 'dense', name: 'out', units: 3, activation: 'sigmoid' }] };
  assert.throws(() => new Model(spec), /loss 'categoricalCrossEntropy' needs a softmax output, but the output layer 'out' has activation 'sigmoid'/);
});

test('masked connections stay exactly zero through training', () => {
  const mask = [[1, 0], [0, 1]];
  const m = new Model({ inputSize: 2, loss: 'mse', layers: [{ kind: 'dense', name: 'h', units: 2, mask, activation: 'tanh' }, { kind: 'dense', units: 1 }] }, { seed: 2 });
  for (let t = 0; t < 5; t++) {
    m.forward([[1, 2], [-1, 0.5]], { mode: 'train' });
    m.loss([[1], [0]]);
    m.zeroGrad();
    m.backward();
    const w = m.paramBuffer.a;
    const g = m.gradBuffer.a;
    for (let i = 0; i < w.length; i++) w[i]! -= 0.5 * g[i]!;
    m.applyConstraints();
  }
  const W = m.param('h', 'W').value.a;
  assert.ok(W[1] === 0);
  assert.ok(W[2] === 0);
  assert.notEqual(W[0], 0);
});

test('non-negative weights are projected onto w ≥ 0', () => {
  const m = new Model({ inputSize: 2, loss: 'mse', layers: [{ kind: 'dense', name: 'h', units: 4, nonNegative: true }] }, { seed: 1 });
  const W = m.param('h', 'W').value.a;
  assert.ok(Array.from(W).every((v) => v >= 0));
  W[0] = -3;
  m.applyConstraints();
  assert.equal(W[0], 0);
});

test('max-norm rescales each unit\'s incoming weights', () => {
  const m = new Model({ inputSize: 2, loss: 'mse', layers: [{ kind: 'dense', name: 'h', units: 1, maxNorm: 1 }] });
  m.param('h', 'W').value.a.set([3, 4]);
  m.applyConstraints();
  const [a, b] = Array.from(m.param('h', 'W').value.a);
  assert.ok(Math.abs(a! - 0.6) < 1e-6 && Math.abs(b! - 0.8) < 1e-6);
});

test('a shared weight matrix is one tensor: one parameter block, gradient summed over both uses', () => {
  const spec: ModelSpec = {
    inputSize: 2, loss: 'mse', dtype: 'float64',
    layers: [
      { kind: 'dense', name: 'a', units: 2, activation: 'tanh' },
      { kind: 'dense', name: 'b', units: 2, shareWeightsWith: 'a' },
    ],
  };
  const m = new Model(spec);
  assert.equal(m.parameterCount, 4 + 2 + 2);
  assert.equal(m.param('a', 'W').value, m.param('b', 'W').value);
});

test('tied individual weights start equal and stay equal', () => {
  const m = new Model({
    inputSize: 2, loss: 'mse', layers: [{ kind: 'dense', name: 'h', units: 2, activation: 'tanh' }, { kind: 'dense', name: 'o', units: 1 }],
    ties: [[{ layer: 'h', row: 0, col: 0 }, { layer: 'o', row: 1, col: 0 }]],
  }, { seed: 5 });
  const check = (): void => assert.equal(m.param('h', 'W').value.a[0], m.param('o', 'W').value.a[1]);
  check();
  for (let t = 0; t < 3; t++) {
    m.forward([[1, 2]], { mode: 'train' });
    m.loss([[3]]);
    m.zeroGrad();
    m.backward();
    for (let i = 0; i < m.paramBuffer.length; i++) m.paramBuffer.a[i]! -= 0.1 * m.gradBuffer.a[i]!;
    m.applyConstraints();
    check();
  }
});

test('a tie that names a missing layer or an out-of-range weight fails clearly', () => {
  const base = { inputSize: 2, loss: 'mse' as const, layers: [{ kind: 'dense' as const, name: 'h', units: 2 }] };
  assert.throws(() => new Model({ ...base, ties: [[{ layer: 'h', row: 0, col: 0 }, { layer: 'zz', row: 0, col: 0 }]] }), /'zz' is not a dense layer/);
  assert.throws(() => new Model({ ...base, ties: [[{ layer: 'h', row: 0, col: 0 }, { layer: 'h', row: 5, col: 0 }]] }), /row must be an integer in \[0, 2\)/);
});

test('dropout is inverted: in training kept units are scaled by 1/(1 − rate); in inference it is the identity', () => {
  const m = new Model({ inputSize: 1000, loss: 'mse', layers: [{ kind: 'dropout', name: 'd', rate: 0.5 }] });
  const x = [new Array<number>(1000).fill(1)];
  const train = Array.from(m.forward(x, { mode: 'train', rng: new Rng(1) }).data);
  assert.ok(train.every((v) => v === 0 || v === 2));
  const kept = train.filter((v) => v === 2).length;
  assert.ok(kept > 430 && kept < 570, `kept ${kept}`);
  assert.ok(Array.from(m.forward(x).data).every((v) => v === 1));
});

test('batch norm normalizes in training and uses running averages in inference', () => {
  const m = new Model({ inputSize: 1, loss: 'mse', dtype: 'float64', layers: [{ kind: 'batchNorm', name: 'bn', momentum: 0 }] });
  const out = Array.from(m.forward([[1], [2], [3], [4]], { mode: 'train' }).data);
  const mean = out.reduce((a, b) => a + b) / 4;
  const v = out.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
  assert.ok(Math.abs(mean) < 1e-12 && Math.abs(v - 1) < 1e-4);
  // momentum 0: running mean 2.5, running (unbiased) variance 5/3.
  const inf = m.forward([[2.5], [2.5 + Math.sqrt(5 / 3)]]).data;
  assert.ok(Math.abs(inf[0]!) < 1e-12 && Math.abs(inf[1]! - 1) < 1e-5);
});

test('summary lists every node with its parameter count and a total', () => {
  const s = new Model(mlp({ inputSize: 784, outputSize: 10, task: 'multiclass', hidden: [128], activation: 'relu' })).summary();
  assert.match(s, /dense\(784 => 128, relu\)\s+100,480 params/);
  assert.match(s, /total 101,770 trainable parameters/);
});

test('mlp places batch norm before or after the non-linearity as asked', () => {
  const before = mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [4], batchNorm: 'before' }).layers.map((l) => l.kind);
  const after = mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [4], batchNorm: 'after' }).layers.map((l) => l.kind);
  assert.deepEqual(before, ['dense', 'batchNorm', 'activation', 'dense']);
  assert.deepEqual(after, ['dense', 'batchNorm', 'dense']);
});

test('float32 and float64 models with the same seed compute the same outputs to float32 precision', () => {
  const a = new Model({ ...small, dtype: 'float32' }, { seed: 8 });
  const b = new Model({ ...small, dtype: 'float64' }, { seed: 8 });
  b.setWeights(a.getWeights());
  const x = [[0.3, -0.7], [1.1, 0.2]];
  const ya = a.forward(x).data;
  const yb = b.forward(x).data;
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(ya[i]! - yb[i]!) < 1e-6);
});

test('meanAbsDerivatives: mean |f′(I)| of the last batch per layer, as each activation\'s own derivative gives it (uniform, per-unit, softmax)', () => {
  const names = ['tanh', 'relu', 'sigmoid', 'gelu', 'elu', 'tanh'] as const;
  const spec: ModelSpec = {
    inputSize: 4, loss: 'categoricalCrossEntropy',
    layers: [
      { kind: 'dense', name: 'mixed', units: names.length, activation: [...names] },
      { kind: 'dense', name: 'squash', units: 5, activation: 'sigmoid' },
      { kind: 'dense', name: 'out', units: 3, activation: 'softmax' },
    ],
  };
  const model = new Model(spec, { seed: 4 });
  const rng = new Rng(5);
  const rows = 37;
  model.forward(Array.from({ length: rows }, () => [rng.normal() * 2, rng.normal(), rng.normal(), rng.normal()]));
  const want = (layer: string, df: (j: number, i: number, o: number) => number): number => {
    const n = model.node(layer);
    const I = n.activation!.I.a; const O = n.O.a; const w = n.width;
    let s = 0;
    for (let r = 0; r < rows; r++) for (let j = 0; j < w; j++) s += Math.abs(df(j, I[r * w + j]!, O[r * w + j]!));
    return s / (rows * w);
  };
  const expected = {
    mixed: want('mixed', (j, i, o) => ACTIVATIONS[names[j]!].df(i, o)),
    squash: want('squash', (_, i, o) => ACTIVATIONS.sigmoid.df(i, o)),
    out: want('out', (_, _i, o) => o * (1 - o)),
  };
  const got = model.meanAbsDerivatives();
  assert.deepEqual(got.map((d) => d.layer), ['mixed', 'squash', 'out']);
  for (const d of got) {
    const e = expected[d.layer as keyof typeof expected];
    assert.ok(e > 0.01 && Math.abs(d.value - e) <= 1e-6 * e, `${d.layer}: ${d.value} vs ${e}`);
  }
  // The scratch is given back: a second call grows nothing and gives the same values.
  const used = model.arena.used;
  assert.deepEqual(model.meanAbsDerivatives(), got);
  assert.equal(model.arena.used, used);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Rng } from '../../src/rng.js';
import { exportOnnx, importOnnx, modelFromOnnx } from '../../src/onnx.js';
import { AttrType, DataType, encodeModel, type NodeData, type TensorData, type ValueInfoData } from '../../src/io/onnx/proto.js';
import { activationZoo, buildTrained, randomMatrix, zoo } from './zoo.js';

const FIXTURES = new URL('../fixtures/onnx/', import.meta.url);

function fixture(name: string): { bytes: Uint8Array; x: number[][]; y: number[][] } {
  const bytes = new Uint8Array(readFileSync(new URL(`${name}.onnx`, FIXTURES)));
  const { x, y } = JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as { x: number[][]; y: number[][] };
  return { bytes, x, y };
}

function assertClose(actual: ArrayLike<number>, expected: readonly number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol * Math.max(1, Math.abs(expected[i]!)), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

for (const name of ['torch_relu_tanh_softmax', 'torch_sigmoid_binary', 'torch_activation_zoo', 'torch_gelu']) {
  test(`an MLP exported by PyTorch (${name}) imports and predicts as PyTorch did`, () => {
    const { bytes, x, y } = fixture(name);
    const model = modelFromOnnx(bytes);
    assertClose(model.predict(x).data, y.flat(), 1e-5, name);
  });
}

test('the PyTorch imports have the layers and losses their outputs call for', () => {
  const soft = importOnnx(fixture('torch_relu_tanh_softmax').bytes);
  assert.equal(soft.spec.loss, 'categoricalCrossEntropy');
  assert.deepEqual(soft.spec.layers.map((l) => [l.kind, l.kind === 'dense' ? l.activation : null]), [
    ['dense', 'relu'], ['dense', 'tanh'], ['dense', 'softmax'],
  ]);
  assert.equal(soft.producer, 'pytorch 1.13.0');
  assert.equal(importOnnx(fixture('torch_sigmoid_binary').bytes).spec.loss, 'binaryCrossEntropy');
  const zooSpec = importOnnx(fixture('torch_activation_zoo').bytes).spec;
  assert.deepEqual(zooSpec.layers.map((l) => (l.kind === 'dense' ? `${l.activation ?? 'identity'}${l.useBias === false ? ' (no bias)' : ''}` : l.kind)), [
    'leakyRelu', 'elu (no bias)', 'identity', 'batchNorm', 'activation', 'softplus', 'silu', 'hardSigmoid', 'mish', 'identity',
  ]);
});

test('an imported model keeps training: a few gradient steps lower its loss', () => {
  const { bytes, x, y } = fixture('torch_relu_tanh_softmax');
  const model = modelFromOnnx(bytes);
  const targets = y.map((row) => { const k = row.indexOf(Math.min(...row)); return row.map((_, j) => (j === k ? 1 : 0)); });
  const lossAt = (): number => { model.forward(x); return model.loss(targets); };
  const before = lossAt();
  for (let t = 0; t < 20; t++) {
    model.forward(x, { mode: 'train' });
    model.loss(targets);
    model.zeroGrad();
    model.backward();
    const w = model.paramBuffer.a;
    for (let i = 0; i < w.length; i++) w[i]! -= 0.5 * model.gradBuffer.a[i]!;
  }
  assert.ok(lossAt() < 0.5 * before, `loss ${before} → ${lossAt()}`);
});

test('a graph with unsupported operators fails with one error listing all of them', () => {
  assert.throws(() => importOnnx(fixture('torch_unsupported').bytes), /unsupported operators on the path to 'y': Abs, Clip\. mlpkit reads MLPs/);
});

test('an unsupported activation parameter is named in the error', () => {
  const bytes = denseGraph([{ opType: 'LeakyRelu', input: ['h'], output: ['y'], attribute: [{ name: 'alpha', type: AttrType.FLOAT, f: 0.2 }] }]);
  assert.throws(() => importOnnx(bytes), /LeakyRelu 'y': mlpkit's leakyRelu has slope 0\.01, this one 0\.2/);
});

const W1 = [[0.5, -1, 0.25], [1.5, 0.5, -0.5]]; // 2 inputs × 3 units (skl2onnx stores coefs_ as inputs × units)
const B1 = [0.1, -0.2, 0.3];
const W2 = [[1, -1], [0.5, 0.25], [-0.75, 2]];
const B2 = [0.05, -0.05];

function floats(name: string, rows: number[][] | number[]): TensorData {
  const flat = rows.flat();
  const dims = Array.isArray(rows[0]) ? [rows.length, (rows[0] as number[]).length] : [rows.length];
  return { name, dims, dataType: DataType.FLOAT, floatData: flat };
}

/** An MLP laid out as skl2onnx lays out MLPClassifier: MatMul + Add, Relu, MatMul + Add, then `tail`. */
function denseGraph(tail: NodeData[], outputs: ValueInfoData[] = [{ name: 'y', elemType: DataType.FLOAT, shape: ['N', 2] as (number | string)[] }]): Uint8Array {
  return encodeModel({
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }, { domain: 'ai.onnx.ml', version: 1 }], producerName: 'skl2onnx',
    graph: {
      name: 'mlp',
      initializer: [floats('coefficient', W1), floats('intercepts', B1), floats('coefficient1', W2), floats('intercepts1', B2)],
      input: [{ name: 'X', elemType: DataType.FLOAT, shape: ['N', 2] }],
      output: outputs,
      node: [
        { opType: 'MatMul', input: ['X', 'coefficient'], output: ['mul_result'] },
        { opType: 'Add', input: ['mul_result', 'intercepts'], output: ['add_result'] },
        { opType: 'Relu', input: ['add_result'], output: ['next_activations'] },
        { opType: 'MatMul', input: ['next_activations', 'coefficient1'], output: ['mul_result1'] },
        { opType: 'Add', input: ['mul_result1', 'intercepts1'], output: ['h'] },
        ...tail,
      ],
    },
  });
}

function reference(x: number[]): number[] {
  const h = B1.map((b, j) => Math.max(0, b + x[0]! * W1[0]![j]! + x[1]! * W1[1]![j]!));
  const o = B2.map((b, k) => b + h.reduce((s, v, j) => s + v * W2[j]![k]!, 0));
  const e = o.map(Math.exp);
  return e.map((v) => v / (e[0]! + e[1]!));
}

test('an MLPClassifier graph in the scikit-learn layout imports from its probabilities output', () => {
  const bytes = denseGraph([
    { opType: 'Softmax', input: ['h'], output: ['probabilities'], attribute: [{ name: 'axis', type: AttrType.INT, i: 1 }] },
    { opType: 'ArgMax', input: ['probabilities'], output: ['label'], attribute: [{ name: 'axis', type: AttrType.INT, i: 1 }] },
  ], [{ name: 'label', elemType: DataType.INT64, shape: ['N'] }, { name: 'probabilities', elemType: DataType.FLOAT, shape: ['N', 2] }]);
  const imported = importOnnx(bytes);
  assert.equal(imported.outputName, 'probabilities');
  assert.deepEqual(imported.spec.layers.map((l) => (l.kind === 'dense' ? l.activation : l.kind)), ['relu', 'softmax']);
  const model = modelFromOnnx(bytes);
  const x = [[0.3, -1.2], [2, 0.5], [-1, -1]];
  assertClose(model.predict(x).data, x.flatMap(reference), 1e-6, 'probabilities');
  assert.throws(() => importOnnx(bytes, { output: 'label' }), /unsupported operators on the path to 'label': ArgMax/);
});

test('a model exported by mlpkit imports back with the same predictions', () => {
  const supported = [...zoo().slice(3), ...activationZoo().filter((e) => ['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'softplus', 'softsign', 'mish', 'silu', 'leakyRelu', 'hardSigmoid', 'sin', 'softmax', 'identity'].includes(e.name))];
  for (const entry of supported) {
    const model = buildTrained(entry.spec, 5);
    const x = randomMatrix(12, model.inputSize, new Rng(2));
    const back = modelFromOnnx(exportOnnx(model));
    assertClose(back.predict(x).data, Array.from(model.predict(x).data), 1e-5, entry.name);
  }
});

test('PyTorch\'s GELU (Div, Erf, Add, Mul, Mul before opset 20) imports as one gelu activation', () => {
  const spec = importOnnx(fixture('torch_gelu').bytes).spec;
  assert.deepEqual(spec.layers.map((l) => (l.kind === 'dense' ? l.activation ?? 'identity' : l.kind)), ['gelu', 'gelu', 'identity']);
});

test('every graph mlpkit exports imports back: export → import → predict equal within 1e-6 (every layer kind, every activation, per-unit groups)', () => {
  for (const entry of [...zoo(), ...activationZoo()]) {
    const model = buildTrained(entry.spec, 5);
    const x = randomMatrix(16, model.inputSize, new Rng(2), 2);
    const back = modelFromOnnx(exportOnnx(model));
    assertClose(back.predict(x).data, Array.from(model.predict(x).data), 1e-6, entry.name);
  }
});

test('bytes that are not ONNX are refused clearly', () => {
  assert.throws(() => importOnnx(new TextEncoder().encode('{"format": "mlpkit-model"}')), /not an ONNX model/);
});

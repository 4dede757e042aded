import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/rng.js';
import { bytesToBase64, base64ToBytes, decodeFloats, encodeFloats } from '../../src/io/base64.js';
import { modelFromFile, modelToFile, parseModelFile, type ModelFile } from '../../src/io/model-file.js';
import { activationZoo, bitsEqual, buildTrained, randomMatrix, zoo } from './zoo.js';

test('base64 encoding matches the standard alphabet and padding and decodes back', () => {
  const text = new TextEncoder().encode('mlpkit: many layers!');
  for (let n = 0; n <= text.length; n++) {
    const bytes = text.subarray(0, n);
    const b64 = bytesToBase64(bytes);
    assert.equal(b64, Buffer.from(bytes).toString('base64'));
    assert.deepEqual(base64ToBytes(b64), Uint8Array.from(bytes));
  }
});

test('base64 decoding rejects characters outside the alphabet and naming the field', () => {
  assert.throws(() => base64ToBytes('AB*D', '$.weights.base64'), /\$\.weights\.base64: invalid base64 character "\*" at offset 2/);
  assert.throws(() => base64ToBytes('ABC', 'w'), /w: base64 length must be a multiple of 4/);
});

test('floats round-trip bit for bit through base64, including signed zero and subnormals', () => {
  const v64 = new Float64Array([0, -0, 1e-310, Math.PI, -1e300, 5e-324]);
  assert.ok(bitsEqual(decodeFloats(encodeFloats(v64, 'float64'), 'float64'), v64));
  const v32 = new Float32Array([0, -0, 1e-40, Math.PI, -3e38]);
  assert.ok(bitsEqual(decodeFloats(encodeFloats(v32, 'float32'), 'float32'), v32));
});

for (const dtype of ['float32', 'float64'] as const) {
  for (const entry of [...zoo(dtype), ...activationZoo(dtype)]) {
    test(`save → JSON → load → predict is bit-identical (${dtype}): ${entry.name}`, () => {
      const model = buildTrained(entry.spec, 3);
      const x = randomMatrix(9, model.inputSize, new Rng(5));
      const before = model.predict(x).data;
      const text = JSON.stringify(modelToFile(model));
      const loaded = modelFromFile(JSON.parse(text));
      assert.ok(bitsEqual(loaded.getWeights(), model.getWeights()));
      assert.ok(bitsEqual(loaded.getState(), model.getState()));
      assert.ok(bitsEqual(loaded.predict(x).data, before));
      assert.equal(loaded.dtype, dtype);
    });
  }
}

test('a loaded model keeps training exactly like the original', () => {
  const spec = zoo()[4]!.spec;
  const a = buildTrained(spec, 2);
  const b = modelFromFile(modelToFile(a));
  const rng = new Rng(9);
  const x = randomMatrix(8, 3, rng);
  const y = { rows: 8, cols: 3, data: new Float32Array(24).map((_, i) => (i % 3 === (i >> 3) % 3 ? 1 : 0)) };
  for (const m of [a, b]) {
    for (let t = 0; t < 3; t++) {
      m.forward(x, { mode: 'train', rng: new Rng(t) });
      m.loss(y);
      m.zeroGrad();
      m.backward();
      const w = m.paramBuffer.a;
      for (let i = 0; i < w.length; i++) w[i]! -= 0.1 * m.gradBuffer.a[i]!;
      m.applyConstraints();
    }
  }
  assert.ok(bitsEqual(a.getWeights(), b.getWeights()));
  assert.ok(bitsEqual(a.getState(), b.getState()));
});

test('the file carries task, classes and open preprocessing and training sections', () => {
  const model = buildTrained(zoo()[4]!.spec);
  const file = modelToFile(model, {
    task: 'multiclass', classes: ['setosa', 'versicolor', 'virginica'],
    preprocessing: { scaler: { kind: 'standard', withMean: true, withStd: true, mean: [1, 2, 3], scale: [1, 1, 2] } },
    training: { epochs: 12, optimizer: { kind: 'adam', learningRate: 0.01 } },
  });
  const back = parseModelFile(JSON.stringify(file));
  assert.deepEqual(back.classes, ['setosa', 'versicolor', 'virginica']);
  assert.equal(back.task, 'multiclass');
  assert.deepEqual(back.preprocessing, file.preprocessing);
  assert.deepEqual(back.training, { epochs: 12, optimizer: { kind: 'adam', learningRate: 0.01 } });
  assert.equal(back.format, 'mlpkit-model');
  assert.equal(back.version, 2);
});

function validFile(): ModelFile {
  return modelToFile(buildTrained(zoo()[0]!.spec));
}

/** A copy of the valid file with one field changed (by a JSON path of keys and indices). */
function mutate(path: readonly (string | number)[], value: unknown): unknown {
  const root: unknown = JSON.parse(JSON.stringify(validFile()));
  let o = root as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete o[last];
  else o[last] = value;
  return root;
}

const BAD: readonly [string, readonly (string | number)[], unknown, RegExp][] = [
  ['a wrong format tag', ['format'], 'keras', /\$\.format: expected "mlpkit-model", got "keras"/],
  ['a newer version', ['version'], 3, /\$\.version: this file has format version 3, newer than/],
  ['a missing version', ['version'], undefined, /\$\.version: expected 1…2, got nothing/],
  ['an unknown top-level field', ['wieghts'], {}, /\$\.wieghts: unknown field/],
  ['a missing spec', ['spec'], undefined, /\$\.spec: expected an object, got nothing/],
  ['a zero inputSize', ['spec', 'inputSize'], 0, /\$\.spec\.inputSize: expected an integer ≥ 1, got 0/],
  ['an unknown loss', ['spec', 'loss'], 'hinge', /\$\.spec\.loss: expected one of .*got "hinge"/],
  ['an unknown layer kind', ['spec', 'layers', 1, 'kind'], 'conv', /\$\.spec\.layers\[1\]\.kind: expected one of/],
  ['a misspelt layer field', ['spec', 'layers', 0, 'unit'], 4, /\$\.spec\.layers\[0\]\.unit: unknown field; expected one of kind, name, inputs, units/],
  ['units as a string', ['spec', 'layers', 1, 'units'], '2', /\$\.spec\.layers\[1\]\.units: expected an integer ≥ 1, got "2"/],
  ['an unknown activation', ['spec', 'layers', 0, 'activation'], 'swish', /\$\.spec\.layers\[0\]\.activation: expected one of/],
  ['a mask entry that is not 0/1', ['spec', 'layers', 0, 'mask', 2, 1], 0.5, /\$\.spec\.layers\[0\]\.mask\[2\]\[1\]: expected 0 or 1, got 0\.5/],
  ['a mask of the wrong shape', ['spec', 'layers', 0, 'mask'], [[1, 1, 1, 1]], /\$\.spec: layer 'h' \(dense\): mask must have 3 rows/],
  ['a tie reference with a negative row', ['spec', 'ties'], [[{ layer: 'h', row: -1, col: 0 }]], /\$\.spec\.ties\[0\]\[0\]\.row: expected an integer ≥ 0/],
  ['weights of another dtype', ['weights', 'dtype'], 'float64', /\$\.weights\.dtype: is float64 but the spec's dtype is float32/],
  ['a truncated weight buffer', ['weights', 'base64'], 'AAAAAAAA', /\$\.weights\.base64: holds 6 bytes, expected \d+ float32 values/],
  ['a state length that disagrees with its bytes', ['state', 'length'], 2, /\$\.state\.base64: holds 0 bytes, expected 2 float32 values \(8 bytes\)/],
  ['a weight count that does not fit the spec', ['spec', 'layers', 1, 'useBias'], false, /\$\.weights\.length: the spec has 24 parameters, the file holds 26/],
  ['an unknown task', ['task'], 'ranking', /\$\.task: expected one of "regression", "binary", "multiclass"/],
  ['mixed class label types', ['classes'], ['a', 1], /\$\.classes\[1\]: class labels must all be numbers or all strings/],
  ['duplicate class labels', ['classes'], ['a', 'b', 'a'], /\$\.classes\[2\]: duplicate class label "a"/],
  ['a non-JSON number in training metadata', ['training'], { history: [1, Infinity] }, /\$\.training\.history\[1\]: expected a finite number/],
  ['preprocessing that is not an object', ['preprocessing'], [1, 2], /\$\.preprocessing: expected an object, got an array of 2/],
];

for (const [what, path, value, message] of BAD) {
  test(`loading a file with ${what} fails with a message naming the field`, () => {
    assert.throws(() => modelFromFile(mutate(path, value)), message);
  });
}

test('a weight buffer with a NaN is refused', () => {
  const file = validFile();
  const w = decodeFloats(file.weights.base64, 'float32');
  w[3] = NaN;
  const bad = { ...file, weights: { ...file.weights, base64: encodeFloats(w, 'float32') } };
  assert.throws(() => modelFromFile(bad), /\$\.weights\.base64: value 3 is NaN; weights must be finite/);
});

test('a weight buffer with a character outside base64 is refused', () => {
  const file = validFile();
  const bad = { ...file, weights: { ...file.weights, base64: `${file.weights.base64.slice(0, 5)}#${file.weights.base64.slice(6)}` } };
  assert.throws(() => modelFromFile(bad), /\$\.weights\.base64: invalid base64 character "#" at offset 5/);
});

test('JSON text that does not parse is reported with the source name', () => {
  assert.throws(() => parseModelFile('{"format": ', 'model.json'), /model\.json: not valid JSON/);
});

test('a model with a step activation loads as forward-only', () => {
  const entry = activationZoo().find((e) => e.name === 'step')!;
  const model = buildTrained(entry.spec);
  const loaded = modelFromFile(modelToFile(model));
  assert.equal(loaded.trainable, false);
  const x = randomMatrix(4, 3, new Rng(1));
  assert.ok(bitsEqual(loaded.predict(x).data, model.predict(x).data));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { Rng } from '../../src/rng.js';
import { applyFeaturePipeline, featurePipeline, type FeatureStep } from '../../src/io/features.js';
import { modelToFile } from '../../src/io/model-file.js';
import { exportOnnx } from '../../src/onnx.js';
import { activationZoo, buildTrained, randomMatrix, zoo } from './zoo.js';

/** Run an ONNX file on float32 rows with ONNX Runtime; returns every output by name. */
async function runOnnx(bytes: Uint8Array, rows: number, cols: number, data: Float32Array): Promise<Record<string, Tensor>> {
  const session = await InferenceSession.create(bytes);
  const out = await session.run({ [session.inputNames[0]!]: new Tensor('float32', data, [rows, cols]) });
  await session.release();
  return out;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    assert.ok(Math.abs(actual[i]! - e) <= 1e-5 * Math.max(1, Math.abs(e)), `${what}[${i}]: onnx ${actual[i]} vs mlpkit ${e}`);
  }
}

for (const dtype of ['float32', 'float64'] as const) {
  for (const entry of [...zoo(dtype), ...activationZoo(dtype)]) {
    test(`ONNX Runtime reproduces mlpkit's predictions within 1e-5 (${dtype}): ${entry.name}`, async () => {
      const model = buildTrained(entry.spec, 7);
      const x = randomMatrix(32, model.inputSize, new Rng(11), 2);
      const expected = model.predict(x).data;
      const out = await runOnnx(exportOnnx(model), x.rows, x.cols, Float32Array.from(x.data));
      const y = out.output!;
      assert.deepEqual(y.dims, [32, model.outputSize]);
      assertClose(y.data as Float32Array, expected, 'output');
    });
  }
}

test('the exported graph contains no dropout or noise and keeps batch norm as BatchNormalization', () => {
  const text = new TextDecoder('latin1').decode(exportOnnx(buildTrained(zoo()[4]!.spec)));
  assert.ok(text.includes('BatchNormalization'));
  const noisy = new TextDecoder('latin1').decode(exportOnnx(buildTrained(zoo()[3]!.spec)));
  assert.ok(!noisy.includes('Dropout') && !noisy.includes('RandomNormal'));
});

test('a classifier file with standardization and one-hot categories takes raw features and gives probabilities', async () => {
  // Raw features: [age, colour code ∈ {0, 1, 2}, size, shape code ∈ {10, 20}] → 2 + 3 + 2 = 7 model inputs.
  const preprocessing = {
    oneHot: { kind: 'oneHot', columns: [1, 3], categories: [[0, 1, 2], [10, 20]] },
    scaler: { kind: 'standard', withMean: true, withStd: true, mean: [40, 0.3, 0.3, 0.4, 5, 0.5, 0.5], scale: [12, 0.45, 0.46, 0.49, 2, 0.5, 0.5] },
  };
  const steps = featurePipeline(preprocessing);
  const spec = mlp({ inputSize: 7, outputSize: 3, task: 'multiclass', hidden: [6], activation: 'tanh', batchNorm: 'after' });
  const model = buildTrained(spec, 4);
  const file = modelToFile(model, { task: 'multiclass', classes: ['a', 'b', 'c'], preprocessing });
  const rng = new Rng(3);
  const raw = Array.from({ length: 20 }, () => [20 + 40 * rng.uniform(), rng.int(3), 5 + 2 * rng.normal(), rng.uniform() < 0.5 ? 10 : 20]);
  const expected = model.predict(applyFeaturePipeline(steps, raw)).data;
  const out = await runOnnx(exportOnnx(file), 20, 4, Float32Array.from(raw.flat()));
  assert.deepEqual(out.probabilities!.dims, [20, 3]);
  assertClose(out.probabilities!.data as Float32Array, expected, 'probabilities');
  const labels = out.label!.data as BigInt64Array;
  for (let i = 0; i < 20; i++) {
    const row = Array.from(expected.subarray(i * 3, i * 3 + 3));
    assert.equal(Number(labels[i]), row.indexOf(Math.max(...row)));
  }
});

test('a binary classifier exports probabilities for both classes, [1 − p, p]', async () => {
  const model = buildTrained(mlp({ inputSize: 3, outputSize: 1, task: 'binary', hidden: [4] }), 2);
  const x = randomMatrix(10, 3, new Rng(8));
  const p = model.predict(x).data;
  const out = await runOnnx(exportOnnx(model, { task: 'binary' }), 10, 3, Float32Array.from(x.data));
  const expected = Array.from(p).flatMap((v) => [1 - v, v]);
  assertClose(out.probabilities!.data as Float32Array, expected, 'probabilities');
});

test('min-max scaling compiles to operators that match its definition', async () => {
  const steps: FeatureStep[] = [{ kind: 'minmax', featureRange: [-1, 1], dataMin: [0, 5, 2], dataMax: [10, 5, 4] }];
  const model = new Model({ inputSize: 3, loss: 'mse', layers: [{ kind: 'dense', units: 3, init: 'ones', biasInit: 'zeros' }] });
  model.setWeights([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
  const out = await runOnnx(exportOnnx(model, { preprocessing: steps }), 2, 3, Float32Array.from([0, 5, 3, 10, 7, 2]));
  // x₀: (0 − 0)/5 − 1 = −1 and (10 − 0)/5 − 1 = 1; x₁ constant: (5 − 5)/2 − 1 = −1, (7 − 5)·2 − 1 = 3; x₂: 0 and −1.
  assertClose(out.output!.data as Float32Array, [-1, -1, 0, 1, 3, -1], 'output');
});

test('an opset outside the supported range is refused', () => {
  assert.throws(() => exportOnnx(buildTrained(zoo()[0]!.spec), { opset: 9 }), /opset must be an integer from 13 to 21, got 9/);
});

test('preprocessing that does not fit the model width is refused naming the mismatch', () => {
  const steps: FeatureStep[] = [{ kind: 'standard', withMean: true, withStd: true, mean: [0, 0], scale: [1, 1] }];
  assert.throws(() => exportOnnx(buildTrained(zoo()[0]!.spec), { preprocessing: steps }), /preprocessing step 0 \(standard\): fitted on 2 features, but 3 reach it/);
});

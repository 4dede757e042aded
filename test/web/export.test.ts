// The playground's model file: with a CSV's own columns as inputs, `mlpkit predict` reads it and
// predicts from the raw file what the page's network predicts from its scaled inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { Model, modelFromFile } from '../../src/index.js';
import { exportOnnx } from '../../src/onnx.js';
import { inputWidth, inputsOf, makeProblem, type Problem } from '../../web/data.js';
import { playgroundModelFile } from '../../web/export.js';
import { buildNetwork } from '../../web/network.js';
import { defaultState, type PlaygroundState } from '../../web/state.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function setUp(state: PlaygroundState, csv: string): { p: Problem; model: Model; predicted: Float32Array } {
  const p = makeProblem(state, csv);
  const layout = buildNetwork(state, inputWidth(p, state.features), p.task, p.classes.length);
  const model = new Model(layout.spec, { seed: 5, maxBatch: p.n });
  const all = Int32Array.from({ length: p.n }, (_, i) => i);
  const predicted = Float32Array.from(model.predict({ rows: p.n, cols: model.inputSize, data: inputsOf(p, state.features, all) }).data);
  return { p, model, predicted };
}

/** `mlpkit predict` on a model file and a CSV, as rows of cells (header first). */
async function predictWithCommand(file: object, csv: string): Promise<string[][]> {
  const dir = await mkdtemp(join(tmpdir(), 'mlpkit-playground-export-'));
  try {
    await writeFile(join(dir, 'model.json'), JSON.stringify(file));
    await writeFile(join(dir, 'data.csv'), csv);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'cli/main.ts'), 'predict', join(dir, 'model.json'), join(dir, 'data.csv'), '--proba', '--quiet'], { cwd: root });
    return stdout.trim().split('\n').map((l) => l.split(','));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));

test('a CSV classifier\'s file gives `mlpkit predict` on the raw CSV the page\'s probabilities and labels', async () => {
  const lines = ['a,b,c,species,note'];
  for (let i = 0; i < 60; i++) lines.push(`${(10 + 3 * Math.sin(i)).toFixed(3)},${(Math.cos(i * 1.3) * 200).toFixed(1)},${i % 5},${['setosa', 'versicolor', 'virginica'][i % 3]},"n ${i}"`);
  const csv = lines.join('\n');
  const state: PlaygroundState = { ...defaultState(), dataset: 'csv', layers: [{ units: 3, activation: 'tanh', perNeuron: {}, skip: false }] };
  const { p, model, predicted } = setUp(state, csv);
  const file = playgroundModelFile(model, p, state, 'http://127.0.0.1/#data=csv');
  assert.deepEqual(file.preprocessing?.['featureNames'], ['a', 'b', 'c']);
  const rows = await predictWithCommand(file, csv);
  assert.deepEqual(rows[0], ['species', 'setosa', 'versicolor', 'virginica']);
  assert.equal(rows.length, 61);
  for (let i = 0; i < 60; i++) {
    const probs = rows[i + 1]!.slice(1).map(Number);
    probs.forEach((q, k) => assert.ok(close(q, predicted[i * 3 + k]!), `row ${i}, class ${k}: command ${q}, page ${predicted[i * 3 + k]}`));
    const best = probs.indexOf(Math.max(...probs));
    assert.equal(rows[i + 1]![0], p.classes[best]);
  }
  // The ONNX export compiles the same scaling: it too takes the raw columns a, b, c.
  const raw = Float32Array.from(lines.slice(1).flatMap((l) => l.split(',').slice(0, 3).map(Number)));
  const session = await InferenceSession.create(exportOnnx(file));
  const out = await session.run({ [session.inputNames[0]!]: new Tensor('float32', raw, [60, 3]) });
  await session.release();
  const onnx = out['probabilities']!.data as Float32Array;
  onnx.forEach((q, i) => assert.ok(close(q, predicted[i]!), `ONNX probability ${i}: ${q}, page ${predicted[i]}`));
});

test('a CSV regression\'s file, viewed on swapped columns, gives `mlpkit predict` the page\'s values in the target\'s units', async () => {
  const lines = ['u,v,w,price'];
  for (let i = 0; i < 40; i++) lines.push(`${Math.sin(i).toFixed(4)},${(5 * Math.cos(i * 0.7)).toFixed(4)},${i},${(100 + 7 * i + 30 * Math.sin(i)).toFixed(2)}`);
  const csv = lines.join('\n');
  const state: PlaygroundState = { ...defaultState(), dataset: 'csv', viewX: 2, viewY: 0 };
  const { p, model, predicted } = setUp(state, csv);
  const file = playgroundModelFile(model, p, state, '');
  // The inputs: the view's x₁ (w), its x₂ (u), then the column not on the view (v).
  assert.deepEqual(file.preprocessing?.['featureNames'], ['w', 'u', 'v']);
  const rows = await predictWithCommand(file, csv);
  assert.deepEqual(rows[0], ['price']);
  const t = p.targetScaling!;
  for (let i = 0; i < 40; i++) {
    const expected = predicted[i]! * t.half + t.centre;
    assert.ok(close(Number(rows[i + 1]![0]), expected), `row ${i}: command ${rows[i + 1]![0]}, page ${expected}`);
  }
});

test('a network fed squares or sines of the columns saves no preprocessing, and still loads', () => {
  const state: PlaygroundState = { ...defaultState(), features: ['x1', 'x2', 'x1sq'] };
  const { p, model } = setUp(state, '');
  const file = playgroundModelFile(model, p, state, '');
  assert.equal(file.preprocessing, undefined);
  assert.deepEqual(file.metadata?.['inputs'], ['x₁', 'x₂', 'x₁²']);
  assert.equal(modelFromFile(JSON.parse(JSON.stringify(file))).inputSize, 3);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../src/graph/model.js';
import { mlp, type MlpOptions } from '../src/graph/builders.js';
import type { MonotoneSpec } from '../src/graph/monotone.js';
import { fit } from '../src/train/fit.js';
import { Rng } from '../src/rng.js';
import { r2 } from '../src/metrics.js';
import { modelFromFile, modelToFile } from '../src/io/model-file.js';

// Inputs: 0 = age (increasing), 1 = debt (decreasing), 2 and 3 unrestricted.
const MONO: MonotoneSpec = { 0: 'increasing', 1: 'decreasing' };
const base = (o: Partial<MlpOptions> = {}): MlpOptions => ({ inputSize: 4, outputSize: 1, task: 'regression', hidden: [16, 16], activation: 'tanh', monotone: MONO, ...o });

/**
 * The largest violation of the declared directions: for `bases` random rows of the other inputs, sweep each
 * declared input over a grid of 41 values in [−3, 3] and take the worst step against its direction.
 */
function worstViolation(model: Model, monotone: MonotoneSpec, bases: number, seed: number): { worst: number; checked: number } {
  const rng = new Rng(seed);
  const G = 41;
  let worst = 0;
  let checked = 0;
  for (const [key, dir] of Object.entries(monotone)) {
    const j = Number(key);
    const rows: number[][] = [];
    for (let b = 0; b < bases; b++) {
      const r = Array.from({ length: model.inputSize }, () => 2 * rng.normal());
      for (let g = 0; g < G; g++) rows.push(r.map((v, i) => (i === j ? -3 + (6 * g) / (G - 1) : v)));
    }
    const out = model.predict(rows).data;
    const k = model.outputSize;
    for (let b = 0; b < bases; b++) {
      for (let g = 1; g < G; g++) {
        for (let c = 0; c < k; c++) {
          const step = out[(b * G + g) * k + c]! - out[(b * G + g - 1) * k + c]!;
          const against = dir === 'increasing' ? -step : step;
          worst = Math.max(worst, against);
          checked++;
        }
      }
    }
  }
  return { worst, checked };
}

/** y rises with age, falls with debt, and depends on the others in no monotone way (with an interaction). */
function monotoneData(n: number, rng: Rng, flip = 1): { x: number[][]; y: number[][] } {
  const x = Array.from({ length: n }, () => [rng.normal(), rng.normal(), rng.normal(), rng.normal()]);
  const y = x.map(([a, d, u, v]) => [flip * (0.8 * a! + Math.tanh(a!) * (1 + 0.5 * u!) - 0.6 * d!) + Math.sin(2 * u!) + v! * v! * 0.3 + 0.1 * rng.normal()]);
  return { x, y };
}

test('at initialization: no violation over 41-point sweeps of each declared input for 2,000 random other inputs', () => {
  for (const seed of [1, 2, 3]) {
    const model = new Model(mlp(base()), { seed });
    const v = worstViolation(model, MONO, 2000, seed);
    assert.ok(v.checked >= 160_000);
    assert.equal(v.worst, 0, `seed ${seed}: a step of ${v.worst} against the declared direction`);
  }
});

test('the sweep does catch violations: the same network without the construction has them', async () => {
  const rng = new Rng(4);
  const { monotone: _none, ...free } = base();
  const model = new Model(mlp(free), { seed: 5 });
  await fit(model, monotoneData(2000, rng, -1), { epochs: 10, batchSize: 64, optimizer: { kind: 'adam', learningRate: 0.01 }, seed: 6 });
  assert.ok(worstViolation(model, MONO, 200, 7).worst > 0.01);
});

test('after training on monotone data: a good fit, and still no violation', async () => {
  const rng = new Rng(4);
  const train = monotoneData(3000, rng);
  const held = monotoneData(1000, rng);
  const model = new Model(mlp(base()), { seed: 5 });
  await fit(model, train, { epochs: 60, batchSize: 64, optimizer: { kind: 'adam', learningRate: 0.01 }, seed: 6 });
  const pred = model.predict(held.x).data;
  const score = r2(held.y.map((r) => r[0]!), Array.from(pred));
  assert.ok(score > 0.9, `held-out R² ${score}`);
  assert.equal(worstViolation(model, MONO, 2000, 7).worst, 0);
});

test('after training on data that contradicts the declared directions: the model stays monotone', async () => {
  const rng = new Rng(8);
  const model = new Model(mlp(base({ activation: 'relu', hidden: [24] })), { seed: 9 });
  await fit(model, monotoneData(2000, rng, -1), { epochs: 40, batchSize: 32, optimizer: { kind: 'adam', learningRate: 0.02 }, seed: 10 });
  assert.equal(worstViolation(model, MONO, 2000, 11).worst, 0);
});

test('a binary classifier (sigmoid output) with every input declared, and a file round trip, stays monotone', async () => {
  const rng = new Rng(12);
  const x = Array.from({ length: 1500 }, () => [rng.normal(), rng.normal()]);
  const y = x.map(([a, d]) => [a! - d! + 0.5 * rng.normal() > 0 ? 1 : 0]);
  const monotone: MonotoneSpec = { 0: 'increasing', 1: 'decreasing' };
  const model = new Model(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [8, 8], activation: 'softplus', monotone }), { seed: 13 });
  await fit(model, { x, y }, { epochs: 20, batchSize: 32, optimizer: { kind: 'adam', learningRate: 0.02 }, seed: 14 });
  const back = modelFromFile(modelToFile(model, { task: 'binary', classes: [0, 1] }));
  assert.equal(worstViolation(back, monotone, 2000, 15).worst, 0);
  assert.deepEqual(Array.from(back.predict(x.slice(0, 5)).data), Array.from(model.predict(x.slice(0, 5)).data));
});

test('the other inputs are unrestricted: the model can fall with an undeclared input', async () => {
  const rng = new Rng(16);
  const x = Array.from({ length: 2000 }, () => [rng.normal(), rng.normal(), rng.normal(), rng.normal()]);
  const y = x.map(([a, , u]) => [a! - 2 * u!]);
  const model = new Model(mlp(base()), { seed: 17 });
  await fit(model, { x, y }, { epochs: 30, batchSize: 32, optimizer: { kind: 'adam', learningRate: 0.01 }, seed: 18 });
  const p = model.predict([[0, 0, -1, 0], [0, 0, 1, 0]]).data;
  assert.ok(p[0]! - p[1]! > 3, `undeclared input 2 should lower the output by about 4, got ${p[0]! - p[1]!}`);
});

test('refused clearly: a non-monotone activation, batch norm, softmax outputs, bad indices and directions', () => {
  assert.throws(() => mlp(base({ activation: 'gelu' })), /monotone inputs need a monotone activation, but activation is 'gelu' \(not monotone\); use one of identity, step, sigmoid, tanh, relu/);
  assert.throws(() => mlp(base({ batchNorm: 'before' })), /cannot be combined with batchNorm 'before'/);
  assert.throws(() => mlp(base({ task: 'multiclass', outputSize: 3 })), /softmax is refused/);
  assert.throws(() => mlp(base({ monotone: { 4: 'increasing' } })), /monotone input "4" is not an input index in \[0, 4\)/);
  assert.throws(() => mlp(base({ monotone: { 0: 'up' as 'increasing' } })), /direction "up"; expected 'increasing' or 'decreasing'/);
  assert.throws(() => mlp(base({ hidden: [] })), /at least one hidden layer/);
});

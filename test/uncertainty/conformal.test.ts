// Conformal intervals and sets: empirical coverage on held-out rows within ±2 points of the nominal level,
// on generated sets with thousands of test rows and on the bundled tables over many seeded splits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { fit } from '../../src/train/fit.js';
import { Rng } from '../../src/rng.js';
import { loadDataset } from '../../src/data/datasets.js';
import { gaussians, sin } from '../../src/data/generators.js';
import { StandardScaler } from '../../src/data/scalers.js';
import { LabelEncoder } from '../../src/data/encoders.js';
import {
  apsSets, calibrateAps, calibrateSplit, cvPlus, cvPlusIntervals, ensembleSpread, intervalCoverage, setCoverage, splitIntervals,
} from '../../src/uncertainty/conformal.js';

const TOLERANCE = 0.02;

async function regressor(x: number[][], y: number[], seed: number, epochs = 40): Promise<Model> {
  const model = new Model(mlp({ inputSize: x[0]!.length, outputSize: 1, task: 'regression', hidden: [16], activation: 'tanh' }), { seed });
  await fit(model, { x, y }, { epochs, batchSize: 64, optimizer: { kind: 'adam', learningRate: 0.01 }, seed });
  return model;
}

async function classifier(x: number[][], labels: Int32Array, k: number, seed: number, epochs = 40): Promise<Model> {
  const task = k === 2 ? 'binary' : 'multiclass';
  const y = Array.from(labels, (c) => (k === 2 ? [c] : Array.from({ length: k }, (_, j) => (j === c ? 1 : 0))));
  const model = new Model(mlp({ inputSize: x[0]!.length, outputSize: k === 2 ? 1 : k, task, hidden: [16], activation: 'tanh' }), { seed });
  await fit(model, { x, y }, { epochs, batchSize: 32, optimizer: { kind: 'adam', learningRate: 0.01 }, seed });
  return model;
}

/** Class probabilities rows × k (a single sigmoid column p becomes [1 − p, p]). */
function probabilities(model: Model, x: number[][]): { rows: number; cols: number; data: Float64Array } {
  const p = model.predict(x);
  if (p.cols > 1) return { rows: p.rows, cols: p.cols, data: Float64Array.from(p.data) };
  return { rows: p.rows, cols: 2, data: Float64Array.from({ length: 2 * p.rows }, (_, i) => (i % 2 === 1 ? p.data[i >> 1]! : 1 - p.data[i >> 1]!)) };
}

/** Heteroscedastic: noise grows with |x|, so a constant-width band is too wide in the middle and too narrow at the ends. */
function hetero(n: number, rng: Rng): { x: number[][]; y: number[] } {
  const x = Array.from({ length: n }, () => [rng.range(-2, 2)]);
  return { x, y: x.map((r) => Math.sin(2 * r[0]!) + (0.1 + 0.3 * Math.abs(r[0]!)) * rng.normal()) };
}

const within = (coverage: number, nominal: number, what: string): void =>
  assert.ok(Math.abs(coverage - nominal) <= TOLERANCE, `${what}: coverage ${coverage.toFixed(4)}, nominal ${nominal}`);

test('split conformal on generated sets: 2,000 calibration and 4,000 test rows, coverage within ±2 points at 80%, 90% and 95%', async (t) => {
  const rng = new Rng(1);
  for (const [name, draw] of [['heteroscedastic', (n: number) => hetero(n, rng)], ['sin (noise 0.3)', (n: number) => sin({ n, noise: 0.3, seed: rng.int(1e9) })]] as const) {
    const train = draw(1000);
    const cal = draw(2000);
    const held = draw(4000);
    const model = await regressor(train.x, train.y, 2);
    for (const alpha of [0.2, 0.1, 0.05]) {
      const c = calibrateSplit(model.predict(cal.x).data, cal.y, { alpha });
      const r = intervalCoverage(splitIntervals(c, model.predict(held.x).data), held.y);
      within(r.coverage, 1 - alpha, `${name}, α = ${alpha}`);
      t.diagnostic(`${name} α=${alpha}: coverage ${r.coverage.toFixed(4)}, mean width ${r.meanWidth.toFixed(3)}`);
    }
  }
});

test('split conformal on the bundled diabetes table: mean coverage over 40 seeded calibration/test splits within ±2 points', async (t) => {
  const d = await loadDataset('diabetes');
  const x = new StandardScaler().fitTransform(d.x, 'float64');
  const rows = Array.from({ length: x.rows }, (_, i) => Array.from(x.data.subarray(i * x.cols, (i + 1) * x.cols)));
  const y = d.y.map(Number);
  const rng = new Rng(3);
  const order = Array.from(rng.permutation(rows.length));
  const trainIdx = order.slice(0, 200);
  const rest = order.slice(200);
  const model = await regressor(trainIdx.map((i) => rows[i]!), trainIdx.map((i) => y[i]! / 100), 4, 60);
  const pred = model.predict(rest.map((i) => rows[i]!)).data;
  let coverage = 0;
  let width = 0;
  const R = 40;
  for (let s = 0; s < R; s++) {
    const perm = Array.from(rng.permutation(rest.length));
    const cal = perm.slice(0, 121);
    const held = perm.slice(121);
    const c = calibrateSplit(cal.map((j) => pred[j]!), cal.map((j) => y[rest[j]!]! / 100), { alpha: 0.1 });
    const r = intervalCoverage(splitIntervals(c, held.map((j) => pred[j]!)), held.map((j) => y[rest[j]!]! / 100));
    coverage += r.coverage / R;
    width += (100 * r.meanWidth) / R;
  }
  within(coverage, 0.9, 'diabetes');
  t.diagnostic(`diabetes α=0.1: mean coverage ${coverage.toFixed(4)}, mean width ${width.toFixed(1)} (target units)`);
});

test('CV+ with 5 folds on 1,500 rows: coverage on 4,000 test rows within ±2 points of 90%', async (t) => {
  const rng = new Rng(5);
  const data = hetero(1500, rng);
  const held = hetero(4000, rng);
  const r = await cvPlus(data.x, data.y, {
    alpha: 0.1, folds: 5, seed: 6,
    train: async (rows) => {
      const m = await regressor(Array.from(rows, (i) => data.x[i]!), Array.from(rows, (i) => data.y[i]!), 7, 30);
      return (x) => m.predict(x).data;
    },
  });
  const iv = cvPlusIntervals(r.calibration, r.predictors.map((p) => p(held.x)));
  const c = intervalCoverage(iv, held.y);
  within(c.coverage, 0.9, 'CV+');
  assert.deepEqual(JSON.parse(JSON.stringify(r.calibration)), r.calibration);
  t.diagnostic(`CV+ α=0.1: coverage ${c.coverage.toFixed(4)}, mean width ${c.meanWidth.toFixed(3)}`);
});

test('the ensemble spread as a scale: adaptive widths, coverage still within ±2 points of 90%', async (t) => {
  const rng = new Rng(8);
  const train = hetero(600, rng);
  const cal = hetero(2000, rng);
  const held = hetero(4000, rng);
  const members = await Promise.all([11, 12, 13, 14, 15].map((s) => regressor(train.x, train.y, s, 25)));
  const stats = (x: number[][]): { mean: Float64Array; spread: Float64Array } => {
    const preds = members.map((m) => m.predict(x).data);
    return { mean: Float64Array.from({ length: x.length }, (_, i) => preds.reduce((s, p) => s + p[i]!, 0) / preds.length), spread: ensembleSpread(preds) };
  };
  const c0 = stats(cal.x);
  const c = calibrateSplit(c0.mean, cal.y, { alpha: 0.1, spread: c0.spread });
  assert.equal(c.scale, 'ensembleSpread');
  const h = stats(held.x);
  const iv = splitIntervals(c, h.mean, h.spread);
  const r = intervalCoverage(iv, held.y);
  within(r.coverage, 0.9, 'spread-scaled');
  const widths = Array.from(iv.upper, (u, i) => u - iv.lower[i]!);
  assert.ok(Math.max(...widths) > 1.5 * Math.min(...widths), 'widths adapt to the spread');
  assert.throws(() => splitIntervals(c, h.mean), /uses the ensemble spread: pass it/);
  t.diagnostic(`spread-scaled α=0.1: coverage ${r.coverage.toFixed(4)}, mean width ${r.meanWidth.toFixed(3)}`);
});

test('APS sets on four overlapping Gaussian classes: coverage on 4,000 test rows within ±2 points of 90% and 80%, randomized or not', async (t) => {
  const draw = (n: number, seed: number): { x: number[][]; y: Int32Array } => {
    const g = gaussians({ n, classes: 4, noise: 1.2, seed });
    return { x: g.x, y: Int32Array.from(g.y) };
  };
  const train = draw(1000, 1);
  const cal = draw(2000, 2);
  const held = draw(4000, 3);
  const model = await classifier(train.x, train.y, 4, 4, 30);
  for (const alpha of [0.1, 0.2]) {
    const c = calibrateAps(probabilities(model, cal.x), cal.y, { alpha, seed: 5 });
    const r = setCoverage(apsSets(c, probabilities(model, held.x), { seed: 6 }), held.y);
    within(r.coverage, 1 - alpha, `APS α = ${alpha}`);
    t.diagnostic(`gaussians(4) α=${alpha}: coverage ${r.coverage.toFixed(4)}, mean set size ${r.meanSize.toFixed(3)}`);
  }
  // Without the random tie-break the sets are never empty and a little larger; coverage stays at the level.
  const plain = calibrateAps(probabilities(model, cal.x), cal.y, { alpha: 0.1, randomized: false });
  const sets = apsSets(plain, probabilities(model, held.x));
  assert.ok(sets.every((s) => s.length > 0));
  const r = setCoverage(sets, held.y);
  within(r.coverage, 0.9, 'APS without randomization');
  t.diagnostic(`gaussians(4) α=0.1 non-randomized: coverage ${r.coverage.toFixed(4)}, mean set size ${r.meanSize.toFixed(3)}`);
});

test('APS sets on the bundled iris, wine and breast-cancer tables: mean coverage over 60 seeded splits within ±2 points of 90%', async (t) => {
  for (const name of ['iris', 'wine', 'breast-cancer']) {
    const d = await loadDataset(name);
    const x = new StandardScaler().fitTransform(d.x, 'float64');
    const rows = Array.from({ length: x.rows }, (_, i) => Array.from(x.data.subarray(i * x.cols, (i + 1) * x.cols)));
    const enc = new LabelEncoder();
    const labels = enc.fitTransform(d.y);
    const rng = new Rng(9);
    const order = Array.from(rng.permutation(rows.length));
    const nTrain = Math.floor(rows.length / 3);
    const trainIdx = order.slice(0, nTrain);
    const rest = order.slice(nTrain);
    const model = await classifier(trainIdx.map((i) => rows[i]!), Int32Array.from(trainIdx, (i) => labels[i]!), enc.nClasses, 10, 30);
    const p = probabilities(model, rest.map((i) => rows[i]!));
    const take = (idx: number[]): { rows: number; cols: number; data: Float64Array } =>
      ({ rows: idx.length, cols: p.cols, data: Float64Array.from(idx.flatMap((j) => Array.from(p.data.subarray(j * p.cols, (j + 1) * p.cols)))) });
    let coverage = 0;
    let size = 0;
    const R = 60;
    for (let s = 0; s < R; s++) {
      const perm = Array.from(rng.permutation(rest.length));
      const half = rest.length >> 1;
      const cal = perm.slice(0, half);
      const held = perm.slice(half);
      const c = calibrateAps(take(cal), cal.map((j) => labels[rest[j]!]!), { alpha: 0.1, seed: s });
      const r = setCoverage(apsSets(c, take(held), { seed: 1000 + s }), held.map((j) => labels[rest[j]!]!));
      coverage += r.coverage / R;
      size += r.meanSize / R;
    }
    within(coverage, 0.9, name);
    t.diagnostic(`${name} α=0.1: mean coverage ${coverage.toFixed(4)}, mean set size ${size.toFixed(3)}`);
  }
});

test('calibrations are JSON and refuse impossible requests clearly', () => {
  const c = calibrateSplit([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1.5, 2, 2.5, 4, 5.5, 6, 7, 8.2, 9, 10], { alpha: 0.2 });
  assert.deepEqual(JSON.parse(JSON.stringify(c)), c);
  assert.throws(() => calibrateSplit([1, 2], [1, 2], { alpha: 0.1 }), /2 calibration rows cannot give coverage 0.9; at least 9 are needed/);
  assert.throws(() => calibrateSplit([1, 2], [1, 2], { alpha: 1.5 }), /alpha must be in \(0, 1\)/);
  assert.throws(() => calibrateSplit([1, 2, 3], [1, 2], { alpha: 0.5 }), /lengths differ/);
});

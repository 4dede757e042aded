import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listDatasets, loadDataset } from '../../src/datasets.js';
import { GEOMETRIC_SETS } from '../../src/data/generators.js';

function columnMeans(x: number[][]): number[] {
  return x[0]!.map((_, j) => x.reduce((s, r) => s + r[j]!, 0) / x.length);
}

function counts(y: readonly (number | string)[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const v of y) c[String(v)] = (c[String(v)] ?? 0) + 1;
  return c;
}

test('iris is the 150 × 4 table with 50 rows of each species', async () => {
  const d = await loadDataset('iris');
  assert.equal(d.task, 'classification');
  assert.equal(d.x.length, 150);
  assert.equal(d.featureNames.length, 4);
  assert.deepEqual(d.x[0], [5.1, 3.5, 1.4, 0.2]);
  assert.deepEqual(counts(d.y), { setosa: 50, versicolor: 50, virginica: 50 });
  // Column means from scikit-learn 1.2.1: load_iris().data.mean(axis=0).
  const m = columnMeans(d.x);
  [5.843333333333335, 3.057333333333334, 3.7580000000000027, 1.199333333333334].forEach((v, j) => assert.ok(Math.abs(m[j]! - v) < 1e-12));
});

test('wine is the 178 × 13 table with cultivar counts 59, 71, 48', async () => {
  const d = await loadDataset('wine');
  assert.equal(d.x.length, 178);
  assert.ok(d.x.every((r) => r.length === 13));
  assert.deepEqual(counts(d.y), { class_0: 59, class_1: 71, class_2: 48 });
  // scikit-learn 1.2.1: load_wine().data.mean(axis=0)[[0, 12]] (alcohol, proline).
  const m = columnMeans(d.x);
  assert.ok(Math.abs(m[0]! - 13.000617977528083) < 1e-10 && Math.abs(m[12]! - 746.8932584269663) < 1e-9);
});

test('breast-cancer has 212 malignant and 357 benign rows of 30 features', async () => {
  const d = await loadDataset('breast-cancer');
  assert.ok(d.x.every((r) => r.length === 30));
  assert.deepEqual(counts(d.y), { malignant: 212, benign: 357 });
  assert.deepEqual(d.x[0]!.slice(0, 3), [17.99, 10.38, 122.8]);
});

test('diabetes is a 442 × 10 regression table with target mean 152.13', async () => {
  const d = await loadDataset('diabetes');
  assert.equal(d.task, 'regression');
  assert.ok(d.x.length === 442 && d.x.every((r) => r.length === 10));
  const mean = (d.y as number[]).reduce((a, b) => a + b, 0) / d.y.length;
  // scikit-learn 1.2.1: load_diabetes(scaled=False).target.mean().
  assert.ok(Math.abs(mean - 152.13348416289594) < 1e-9);
});

test('every listed data set loads with consistent shapes and names', async () => {
  const names = listDatasets().map((d) => d.name);
  for (const required of ['iris', 'wine', 'xor', 'two-spirals', 'circles', 'moons', 'gaussians', 'sin', 'half-plane', 'convex-polygon', 'polygon-union']) {
    assert.ok(names.includes(required), required);
  }
  for (const info of listDatasets()) {
    const d = await loadDataset(info.name);
    assert.equal(d.name, info.name);
    assert.equal(d.task, info.task);
    assert.equal(d.x.length, d.y.length);
    assert.ok(d.x.every((r) => r.length === d.featureNames.length && r.every(Number.isFinite)), info.name);
  }
});

test('generated sets are deterministic per seed and take n', async () => {
  for (const name of ['xor', 'two-spirals', 'circles', 'moons', 'gaussians', 'sin', 'half-plane', 'convex-polygon', 'polygon-union']) {
    const a = await loadDataset(name, { n: 50, seed: 3, noise: 0.1 });
    const b = await loadDataset(name, { n: 50, seed: 3, noise: 0.1 });
    const c = await loadDataset(name, { n: 50, seed: 4, noise: 0.1 });
    assert.equal(a.x.length, 50);
    assert.deepEqual(a, b, name);
    assert.notDeepEqual(a.x, c.x, name);
  }
});

test('xor labels are 1 exactly where the coordinates differ in sign', async () => {
  const d = await loadDataset('xor', { n: 400 });
  d.x.forEach(([a, b], i) => assert.equal(d.y[i], a! * b! < 0 ? 1 : 0));
  assert.ok(Math.abs(counts(d.y)['1']! - 200) < 40);
});

test('two-spirals, circles and moons are balanced binary sets of the stated geometry', async () => {
  for (const name of ['two-spirals', 'circles', 'moons']) assert.deepEqual(counts((await loadDataset(name, { n: 100 })).y), { 0: 50, 1: 50 });
  const c = await loadDataset('circles', { noise: 0 });
  c.x.forEach(([a, b], i) => assert.ok(Math.abs(Math.hypot(a!, b!) - (c.y[i] === 0 ? 1 : 0.5)) < 1e-12));
  const s = await loadDataset('two-spirals', { noise: 0 });
  // Class 1 is class 0 turned by π: a point's mirror image through the origin lies on the other spiral.
  s.x.forEach(([a, b], i) => {
    const r = Math.hypot(a!, b!);
    const t = 1.75 * 2 * Math.PI * r + (s.y[i] === 1 ? Math.PI : 0);
    assert.ok(Math.abs(a! - r * Math.cos(t)) < 1e-9 && Math.abs(b! - r * Math.sin(t)) < 1e-9);
  });
});

test('gaussians form one cluster per class around its centre', async () => {
  const d = await loadDataset('gaussians', { n: 600, classes: 4, noise: 0.2 });
  assert.deepEqual(counts(d.y), { 0: 150, 1: 150, 2: 150, 3: 150 });
  for (let c = 0; c < 4; c++) {
    const pts = d.x.filter((_, i) => d.y[i] === c);
    const [mx, my] = columnMeans(pts);
    const a = (2 * Math.PI * c) / 4;
    assert.ok(Math.hypot(mx! - 2 * Math.cos(a), my! - 2 * Math.sin(a)) < 0.06);
  }
});

test('sin targets are sin(x) on [−π, π] without noise', async () => {
  const d = await loadDataset('sin', { n: 100 });
  assert.equal(d.task, 'regression');
  d.x.forEach(([v], i) => {
    assert.ok(v! >= -Math.PI && v! <= Math.PI);
    assert.equal(d.y[i], Math.sin(v!));
  });
});

test('the half-plane set is labelled by 2·x1 − x2 > 0.3 with a margin of 0.02', async () => {
  const d = await loadDataset('half-plane', { n: 500 });
  d.x.forEach(([a, b], i) => {
    const s = 2 * a! - b! - 0.3;
    assert.equal(d.y[i], s > 0 ? 1 : 0);
    assert.ok(Math.abs(s) / Math.sqrt(5) >= 0.02);
  });
});

test('the polygon sets label inside points 1 and hold both classes', async () => {
  const pentagon = GEOMETRIC_SETS['convex-polygon'][0]!;
  const d = await loadDataset('convex-polygon', { n: 500 });
  // Inside a convex polygon centred at the origin ⇔ within its inscribed radius on every edge normal.
  const apothem = 0.75 * Math.cos(Math.PI / 5);
  d.x.forEach(([a, b], i) => {
    const inside = pentagon.every((_, k) => {
      const t = (2 * Math.PI * (k + 0.5)) / 5;
      return a! * Math.cos(t) + b! * Math.sin(t) < apothem;
    });
    assert.equal(d.y[i], inside ? 1 : 0);
  });
  const u = await loadDataset('polygon-union', { n: 1000 });
  const ones = counts(u.y)['1']!;
  // The two polygons cover (0.405 + 0.68)/4 ≈ 27% of the square.
  assert.ok(ones > 200 && ones < 340, `${ones}`);
  assert.ok(u.x.every(([a, b], i) => u.y[i] === 0 || (a! < 0 && b! > 0) || (a! > 0 && b! < 0)));
});

test('an unknown name lists the known ones, and a table refuses generator options', async () => {
  await assert.rejects(loadDataset('iris2'), /unknown data set "iris2"; known: iris, wine/);
  await assert.rejects(loadDataset('iris', { n: 10 }), /iris is a fixed table; options n apply only to generated sets/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MinMaxScaler, StandardScaler, scalerFromJSON } from '../../src/data/scalers.js';

// A 4 × 4 training table whose last column is constant.
const X = [[1, -1, 2, 5], [2, 0, 0, 5], [0, 1, -1, 5], [4, 2, 3, 5]];

function close(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

test('StandardScaler learns the population mean and standard deviation of each column', () => {
  const s = new StandardScaler().fit(X);
  // scikit-learn 1.2.1 StandardScaler().fit(X).mean_ / .scale_ on the same table.
  close(s.means, [1.75, 0.5, 1.0, 5.0]);
  close(s.scales, [1.479019945774904, 1.118033988749895, 1.5811388300841898, 1.0]);
});

test('StandardScaler transforms new rows with the training statistics', () => {
  const z = new StandardScaler().fit(X).transform([[1.5, 0.5, 1, 7]]);
  // scikit-learn 1.2.1: StandardScaler().fit(X).transform([[1.5, 0.5, 1, 7]]).
  close(z.data, [-0.1690308509457033, 0.0, 0.0, 2.0]);
});

test('standardized training columns have mean 0 and variance 1, a constant column maps to 0', () => {
  const z = new StandardScaler().fitTransform(X);
  for (let j = 0; j < 3; j++) {
    let m = 0; let v = 0;
    for (let i = 0; i < 4; i++) m += z.data[i * 4 + j]! / 4;
    for (let i = 0; i < 4; i++) v += (z.data[i * 4 + j]! - m) ** 2 / 4;
    assert.ok(Math.abs(m) < 1e-15 && Math.abs(v - 1) < 1e-14, `column ${j}: mean ${m}, variance ${v}`);
  }
  for (let i = 0; i < 4; i++) assert.equal(z.data[i * 4 + 3], 0);
});

test('a column constant up to rounding is treated as constant instead of amplified', () => {
  const s = new StandardScaler().fit([[0.1 + 0.2], [0.3], [0.3]]);
  assert.deepEqual(s.scales, [1]);
});

test('StandardScaler inverseTransform undoes transform', () => {
  const s = new StandardScaler().fit(X);
  const rows = [[3.25, -7, 0.125, 5], [1e3, 1e-3, -2, 4]];
  close(s.inverseTransform(s.transform(rows)).data, rows.flat(), 1e-12);
});

test('withMean false only divides, withStd false only centres', () => {
  close(new StandardScaler({ withMean: false }).fit(X).transform([[1.479019945774904, 0, 0, 5]]).data, [1, 0, 0, 5]);
  close(new StandardScaler({ withStd: false }).fit(X).transform([[2.75, 0.5, 1, 5]]).data, [1, 0, 0, 0]);
});

test('StandardScaler survives JSON exactly and rebuilds through scalerFromJSON', () => {
  const s = new StandardScaler().fit(X);
  const back = scalerFromJSON(JSON.parse(JSON.stringify(s.toJSON())));
  assert.ok(back instanceof StandardScaler);
  assert.deepEqual(back.toJSON(), s.toJSON());
  assert.deepEqual(Array.from(back.transform(X).data), Array.from(s.transform(X).data));
});

test('an unfitted scaler refuses to transform and round-trips unfitted', () => {
  assert.throws(() => new StandardScaler().transform(X), /StandardScaler\.transform: call fit first/);
  assert.equal(StandardScaler.fromJSON(new StandardScaler().toJSON()).fitted, false);
});

test('a wrong width at transform names both widths', () => {
  assert.throws(() => new StandardScaler().fit(X).transform([[1, 2, 3]]), /StandardScaler\.transform: x: row 0 has 3 values, expected 4/);
});

test('fromJSON names the bad field', () => {
  const json = { ...new StandardScaler().fit(X).toJSON(), scale: [1, 2, 0, 1] };
  assert.throws(() => StandardScaler.fromJSON(json), /StandardScaler\.scale\[2\]: must be positive/);
  assert.throws(() => StandardScaler.fromJSON({ ...json, mean: [1, 'a', 3, 4] }), /StandardScaler\.mean\[1\]: expected a finite number/);
  assert.throws(() => scalerFromJSON({ kind: 'robust' }), /scaler\.kind: expected "standard" or "minmax", got "robust"/);
});

test('MinMaxScaler maps the training range onto featureRange, a constant column to its low end', () => {
  const m = new MinMaxScaler({ featureRange: [-1, 1] }).fit(X);
  // scikit-learn 1.2.1: MinMaxScaler(feature_range=(-1, 1)).fit(X).transform(rows).
  close(m.transform([[1.5, 0.5, 1, 7], [5, -2, 3, 5]]).data, [-0.25, 0, 0, 3.0, 1.5, -1.6666666666666665, 1.0, -1.0], 1e-15);
  close(m.transform(X).data.filter((_, k) => k % 4 !== 3), [-0.5, -1, 0.5, 0, -1 / 3, -0.5, -1, 1 / 3, -1, 1, 1, 1], 1e-15);
});

test('MinMaxScaler inverseTransform undoes transform and its JSON round-trips', () => {
  const m = new MinMaxScaler().fit(X);
  const rows = [[0.3, 9, -4, 5.5]];
  close(m.inverseTransform(m.transform(rows)).data, rows.flat(), 1e-12);
  const back = scalerFromJSON(JSON.parse(JSON.stringify(m.toJSON())));
  assert.ok(back instanceof MinMaxScaler);
  assert.deepEqual(Array.from(back.transform(rows).data), Array.from(m.transform(rows).data));
});

test('MinMaxScaler refuses an empty or reversed range', () => {
  assert.throws(() => new MinMaxScaler({ featureRange: [1, 1] }), /featureRange must be \[lo, hi\] with finite lo < hi, got \[1, 1\]/);
});

test('a float32 matrix input gives float32 output', () => {
  const z = new StandardScaler().fit(X).transform({ rows: 1, cols: 4, data: Float32Array.of(1, 2, 3, 4) });
  assert.ok(z.data instanceof Float32Array);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partialDependence } from '../../src/explain/partial-dependence.js';
import type { NumericMatrix } from '../../src/data/matrix-input.js';

// ŷ = x1² + 3·x2: the PD curve of x1 is v² + 3·mean(x2), of x2 is mean(x1²) + 3v.
const predict = (x: NumericMatrix): NumericMatrix => {
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) out[i] = x.data[i * 2]! ** 2 + 3 * x.data[i * 2 + 1]!;
  return { rows: x.rows, cols: 1, data: out };
};
const x = [[-1, 0], [0, 1], [1, 2], [2, 5]];

test('partial dependence averages the prediction over the rows with the feature held at each grid value', () => {
  const pd = partialDependence(predict, x, 0, { grid: [-2, 0, 3], ice: 2 });
  const meanX2 = (0 + 1 + 2 + 5) / 4;
  assert.deepEqual(pd.grid, [-2, 0, 3]);
  assert.deepEqual(pd.curves[0], [4 + 3 * meanX2, 3 * meanX2, 9 + 3 * meanX2]);
  assert.deepEqual(pd.ice[1]![0], [4 + 3, 3, 9 + 3]);
  const pd2 = partialDependence(predict, x, 1, { grid: 3, percentiles: [0, 1] });
  assert.deepEqual(pd2.grid, [0, 2.5, 5]);
  const meanSq = (1 + 0 + 1 + 4) / 4;
  pd2.curves[0]!.forEach((v, g) => assert.ok(Math.abs(v - (meanSq + 3 * pd2.grid[g]!)) < 1e-12));
});

test('partial dependence names a bad feature index', () => {
  assert.throws(() => partialDependence(predict, x, 2), /feature must be an integer in \[0, 1\], got 2/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkLabels, matrixToRows, sortedUniqueLabels, toNumericMatrix, toTargetMatrix } from '../../src/data/matrix-input.js';

test('a table of rows becomes a row-major float64 matrix with its shape', () => {
  const m = toNumericMatrix([[1, 2, 3], [4, 5, 6]]);
  assert.equal(m.rows, 2);
  assert.equal(m.cols, 3);
  assert.ok(m.data instanceof Float64Array);
  assert.deepEqual(Array.from(m.data), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(matrixToRows(m), [[1, 2, 3], [4, 5, 6]]);
});

test('typed-array rows are accepted and float32 storage can be requested', () => {
  const m = toNumericMatrix([Float32Array.of(0.5, 1), new Int32Array([2, 3])], { dtype: 'float32' });
  assert.ok(m.data instanceof Float32Array);
  assert.deepEqual(Array.from(m.data), [0.5, 1, 2, 3]);
});

test('ragged rows are an error naming the row and both widths', () => {
  assert.throws(() => toNumericMatrix([[1, 2], [3, 4], [5]]), /x: row 2 has 1 values, expected 2 as in row 0 \(ragged rows\)/);
});

test('NaN and Infinity are errors naming row, column and value', () => {
  assert.throws(() => toNumericMatrix([[1, 2], [3, NaN]]), /x: row 1, column 1 is NaN; every value must be a finite number/);
  assert.throws(() => toNumericMatrix([[1, -Infinity]], { what: 'features' }), /features: row 0, column 1 is -Infinity/);
});

test('a non-numeric cell is an error quoting the value', () => {
  const bad = [[1, 2], [3, '4.5']] as unknown as number[][];
  assert.throws(() => toNumericMatrix(bad), /x: row 1, column 1 is the string "4\.5"/);
  const missing = [[1, 2], [3, null]] as unknown as number[][];
  assert.throws(() => toNumericMatrix(missing), /row 1, column 1 is null/);
});

test('empty data is an error', () => {
  assert.throws(() => toNumericMatrix([]), /x: no rows \(empty data\)/);
  assert.throws(() => toNumericMatrix([[]]), /x: row 0 has no values/);
});

test('a width other than the expected one is an error naming both widths', () => {
  assert.throws(() => toNumericMatrix([[1, 2, 3]], { cols: 4 }), /x: row 0 has 3 values, expected 4 \(the width seen in training\)/);
  assert.throws(() => toNumericMatrix({ rows: 1, cols: 3, data: new Float64Array(3) }, { cols: 2 }), /has 3 columns, expected 2/);
});

test('a matrix input is checked cell by cell and converted only when its storage differs', () => {
  const m = { rows: 2, cols: 2, data: Float64Array.of(1, 2, 3, 4) };
  assert.equal(toNumericMatrix(m), m);
  assert.ok(toNumericMatrix(m, { dtype: 'float32' }).data instanceof Float32Array);
  assert.throws(() => toNumericMatrix({ rows: 2, cols: 2, data: Float64Array.of(1, 2, Infinity, 4) }), /row 1, column 0 is Infinity/);
  assert.throws(() => toNumericMatrix({ rows: 2, cols: 2, data: new Float64Array(3) }), /data has 3 values but rows × cols = 2 × 2/);
});

test('a value beyond the float32 range is refused for float32 storage', () => {
  assert.throws(() => toNumericMatrix([[1e39]], { dtype: 'float32' }), /row 0, column 0 is 1e\+39, beyond the float32 range/);
  assert.equal(toNumericMatrix([[1e39]]).data[0], 1e39);
});

test('a flat target vector becomes one column and a wrong length names both lengths', () => {
  const t = toTargetMatrix([1.5, 2.5, 3.5]);
  assert.deepEqual([t.rows, t.cols, Array.from(t.data)], [3, 1, [1.5, 2.5, 3.5]]);
  assert.throws(() => toTargetMatrix([1, 2], { rows: 3 }), /y: has 2 values, expected 3 \(one per row of x\)/);
  assert.throws(() => toTargetMatrix([1, NaN]), /y: row 1 is NaN/);
});

test('a mix of numeric and string class labels is an error naming the row', () => {
  assert.equal(checkLabels(['a', 'b']), 'string');
  assert.equal(checkLabels(Int32Array.of(0, 1)), 'number');
  assert.throws(() => checkLabels(['a', 'b', 3, 'a']), /y: row 2 is 3 but row 0 is the string "a"; class labels must be all numbers or all strings/);
  assert.throws(() => checkLabels([1, true] as unknown as number[]), /row 1 is the boolean true; a class label must be a number or a string/);
  assert.throws(() => checkLabels([]), /no labels/);
});

test('unique labels sort numerically for numbers and by code unit for strings', () => {
  assert.deepEqual(sortedUniqueLabels([10, 2, 2, -1]), [-1, 2, 10]);
  assert.deepEqual(sortedUniqueLabels(['b', 'B', 'a', 'b']), ['B', 'a', 'b']);
});

test('a non-finite value is found wherever it sits in a typed matrix (every lane of the scan and its tail)', () => {
  for (let n = 1; n <= 9; n++) {
    for (let at = 0; at < n; at++) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const data = new Float32Array(n).fill(1.5);
        data[at] = bad;
        assert.throws(() => toNumericMatrix({ rows: n, cols: 1, data }), new RegExp(`row ${at}, column 0 is ${String(bad)}`));
      }
    }
    assert.equal(toNumericMatrix({ rows: n, cols: 1, data: new Float32Array(n).fill(-3.25) }).rows, n);
  }
});

/**
 * The matrix type at the API boundary: row-major, batch × features, over Float32Array or Float64Array.
 */

import type { DType, Vec } from './kernels/backend.js';

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Vec;
}

export type MatrixLike = Matrix | readonly (readonly number[])[] | readonly number[];

export function zeros(rows: number, cols: number, dtype: DType = 'float32'): Matrix {
  return { rows, cols, data: dtype === 'float64' ? new Float64Array(rows * cols) : new Float32Array(rows * cols) };
}

function isMatrix(x: MatrixLike): x is Matrix {
  return typeof x === 'object' && x !== null && 'data' in x && 'rows' in x && 'cols' in x;
}

/**
 * Convert user input to a Matrix, checking every value.
 * A flat `number[]` is read as one column when `cols` is 1, else as a single row.
 * Errors name the argument, the row and the column (0-based, as in the array).
 */
export function toMatrix(x: MatrixLike, dtype: DType, what = 'x', expectedCols?: number): Matrix {
  if (isMatrix(x)) {
    if (x.data.length !== x.rows * x.cols) {
      throw new Error(`${what}: data has ${x.data.length} values but rows × cols = ${x.rows} × ${x.cols}`);
    }
    if (expectedCols !== undefined && x.cols !== expectedCols) {
      throw new Error(`${what}: expected ${expectedCols} columns, got ${x.cols}`);
    }
    for (let i = 0; i < x.data.length; i++) {
      const v = x.data[i]!;
      if (!Number.isFinite(v)) {
        throw new Error(`${what}: row ${Math.floor(i / x.cols)}, column ${i % x.cols} is ${v}; every value must be a finite number`);
      }
    }
    if ((dtype === 'float64') === (x.data instanceof Float64Array)) return x;
    const data = dtype === 'float64' ? new Float64Array(x.data) : new Float32Array(x.data);
    return { rows: x.rows, cols: x.cols, data };
  }
  if (!Array.isArray(x)) throw new Error(`${what}: expected an array of rows or a Matrix, got ${typeof x}`);
  if (x.length === 0) throw new Error(`${what}: no rows`);
  const rowsIn: readonly (readonly unknown[])[] = Array.isArray(x[0])
    ? (x as readonly (readonly unknown[])[])
    : (expectedCols === 1 ? (x as readonly unknown[]).map((v) => [v]) : [x as readonly unknown[]]);
  const rows = rowsIn.length;
  const cols = rowsIn[0]!.length;
  if (expectedCols !== undefined && cols !== expectedCols) {
    throw new Error(`${what}: expected ${expectedCols} columns, got ${cols} in row 0`);
  }
  if (cols === 0) throw new Error(`${what}: row 0 is empty`);
  const data = dtype === 'float64' ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const r = rowsIn[i];
    if (!Array.isArray(r)) throw new Error(`${what}: row ${i} is not an array`);
    if (r.length !== cols) throw new Error(`${what}: row ${i} has ${r.length} values, expected ${cols} (as row 0)`);
    for (let j = 0; j < cols; j++) {
      const v: unknown = r[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new Error(`${what}: row ${i}, column ${j} is ${JSON.stringify(v) ?? String(v)}; every value must be a finite number`);
      }
      data[i * cols + j] = v;
    }
  }
  return { rows, cols, data };
}

/** The rows of a matrix as plain arrays. */
export function toRows(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

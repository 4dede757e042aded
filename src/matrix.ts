/**
 * The matrix type at the API boundary: row-major, batch × features, over Float32Array or Float64Array.
 */

import type { DType, Vec } from './kernels/backend.js';
import { toNumericMatrix, type MatrixInput } from './data/matrix-input.js';

/** A row-major matrix: element (i, j) is data[i·cols + j]. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Vec;
}

/** What the model accepts as a batch: a Matrix, rows of numbers, or one row. */
export type MatrixLike = Matrix | readonly (readonly number[])[] | readonly number[];

/** A rows × cols matrix of zeros. */
export function zeros(rows: number, cols: number, dtype: DType = 'float32'): Matrix {
  return { rows, cols, data: dtype === 'float64' ? new Float64Array(rows * cols) : new Float32Array(rows * cols) };
}

/**
 * Convert user input to a Matrix, checking every value (see `toNumericMatrix` for the errors, which
 * name the argument, the row and the column, 0-based as in the array).
 * A flat `number[]` is read as one column when `cols` is 1, else as a single row. `deferFiniteScan`:
 * see MatrixInputOptions (the caller scans the values as it copies them).
 */
export function toMatrix(x: MatrixLike, dtype: DType, what = 'x', expectedCols?: number, deferFiniteScan = false): Matrix {
  const options = { what, dtype, deferFiniteScan, ...(expectedCols === undefined ? {} : { cols: expectedCols }) };
  if (Array.isArray(x) && x.length > 0 && !Array.isArray(x[0]) && !ArrayBuffer.isView(x[0])) {
    const flat = x as readonly number[];
    return toNumericMatrix(expectedCols === 1 ? flat.map((v) => [v]) : [flat], options);
  }
  return toNumericMatrix(x as MatrixInput, options);
}

/** The rows of a matrix as plain arrays. */
export function toRows(m: Matrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

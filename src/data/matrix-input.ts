/**
 * Validation of user tables at the library boundary.
 *
 * Everything numeric that enters the library (features, regression targets) passes through
 * `toNumericMatrix`, and every class-label vector through `checkLabels`, so that a bad cell is
 * reported once, here, by row, column and value, instead of surfacing later as a NaN loss.
 * Rows and columns are 0-based, as in the user's array.
 */

import type { DType, Vec } from '../kernels/backend.js';
import { allFinite } from '../kernels/finite.js';

/** A dense row-major rows × cols table (structurally the engine's `Matrix`). */
export interface NumericMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Vec;
}

/** Rows as plain arrays or typed arrays, or an already-built row-major matrix. */
export type MatrixInput = NumericMatrix | readonly ArrayLike<number>[];

/** How toNumericMatrix reads a table: the name used in messages and the storage of the result. */
export interface MatrixInputOptions {
  /** The argument's name in error messages (default 'x'). */
  readonly what?: string;
  /** Storage of the result (default 'float64'). */
  readonly dtype?: DType;
  /** The width the table must have, e.g. the width seen in training. */
  readonly cols?: number;
  /** The number of rows the table must have, e.g. the length of x when checking y. */
  readonly rows?: number;
  /**
   * Return a matrix of the requested dtype without scanning it for NaN and ±∞: the caller scans it in the
   * pass that copies it (Kernels.copyFinite) and, when that finds a value that is not finite, calls again
   * without this option for the error naming the cell. Every other input is checked as usual.
   */
  readonly deferFiniteScan?: boolean;
}

/** Largest finite float32; a float64 beyond it would silently become Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** A value as it should appear in an error message: strings quoted, everything else by kind. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number') return String(v);
  if (v === null) return 'null';
  if (v === undefined) return 'undefined (a missing value)';
  if (typeof v === 'bigint') return `the bigint ${v}n`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (Array.isArray(v)) return 'an array';
  return `a value of type ${typeof v}`;
}

function isRowLike(r: unknown): r is ArrayLike<unknown> {
  return Array.isArray(r) || (ArrayBuffer.isView(r) && !(r instanceof DataView));
}

function isNumericMatrix(x: unknown): x is NumericMatrix {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && 'data' in x && 'rows' in x && 'cols' in x;
}

function checkCell(v: unknown, what: string, i: number, j: number, dtype: DType): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new Error(`${what}: row ${i}, column ${j} is ${describeValue(v)}; every value must be a finite number`);
  }
  if (dtype === 'float32' && Math.abs(v) > FLOAT32_MAX) {
    throw new Error(`${what}: row ${i}, column ${j} is ${v}, beyond the float32 range (±${FLOAT32_MAX})`);
  }
  return v;
}

/**
 * Check a table and copy it into a row-major typed array.
 * Throws on: no rows, an empty row 0, a row that is not an array, ragged rows, a width other than
 * `options.cols`, a row count other than `options.rows`, and any cell that is not a finite number.
 * A matrix input of the requested dtype is checked and returned without a copy.
 */
export function toNumericMatrix(x: MatrixInput, options: MatrixInputOptions = {}): NumericMatrix {
  const what = options.what ?? 'x';
  const dtype = options.dtype ?? 'float64';
  if (isNumericMatrix(x)) return checkMatrix(x, what, dtype, options);
  if (!Array.isArray(x)) throw new Error(`${what}: expected an array of rows, got ${describeValue(x)}`);
  const rows = x.length;
  if (rows === 0) throw new Error(`${what}: no rows (empty data)`);
  if (options.rows !== undefined && rows !== options.rows) {
    throw new Error(`${what}: has ${rows} rows, expected ${options.rows}`);
  }
  const first: unknown = x[0];
  if (!isRowLike(first)) throw new Error(`${what}: row 0 is ${describeValue(first)}, expected an array of numbers`);
  const cols = first.length;
  if (cols === 0) throw new Error(`${what}: row 0 has no values`);
  if (options.cols !== undefined && cols !== options.cols) {
    throw new Error(`${what}: row 0 has ${cols} values, expected ${options.cols} (the width seen in training)`);
  }
  const data = dtype === 'float64' ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const r: unknown = x[i];
    if (!isRowLike(r)) throw new Error(`${what}: row ${i} is ${describeValue(r)}, expected an array of numbers`);
    if (r.length !== cols) throw new Error(`${what}: row ${i} has ${r.length} values, expected ${cols} as in row 0 (ragged rows)`);
    for (let j = 0; j < cols; j++) data[i * cols + j] = checkCell(r[j], what, i, j, dtype);
  }
  return { rows, cols, data };
}

function checkMatrix(x: NumericMatrix, what: string, dtype: DType, options: MatrixInputOptions): NumericMatrix {
  const { rows, cols, data } = x;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`${what}: rows and cols must be non-negative integers, got ${rows} × ${cols}`);
  }
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new Error(`${what}: data must be a Float32Array or Float64Array`);
  }
  if (data.length !== rows * cols) throw new Error(`${what}: data has ${data.length} values but rows × cols = ${rows} × ${cols}`);
  if (rows === 0) throw new Error(`${what}: no rows (empty data)`);
  if (cols === 0) throw new Error(`${what}: rows have no values`);
  if (options.cols !== undefined && cols !== options.cols) {
    throw new Error(`${what}: has ${cols} columns, expected ${options.cols} (the width seen in training)`);
  }
  if (options.rows !== undefined && rows !== options.rows) throw new Error(`${what}: has ${rows} rows, expected ${options.rows}`);
  // Fast scan first: x·0 is 0 for every finite x and NaN for ±∞ and NaN, so one sum tells whether a
  // cell is bad; only then find it (and a float32 matrix cannot exceed the float32 range).
  const converts = dtype === 'float32' && data instanceof Float64Array;
  if (converts || (options.deferFiniteScan !== true && !allFinite(data))) {
    for (let k = 0; k < data.length; k++) checkCell(data[k], what, Math.floor(k / cols), k % cols, dtype);
  }
  if ((dtype === 'float64') === (data instanceof Float64Array)) return x;
  return { rows, cols, data: dtype === 'float64' ? new Float64Array(data) : new Float32Array(data) };
}

/** The rows of a matrix as plain arrays. */
export function matrixToRows(m: NumericMatrix): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < m.rows; i++) out.push(Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));
  return out;
}

/**
 * Regression targets: a flat vector (read as one column) or a table of rows (one column per output).
 */
export function toTargetMatrix(
  y: ArrayLike<number> | MatrixInput,
  options: MatrixInputOptions = {},
): NumericMatrix {
  const what = options.what ?? 'y';
  if (isNumericMatrix(y)) return toNumericMatrix(y, { ...options, what });
  if (!isRowLike(y)) throw new Error(`${what}: expected an array of numbers, got ${describeValue(y)}`);
  if (y.length > 0 && isRowLike(y[0])) return toNumericMatrix(y as readonly ArrayLike<number>[], { ...options, what });
  const n = y.length;
  if (n === 0) throw new Error(`${what}: no values (empty data)`);
  if (options.rows !== undefined && n !== options.rows) throw new Error(`${what}: has ${n} values, expected ${options.rows} (one per row of x)`);
  if (options.cols !== undefined && options.cols !== 1) throw new Error(`${what}: has 1 column, expected ${options.cols}`);
  const dtype = options.dtype ?? 'float64';
  const data = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v: unknown = y[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${what}: row ${i} is ${describeValue(v)}; every target must be a finite number`);
    }
    data[i] = checkCell(v, what, i, 0, dtype);
  }
  return { rows: n, cols: 1, data };
}

/** A class label. Booleans and other types are rejected so that a label column has one clear type. */
export type Label = number | string;
export type LabelKind = 'number' | 'string';

export interface LabelOptions {
  /** The argument's name in error messages (default 'y'). */
  readonly what?: string;
  /** The number of labels required, e.g. the number of rows of x. */
  readonly rows?: number;
}

/**
 * Check a vector of class labels: non-empty, all numbers (finite) or all strings, never a mix.
 * Returns the kind, so that callers can refuse to compare string labels with numeric ones.
 */
export function checkLabels(y: ArrayLike<unknown>, options: LabelOptions = {}): LabelKind {
  const what = options.what ?? 'y';
  if (!isRowLike(y)) throw new Error(`${what}: expected an array of labels, got ${describeValue(y)}`);
  const n = y.length;
  if (n === 0) throw new Error(`${what}: no labels (empty data)`);
  if (options.rows !== undefined && n !== options.rows) throw new Error(`${what}: has ${n} labels, expected ${options.rows} (one per row of x)`);
  const first: unknown = y[0];
  if (typeof first !== 'number' && typeof first !== 'string') {
    throw new Error(`${what}: row 0 is ${describeValue(first)}; a class label must be a number or a string`);
  }
  const kind: LabelKind = typeof first === 'number' ? 'number' : 'string';
  for (let i = 0; i < n; i++) {
    const v: unknown = y[i];
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new Error(`${what}: row ${i} is ${v}; a numeric class label must be finite`);
    } else if (typeof v !== 'string') {
      throw new Error(`${what}: row ${i} is ${describeValue(v)}; a class label must be a number or a string`);
    }
    if (typeof v !== kind) {
      throw new Error(
        `${what}: row ${i} is ${describeValue(v)} but row 0 is ${describeValue(first)}; ` +
        'class labels must be all numbers or all strings, not a mix',
      );
    }
  }
  return kind;
}

/** Labels in their canonical order: numbers ascending, strings by code unit (as NumPy's unique). */
export function sortedUniqueLabels(y: ArrayLike<Label>): Label[] {
  const seen = new Set<Label>();
  for (let i = 0; i < y.length; i++) seen.add(y[i]!);
  return [...seen].sort(compareLabels);
}

export function compareLabels(a: Label, b: Label): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return typeof a === 'number' ? -1 : 1;
}

/** A label as it should appear in an error message. */
export function formatLabel(v: Label): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * Arrays as a Table, for the doors that take matrices and label vectors (the estimators): numeric
 * feature columns named x1…xn (or as given), and target columns of numbers or labels.
 */

import type { Label, NumericMatrix } from '../data/matrix-input.js';
import type { CategoryColumn, Column, NumberColumn, Table } from '../table/types.js';

/** Feature columns from a validated matrix. */
export function matrixColumns(x: NumericMatrix, names: readonly string[], first = 0): NumberColumn[] {
  return names.map((name, j) => {
    const values = new Float64Array(x.rows);
    for (let r = 0; r < x.rows; r++) values[r] = x.data[r * x.cols + j]!;
    return { type: 'number', name, index: first + j, values, missing: 0, firstMissing: null };
  });
}

/** A column of labels (numbers stay numbers; strings become a category) or of numeric targets. */
export function labelColumn(name: string, index: number, y: ArrayLike<Label>): Column {
  if (y.length === 0 || typeof y[0] === 'number') {
    const values = Float64Array.from({ length: y.length }, (_, i) => Number(y[i]));
    return { type: 'number', name, index, values, missing: 0, firstMissing: null };
  }
  const levels: string[] = [];
  const counts: number[] = [];
  const codeOf = new Map<string, number>();
  const codes = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const l = String(y[i]);
    let k = codeOf.get(l);
    if (k === undefined) { k = levels.length; codeOf.set(l, k); levels.push(l); counts.push(0); }
    counts[k]!++;
    codes[i] = k;
  }
  const c: CategoryColumn = { type: 'category', name, index, codes, levels, counts, missing: 0, firstMissing: null };
  return c;
}

/** A table of columns with rows numbered as an array is (row i on "line" i + 2, as under a header). */
export function columnsTable(source: string, columns: readonly Column[], rows: number): Table {
  return { source, columns, rows, lines: Int32Array.from({ length: rows }, (_, i) => i + 2), format: { kind: 'rows' } };
}

/**
 * Some rows of a table as a table of their own: what a split (held-out rows, cross-validation folds)
 * hands to training and scoring. The result is the table the same rows would give if they had been
 * written to a file of their own and read back: a category column's levels are the ones its rows use,
 * in order of first appearance, with their counts; missing counts are the rows'. Every row keeps the
 * editor line it has in the original file, so messages still point into the user's file.
 */

import type { CategoryColumn, Column, NumberColumn, Table } from './types.js';

/** The rows `indices` (0-based, in the order given) of a table, as a table named `source` (default: the table's). */
export function takeTableRows(table: Table, indices: ArrayLike<number>, source: string = table.source): Table {
  const n = indices.length;
  for (let i = 0; i < n; i++) {
    const r = indices[i]!;
    if (!(Number.isInteger(r) && r >= 0 && r < table.rows)) throw new RangeError(`takeTableRows: row ${r} is not a row of ${table.source} (0 to ${table.rows - 1})`);
  }
  const lines = new Int32Array(n);
  for (let i = 0; i < n; i++) lines[i] = table.lines[indices[i]!]!;
  const columns = table.columns.map((c) => takeColumn(c, indices, lines));
  return { source, columns, rows: n, lines, format: table.format };
}

function takeColumn(c: Column, indices: ArrayLike<number>, lines: Int32Array): Column {
  if (c.type === 'empty') return c;
  const lineOf = (i: number): number => lines[i]!;
  if (c.type === 'number') {
    const values = new Float64Array(indices.length);
    for (let i = 0; i < indices.length; i++) values[i] = c.values[indices[i]!]!;
    return restrictColumn({ ...c, values }, lineOf);
  }
  const codes = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) codes[i] = c.codes[indices[i]!]!;
  return restrictColumn({ ...c, codes }, lineOf);
}

/** The spelling of a missing cell: the original's when it is the one kept, else the column's first spelling. */
function firstMissingAt(c: Column, line: number | null): Column['firstMissing'] {
  if (line === null) return null;
  return { line, value: c.firstMissing?.value ?? '' };
}

/**
 * A column whose cells are already those of some rows, in their order (its counts and levels still the
 * whole column's), as `takeTableRows` gives it: the rows' missing count and first missing line
 * (`lineOf(i)`: the editor line of the i-th row) and, for a category, the levels these rows use, in order
 * of first appearance. A category's codes are renumbered in place.
 */
export function restrictColumn(c: Column, lineOf: (i: number) => number): Column {
  if (c.type === 'empty') return c;
  if (c.type === 'number') return restrictNumbers(c, lineOf);
  return restrictCategories(c, lineOf);
}

function restrictNumbers(c: NumberColumn, lineOf: (i: number) => number): NumberColumn {
  const values = c.values;
  let missing = 0;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]!)) { missing++; if (first < 0) first = i; }
  }
  return { ...c, missing, firstMissing: firstMissingAt(c, first < 0 ? null : lineOf(first)) };
}

function restrictCategories(c: CategoryColumn, lineOf: (i: number) => number): CategoryColumn {
  const codes = c.codes;
  // A boolean's two levels mean false and true: they stay. A category's levels are the ones these rows use.
  const keep = c.type === 'boolean';
  const map = new Int32Array(c.levels.length).fill(-1);
  const levels: string[] = keep ? [...c.levels] : [];
  const counts: number[] = keep ? [0, 0] : [];
  let missing = 0;
  let first = -1;
  for (let i = 0; i < codes.length; i++) {
    const k = codes[i]!;
    if (k < 0) { codes[i] = -1; missing++; if (first < 0) first = i; continue; }
    if (map[k] === -1) {
      map[k] = keep ? k : levels.length;
      if (!keep) { levels.push(c.levels[k]!); counts.push(0); }
    }
    const code = map[k]!;
    codes[i] = code;
    counts[code]!++;
  }
  return { ...c, codes, levels, counts, missing, firstMissing: firstMissingAt(c, first < 0 ? null : lineOf(first)) };
}

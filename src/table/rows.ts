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
  if (c.type === 'number') return takeNumbers(c, indices, lines);
  if (c.type === 'empty') return c;
  return takeCategories(c, indices, lines);
}

/** The spelling of a missing cell: the original's when it is the one kept, else the column's first spelling. */
function firstMissingAt(c: Column, line: number | null): Column['firstMissing'] {
  if (line === null) return null;
  return { line, value: c.firstMissing?.value ?? '' };
}

function takeNumbers(c: NumberColumn, indices: ArrayLike<number>, lines: Int32Array): NumberColumn {
  const values = new Float64Array(indices.length);
  let missing = 0;
  let first: number | null = null;
  for (let i = 0; i < indices.length; i++) {
    const v = c.values[indices[i]!]!;
    values[i] = v;
    if (Number.isNaN(v)) { missing++; first ??= lines[i]!; }
  }
  return { ...c, values, missing, firstMissing: firstMissingAt(c, first) };
}

function takeCategories(c: CategoryColumn, indices: ArrayLike<number>, lines: Int32Array): CategoryColumn {
  const codes = new Int32Array(indices.length);
  // A boolean's two levels mean false and true: they stay. A category's levels are the ones these rows use.
  const keep = c.type === 'boolean';
  const map = new Int32Array(c.levels.length).fill(-1);
  const levels: string[] = keep ? [...c.levels] : [];
  const counts: number[] = keep ? [0, 0] : [];
  let missing = 0;
  let first: number | null = null;
  for (let i = 0; i < indices.length; i++) {
    const k = c.codes[indices[i]!]!;
    if (k < 0) { codes[i] = -1; missing++; first ??= lines[i]!; continue; }
    if (map[k] === -1) {
      map[k] = keep ? k : levels.length;
      if (!keep) { levels.push(c.levels[k]!); counts.push(0); }
    }
    const code = map[k]!;
    codes[i] = code;
    counts[code]!++;
  }
  return { ...c, codes, levels, counts, missing, firstMissing: firstMissingAt(c, first) };
}

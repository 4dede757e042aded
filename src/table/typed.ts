/**
 * Tables from formats that carry their own column types (Parquet, Arrow): a numeric column is a number
 * column, a text or boolean column a category (a boolean when its levels are a true/false pair), under
 * the same missing-value markers, forced types and column choice as a text table. Rows are numbered as
 * the lines of the same table written as CSV (line 1 = the header).
 */

import { cellRules } from './cells.js';
import { ColumnBuilder } from './columns.js';
import { TableError, type ReadTableOptions, type Table } from './types.js';
import { checkNames, finishTable, pushValue } from './values.js';

/** A value a typed format hands over. */
export type TypedValue = number | string | boolean | bigint | Date | null | undefined;

export interface TypedColumnSource {
  readonly name: string;
  /** The format's type, reduced: numbers, or anything read as categories. */
  readonly type: 'number' | 'category';
  /** The column's values in row order, in pieces (row groups, record batches). */
  readonly pieces: readonly ArrayLike<TypedValue>[];
}

export function pushTyped(b: ColumnBuilder, v: TypedValue, line: number): void {
  if (typeof v === 'bigint') pushValue(b, Number(v), line);
  else if (v instanceof Date) pushValue(b, Number.isNaN(v.getTime()) ? null : v.toISOString(), line);
  else pushValue(b, v, line);
}

/** A table of typed columns, all `rows` long. */
export function tableFromTyped(source: string, kind: 'parquet' | 'arrow', columns: readonly TypedColumnSource[], rows: number, options: ReadTableOptions): Table {
  const rules = cellRules(source, options.missing, options.decimal);
  checkNames(columns.map((c) => c.name), source);
  const wanted = options.columns === undefined ? null : new Set(options.columns);
  const builders = columns.filter((c) => wanted === null || wanted.has(c.name)).map((c) => {
    const forced = options.types?.[c.name];
    const b = new ColumnBuilder(c.name, columns.indexOf(c), rules, forced !== undefined, rows);
    b.decide(forced ?? c.type);
    let line = 2;
    for (const piece of c.pieces) {
      for (let i = 0; i < piece.length; i++) pushTyped(b, piece[i], line++);
    }
    if (b.length !== rows) throw new TableError(`${source}: column ${c.name} has ${b.length} values, but the table has ${rows} rows`, source, null, c.name);
    return b;
  });
  const t = finishTable(source, builders, rows, Int32Array.from({ length: rows }, (_, i) => i + 2), options, 'rows');
  return { ...t, format: { kind } };
}

/**
 * Tables from formats that carry their own column types (Parquet, Arrow): a numeric column is a number
 * column, a text or boolean column a category (a boolean when its levels are a true/false pair), under
 * the same missing-value markers, forced types and column choice as a text table. Rows are numbered as
 * the lines of the same table written as CSV (line 1 = the header).
 */

import { cellRules } from './cells.js';
import { ColumnBuilder } from './columns.js';
import { TableError, type ReadTableOptions, type Table } from './types.js';
import { checkNames, checkWanted, finishTable, pushValue } from './values.js';
import type { BlockSink, StreamSummary } from './blocks.js';

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

/** The builders of the columns read (option columns), typed as the format (or option types) says. */
function typedBuilders(source: string, fields: readonly Pick<TypedColumnSource, 'name' | 'type'>[], options: ReadTableOptions, capacity: number): { field: number; builder: ColumnBuilder }[] {
  const rules = cellRules(source, options.missing, options.decimal);
  checkNames(fields.map((c) => c.name), source);
  const wanted = options.columns === undefined ? null : new Set(options.columns);
  return fields.flatMap((c, j) => {
    if (wanted !== null && !wanted.has(c.name)) return [];
    const forced = options.types?.[c.name];
    const builder = new ColumnBuilder(c.name, j, rules, forced !== undefined, capacity);
    builder.decide(forced ?? c.type);
    return [{ field: j, builder }];
  });
}

/** A table of typed columns, all `rows` long. */
export function tableFromTyped(source: string, kind: 'parquet' | 'arrow', columns: readonly TypedColumnSource[], rows: number, options: ReadTableOptions): Table {
  const builders = typedBuilders(source, columns, options, rows).map(({ field, builder: b }) => {
    const c = columns[field]!;
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

/**
 * A table of typed columns read a piece at a time (a Parquet row group, an Arrow record batch) and handed
 * out in blocks of `sink.blockRows` rows, under the same rules as `tableFromTyped`: what the on-disk cache
 * takes from a file too large to hold whole.
 */
export class TypedBlockRead {
  private readonly builders: { field: number; builder: ColumnBuilder }[];
  /** Rows pushed, and rows not yet handed out. */
  private rows = 0;
  private pending = 0;

  constructor(private readonly source: string, private readonly kind: 'parquet' | 'arrow', private readonly fields: readonly Pick<TypedColumnSource, 'name' | 'type'>[], options: ReadTableOptions, private readonly sink: BlockSink) {
    checkWanted(source, fields.map((f) => f.name), options);
    this.builders = typedBuilders(source, fields, options, sink.blockRows);
  }

  /** Append `rows` rows: the values of each field (`pieces[j]`, in the fields' order; a field not read may be null). */
  push(pieces: readonly (ArrayLike<TypedValue> | null)[], rows: number): void {
    for (const { field } of this.builders) {
      const p = pieces[field];
      if (p == null || p.length !== rows) throw new TableError(`${this.source}: column ${this.fields[field]!.name} has ${p?.length ?? 0} values in a piece of ${rows} rows`, this.source, null, this.fields[field]!.name);
    }
    for (let s = 0; s < rows;) {
      const take = Math.min(rows - s, this.sink.blockRows - this.pending);
      for (const { field, builder } of this.builders) {
        const p = pieces[field]!;
        for (let i = s, line = this.rows + 2; i < s + take; i++, line++) pushTyped(builder, p[i], line);
      }
      this.rows += take;
      this.pending += take;
      s += take;
      if (this.pending === this.sink.blockRows) this.flush();
    }
  }

  private flush(): void {
    if (this.pending === 0) return;
    const first = this.rows - this.pending + 2;
    const lines = Int32Array.from({ length: this.pending }, (_, i) => first + i);
    this.sink.onBlock({ rows: this.pending, lines, cells: this.builders.map(({ builder }) => builder.drain()) });
    this.pending = 0;
  }

  /** Hand out the last block; what the read knows of its columns. */
  finish(): StreamSummary {
    this.flush();
    if (this.rows === 0) throw new TableError(`${this.source}: the table has no rows`, this.source);
    return this.summarySoFar();
  }

  /** What the read knows of its columns so far (while blocks are handed out: their levels up to now). */
  summarySoFar(): StreamSummary {
    return { source: this.source, rows: this.rows, columns: this.builders.map(({ builder }) => builder.summary()), format: { kind: this.kind } };
  }
}

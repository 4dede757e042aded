/**
 * Tables from JavaScript values — rows of objects, arrays with a header, columns, JSON lines — under the
 * same rules as CSV cells: a number is a number, a string is read as a CSV cell would be (so '1.5' is a
 * number and 'NA' is missing), a boolean is spelled 'true'/'false', null and undefined are missing.
 * Types are decided on the first `sampleRows` values of each column, exactly as for a file.
 */

import { CellKind, cellRules, classify, showValue, type CellRules } from './cells.js';
import { ColumnBuilder, TypeStats, decideType } from './columns.js';
import { checkReadOptions } from './options.js';
import { TableError, type Column, type ReadTableOptions, type Table } from './types.js';

/** A cell given as a value. */
export type CellValue = number | string | boolean | null | undefined;

/** What a value is, as a CSV cell would be. */
export function classifyValue(v: CellValue, rules: CellRules): CellKind {
  switch (typeof v) {
    case 'number': return Number.isNaN(v) ? CellKind.Missing : Number.isFinite(v) ? CellKind.Number : CellKind.Text;
    case 'string': return classify(v, rules);
    case 'boolean': return CellKind.Text;
    case 'undefined': return CellKind.Missing;
    default: return CellKind.Missing;
  }
}

function spell(v: CellValue): string {
  return v === undefined ? '' : String(v);
}

/** Put one value into its column. */
export function pushValue(b: ColumnBuilder, v: CellValue, line: number): void {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) b.pushMissing(line, 'NaN');
    else if (Number.isFinite(v) && b.type !== 'category') b.pushNumber(v, line);
    else b.pushText(String(v), line);
  } else if (typeof v === 'string') b.pushText(v, line);
  else if (typeof v === 'boolean') b.pushText(v ? 'true' : 'false', line);
  else b.pushMissing(line, spell(v));
}

/** A column of values: typed on its first values, then filled. `line(i)` is the line of value i. */
export function columnOfValues(
  name: string, index: number, values: ArrayLike<CellValue>, rules: CellRules, options: ReadTableOptions, line: (i: number) => number,
): ColumnBuilder {
  const forced = options.types?.[name];
  const stats = new TypeStats();
  const sample = Math.min(values.length, Math.max(1, options.sampleRows ?? 1000));
  for (let i = 0; i < sample; i++) { const v = values[i]; stats.add(classifyValue(v, rules), spell(v), line(i)); }
  const b = new ColumnBuilder(name, index, rules, forced !== undefined, values.length);
  b.decide(decideType(stats, forced, rules, name, index));
  for (let i = 0; i < values.length; i++) pushValue(b, values[i], line(i));
  return b;
}

/** Rows are numbered as the lines of the same table written as CSV (line 1 = the header). */
const rowLine = (i: number): number => i + 2;

function checkNames(names: readonly string[], source: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new TableError(`${source}: column ${showValue(n)} is named twice; column names must be unique`, source, null, n);
    seen.add(n);
  }
}

function finishTable(source: string, builders: readonly ColumnBuilder[], rows: number, lines: Int32Array, options: ReadTableOptions, kind: 'rows' | 'jsonl' = 'rows'): Table {
  if (rows === 0) throw new TableError(`${source}: the table has no rows`, source);
  const wanted = options.columns;
  const kept = wanted === undefined ? builders : builders.filter((b) => wanted.includes(b.name));
  checkWanted(source, builders.map((b) => b.name), options);
  const columns: Column[] = kept.map((b) => b.finish());
  return { source, columns, rows, lines, format: { kind } };
}

/** Refuse a column asked for (option columns) that the table does not have, naming the ones it has. */
function checkWanted(source: string, names: readonly string[], options: ReadTableOptions): void {
  for (const w of options.columns ?? []) {
    if (!names.includes(w)) throw new TableError(`${source}: no column ${showValue(w)} (option columns); the columns are ${names.map((n) => showValue(n)).join(', ')}`, source, null, w);
  }
}

/** The reader's options, and the column names of rows given as arrays. */
export interface RowsOptions extends ReadTableOptions {
  /** The column names, when the rows are arrays. */
  readonly header?: readonly string[];
}

/**
 * A table from rows: objects keyed by column name (the names are the keys of all rows, in order of first
 * appearance; a key a row lacks is a missing cell), or arrays of cells with `header` naming the columns.
 */
export function tableFromRows(rows: readonly (Readonly<Record<string, CellValue>> | readonly CellValue[])[], options: RowsOptions = {}): Table {
  checkReadOptions(options, 'tableFromRows', ['header']);
  const source = options.source ?? 'rows';
  const rules = cellRules(source, options.missing, options.decimal);
  const names = namesOfRows(rows, options.header, source);
  checkNames(names, source);
  const builders = names.map((name, j) => {
    const column: CellValue[] = new Array<CellValue>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      column[i] = isArrayRow(r) ? r[j] : r[name];
    }
    return columnOfValues(name, j, column, rules, options, rowLine);
  });
  return finishTable(source, builders, rows.length, Int32Array.from({ length: rows.length }, (_, i) => rowLine(i)), options);
}

function isArrayRow(r: Readonly<Record<string, CellValue>> | readonly CellValue[]): r is readonly CellValue[] {
  return Array.isArray(r);
}

function namesOfRows(rows: readonly (Readonly<Record<string, CellValue>> | readonly CellValue[])[], header: readonly string[] | undefined, source: string): string[] {
  if (header !== undefined) {
    rows.forEach((r, i) => {
      if (!isArrayRow(r)) throw new TableError(`${source}: row ${i + 1} is an object, but a header was given: pass arrays of cells with a header, or objects without one`, source, rowLine(i));
      if (r.length !== header.length) {
        throw new TableError(`${source}, line ${rowLine(i)}: ${r.length} cells, but the header has ${header.length} columns (ragged row)`, source, rowLine(i));
      }
    });
    return [...header];
  }
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    if (isArrayRow(r)) throw new TableError(`${source}: row ${i + 1} is an array; arrays of cells need the option header naming the columns`, source, rowLine(i));
    for (const k of Object.keys(r)) seen.add(k);
  });
  return [...seen];
}

/** Arrays a column may be given as. */
export type ColumnValues = readonly CellValue[] | Float64Array | Float32Array | Int32Array | Uint8Array | Int8Array | Int16Array | Uint16Array | Uint32Array;

/** A table from columns: a record of equally long arrays, keyed by column name. */
export function tableFromColumns(columns: Readonly<Record<string, ColumnValues>>, options: ReadTableOptions = {}): Table {
  checkReadOptions(options, 'tableFromColumns');
  const source = options.source ?? 'columns';
  const rules = cellRules(source, options.missing, options.decimal);
  const names = Object.keys(columns);
  const rows = names.length === 0 ? 0 : columns[names[0]!]!.length;
  const builders = names.map((name, j) => {
    const values = columns[name]!;
    if (values.length !== rows) {
      throw new TableError(`${source}: column ${showValue(name)} has ${values.length} values, but column ${showValue(names[0]!)} has ${rows}; every column needs one value per row`, source, null, name);
    }
    return columnOfValues(name, j, values, rules, options, rowLine);
  });
  return finishTable(source, builders, rows, Int32Array.from({ length: rows }, (_, i) => rowLine(i)), options);
}

export { finishTable, checkNames, checkWanted };

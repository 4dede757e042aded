/**
 * Tables in blocks: a streamed read hands its rows out a block at a time (the cells of each kept column
 * for those rows, and their editor lines), and at the end a summary of every column (type, levels and
 * counts, missing cells). A block and the summary together are an ordinary Table of the block's rows,
 * so the preprocessor and the pipeline read a block as they read any table.
 */

import { takeTableRows } from './rows.js';
import { TableError, type Column, type ColumnSummary, type Table } from './types.js';

/** One block of a streamed read: per kept column, the cells of the block's rows (null while a column has no value yet: all missing). */
export interface RawBlock {
  readonly rows: number;
  readonly lines: Int32Array;
  readonly cells: readonly (Float64Array | Int32Array | null)[];
  /** Missing cells per column, when known (else counted when the block becomes a table). */
  readonly missing?: readonly number[];
}

/** What a streamed read knows at its end: its rows, its columns (without cells) and how the text was read. */
export interface StreamSummary {
  readonly source: string;
  readonly rows: number;
  readonly columns: readonly ColumnSummary[];
  readonly format: Table['format'];
}

/** How a streamed read hands its blocks out. */
export interface BlockSink {
  /** Rows per block (the last block may hold fewer). */
  readonly blockRows: number;
  readonly onBlock: (block: RawBlock) => void;
}

/** A column of a block's rows, typed as the whole column's summary says. */
export function blockColumn(c: ColumnSummary, rows: number, cells: Float64Array | Int32Array | null, known?: number): Column {
  const base = { name: c.name, index: c.index };
  if (c.type === 'empty') return { ...base, type: 'empty', missing: rows, firstMissing: null };
  if (c.type === 'number') {
    const values = cells instanceof Float64Array ? cells : new Float64Array(rows).fill(NaN);
    let missing = known ?? 0;
    if (known === undefined) for (let i = 0; i < rows; i++) if (values[i] !== values[i]) missing++;
    return { ...base, type: 'number', values, missing, firstMissing: missing > 0 ? c.firstMissing : null };
  }
  const codes = cells instanceof Int32Array ? cells : new Int32Array(rows).fill(-1);
  if (c.type === 'boolean') for (let i = 0; i < rows; i++) { const k = codes[i]!; if (k >= 0) codes[i] = c.codeMap[k]!; }
  let missing = known ?? 0;
  if (known === undefined) for (let i = 0; i < rows; i++) if (codes[i]! < 0) missing++;
  return { ...base, type: c.type, codes, levels: c.levels, counts: c.counts, missing, firstMissing: missing > 0 ? c.firstMissing : null };
}

/** Missing cells of a block's column (NaN numbers, negative codes; every row when the column has no cell yet). */
export function missingCells(rows: number, cells: Float64Array | Int32Array | null): number {
  if (cells === null) return rows;
  let n = 0;
  if (cells instanceof Float64Array) { for (let i = 0; i < rows; i++) if (cells[i] !== cells[i]) n++; } else for (let i = 0; i < rows; i++) if (cells[i]! < 0) n++;
  return n;
}

/** A block's rows as a Table (the columns typed by the summary; levels and counts are the whole column's). */
export function blockTable(summary: StreamSummary, block: RawBlock, source = summary.source): Table {
  if (block.cells.length !== summary.columns.length) throw new TableError(`${source}: a block holds ${block.cells.length} columns, the table ${summary.columns.length}`, source);
  const columns = summary.columns.map((c, j) => blockColumn(c, block.rows, block.cells[j]!, block.missing?.[j]));
  return { source, columns, rows: block.rows, lines: block.lines, format: summary.format };
}

/** A table held in blocks somewhere (an on-disk cache): its summary, and its blocks or whole columns read on demand. */
export interface BlockSource {
  readonly summary: StreamSummary;
  /** Rows of each block, in order. */
  readonly blockRows: readonly number[];
  readBlock(i: number): RawBlock;
  /** The cells of one column over every row (null when the column holds no cell at all). */
  readCells(column: number): Float64Array | Int32Array | null;
  /** The editor line of every row. */
  readLines(): Int32Array;
}

/**
 * A block source as a Table whose columns are read when they are used, one at a time (the last one read is
 * kept): what fits a preprocessor, or splits the rows, on a table too large to hold whole. With `rows`, the
 * table of those rows (as `takeTableRows` gives them).
 */
export function lazyTable(src: BlockSource, rows: Int32Array | null = null, source = src.summary.source): Table {
  const s = src.summary;
  let lines: Int32Array | null = null;
  const allLines = (): Int32Array => (lines ??= src.readLines());
  let last: { j: number; column: Column } | null = null;
  const load = (j: number): Column => {
    if (last?.j === j) return last.column;
    const whole: Table = { source, columns: [blockColumn(s.columns[j]!, s.rows, src.readCells(j))], rows: s.rows, lines: allLines(), format: s.format };
    const column = rows === null ? whole.columns[0]! : takeTableRows(whole, rows, source).columns[0]!;
    last = { j, column };
    return column;
  };
  const columns = s.columns.map((c, j) => lazyColumn(c, () => load(j)));
  let subsetLines: Int32Array | null = null;
  return {
    source, columns, rows: rows === null ? s.rows : rows.length, format: s.format,
    get lines(): Int32Array {
      if (rows === null) return allLines();
      return (subsetLines ??= Int32Array.from(rows, (r) => allLines()[r]!));
    },
  };
}

/** A column whose name, position and type are known and whose cells (and counts) are read when asked for. */
function lazyColumn(c: ColumnSummary, load: () => Column): Column {
  const field = (k: string): unknown => (load() as unknown as Record<string, unknown>)[k];
  const out = { name: c.name, index: c.index, type: c.type };
  for (const k of ['missing', 'firstMissing', 'values', 'codes', 'levels', 'counts']) {
    if ((k === 'values' && c.type !== 'number') || ((k === 'codes' || k === 'levels' || k === 'counts') && (c.type === 'number' || c.type === 'empty'))) continue;
    Object.defineProperty(out, k, { get: () => field(k), enumerable: true });
  }
  return out as unknown as Column;
}

/**
 * Tables in blocks: a streamed read hands its rows out a block at a time (the cells of each kept column
 * for those rows, and their editor lines), and at the end a summary of every column (type, levels and
 * counts, missing cells). A block and the summary together are an ordinary Table of the block's rows,
 * so the preprocessor and the pipeline read a block as they read any table.
 */

import { restrictColumn } from './rows.js';
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
  /** One block's cells of one column (null when the block holds none), read into `into` when it is given and long enough. */
  readBlockCells(block: number, column: number, into?: Float64Array | Int32Array): Float64Array | Int32Array | null;
  /** One block's editor lines, read into `into` when it is given and long enough. */
  readBlockLines(block: number, into?: Int32Array): Int32Array;
}

/**
 * Some rows of a block source, in any order, read a block at a time: each block's cells are copied to
 * where its rows are wanted, so a column of the rows costs their cells and one block, never the whole
 * column. (Positions are grouped by block once, by a counting sort.)
 */
class RowGather {
  /** Positions in `rows`, grouped by block (each block's in increasing position). */
  private readonly order: Int32Array;
  /** Where each block's positions start in `order` (one more entry than blocks). */
  private readonly bucket: Int32Array;
  private readonly starts: Int32Array;
  private scratch: Float64Array<ArrayBuffer> | null = null;

  constructor(private readonly src: BlockSource, private readonly rows: Int32Array) {
    const sizes = src.blockRows;
    this.starts = new Int32Array(sizes.length + 1);
    for (let b = 0; b < sizes.length; b++) this.starts[b + 1] = this.starts[b]! + sizes[b]!;
    const blockOf = new Int32Array(rows.length);
    this.bucket = new Int32Array(sizes.length + 1);
    for (let i = 0; i < rows.length; i++) {
      const b = this.blockOf(rows[i]!);
      blockOf[i] = b;
      this.bucket[b + 1]!++;
    }
    for (let b = 0; b < sizes.length; b++) this.bucket[b + 1]! += this.bucket[b]!;
    const next = this.bucket.slice(0, sizes.length);
    this.order = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) this.order[next[blockOf[i]!]!++] = i;
  }

  /** The block holding a row (a binary search over the blocks' first rows). */
  private blockOf(row: number): number {
    let lo = 0;
    let hi = this.starts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= row) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /** Copy each block's cells (from `read`) to the positions of its rows in `out`; a block with none leaves `absent`. */
  private gather<A extends Float64Array<ArrayBufferLike> | Int32Array<ArrayBufferLike>>(out: A, absent: number, read: (b: number, into: A) => A | null, view: (bytes: ArrayBuffer) => A): A {
    for (let b = 0; b + 1 < this.starts.length; b++) {
      const from = this.bucket[b]!;
      const to = this.bucket[b + 1]!;
      if (from === to) continue;
      const size = this.src.blockRows[b]!;
      if (this.scratch === null || this.scratch.length < size) this.scratch = new Float64Array(size);
      const cells = read(b, view(this.scratch.buffer));
      const first = this.starts[b]!;
      for (let k = from; k < to; k++) {
        const i = this.order[k]!;
        out[i] = cells === null ? absent : cells[this.rows[i]! - first]!;
      }
    }
    return out;
  }

  /** Column j's cells of the rows, in their order (null when the column holds no cell at all). */
  cells(j: number, type: ColumnSummary['type']): Float64Array | Int32Array | null {
    if (type === 'empty') return null;
    if (type === 'number') return this.gather<Float64Array>(new Float64Array(this.rows.length), NaN, (b, into) => this.src.readBlockCells(b, j, into) as Float64Array | null, (x) => new Float64Array(x));
    return this.gather<Int32Array>(new Int32Array(this.rows.length), -1, (b, into) => this.src.readBlockCells(b, j, into) as Int32Array | null, (x) => new Int32Array(x));
  }

  /** The rows' editor lines, in their order. */
  lines(): Int32Array {
    return this.gather<Int32Array>(new Int32Array(this.rows.length), 0, (b, into) => this.src.readBlockLines(b, into), (x) => new Int32Array(x));
  }
}

/**
 * A block source as a Table whose columns are read when they are used, one at a time (the last one read is
 * kept): what fits a preprocessor, or splits the rows, on a table too large to hold whole. With `rows`, the
 * table of those rows (as `takeTableRows` gives them).
 */
export function lazyTable(src: BlockSource, rows: Int32Array | null = null, source = src.summary.source): Table {
  const s = src.summary;
  const some = rows === null ? null : new RowGather(src, rows);
  let lines: Int32Array | null = null;
  const allLines = (): Int32Array => (lines ??= some === null ? src.readLines() : some.lines());
  let last: { j: number; column: Column } | null = null;
  const load = (j: number): Column => {
    if (last?.j === j) return last.column;
    const c = s.columns[j]!;
    last = null;
    const column = some === null
      ? blockColumn(c, s.rows, src.readCells(j))
      : restrictColumn(blockColumn(c, rows!.length, some.cells(j, c.type)), (i) => allLines()[i]!);
    last = { j, column };
    return column;
  };
  const columns = s.columns.map((c, j) => lazyColumn(c, () => load(j)));
  return {
    source, columns, rows: rows === null ? s.rows : rows.length, format: s.format,
    get lines(): Int32Array { return allLines(); },
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

/**
 * The table every front door reads: typed columns straight from the file, before any preprocessing.
 *
 * A column is one of
 *   number    Float64Array of values, NaN where the cell is missing;
 *   category  Int32Array of codes into `levels` (order of first appearance), −1 where missing;
 *   boolean   a category whose levels are exactly the two spellings seen (true/false, yes/no, …),
 *             codes 0 = false, 1 = true, −1 missing;
 *   empty     every cell is missing (nothing to learn from; the preprocessor refuses or drops it).
 * Every row remembers the line an editor shows it on (1 = the header), so an error found later, in
 * the preprocessor, still names the file, line, column and value.
 */

/** Where a cell is, for messages. */
export interface CellPlace { readonly line: number; readonly value: string }

interface ColumnBase {
  readonly name: string;
  /** 0-based position in the file. */
  readonly index: number;
  /** Number of missing cells. */
  readonly missing: number;
  /** The first missing cell (its line and its raw spelling), or null. */
  readonly firstMissing: CellPlace | null;
}

/** A numeric column: one value per row, NaN where the cell is missing. */
export interface NumberColumn extends ColumnBase {
  readonly type: 'number';
  readonly values: Float64Array;
}

/** A category (or boolean) column: one code per row into `levels`, −1 where the cell is missing. */
export interface CategoryColumn extends ColumnBase {
  readonly type: 'category' | 'boolean';
  readonly codes: Int32Array;
  readonly levels: readonly string[];
  /** How often each level occurs. */
  readonly counts: readonly number[];
}

/** A column whose every cell is missing. */
export interface EmptyColumn extends ColumnBase {
  readonly type: 'empty';
}

/**
 * A column without its cells: what a streamed read knows of it once every block has gone by (the cells
 * went out block by block). A boolean's blocks hold the codes of its spellings in order of appearance;
 * `codeMap` turns each into 0 = false, 1 = true.
 */
export type ColumnSummary =
  | (ColumnBase & { readonly type: 'number' })
  | (ColumnBase & { readonly type: 'empty' })
  | (ColumnBase & { readonly type: 'category'; readonly levels: readonly string[]; readonly counts: readonly number[] })
  | (ColumnBase & { readonly type: 'boolean'; readonly levels: readonly string[]; readonly counts: readonly number[]; readonly codeMap: readonly number[] });

/** One column of a table, by type. */
export type Column = NumberColumn | CategoryColumn | EmptyColumn;
/** A column's type: number, category, boolean or empty. */
export type ColumnType = Column['type'];

/** A table read from a file, a stream or arrays: typed columns and the editor line of every row. */
export interface Table {
  /** The name used in messages (a file's base name, or what the caller passed as `source`). */
  readonly source: string;
  readonly columns: readonly Column[];
  readonly rows: number;
  /** The editor line on which each data row starts (1 = the header line). */
  readonly lines: Int32Array;
  /** How the text was read (CSV/TSV); null for binary formats. */
  readonly format: { readonly kind: 'csv' | 'parquet' | 'arrow' | 'jsonl' | 'rows'; readonly delimiter?: string; readonly decimal?: '.' | ',' };
}

/** What a reader may be told. */
export interface ReadTableOptions {
  /** The name used in messages. */
  readonly source?: string;
  /** Force a delimiter instead of sniffing one. */
  readonly delimiter?: string;
  /** The decimal separator; when a file's numbers use ',' and this is not set, reading refuses with a clear message. */
  readonly decimal?: '.' | ',';
  /** Force the type of some columns (e.g. the ones a trained model expects: a zip code stays a category). */
  readonly types?: Readonly<Record<string, 'number' | 'category'>>;
  /** Cells read as missing. Default ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?']. */
  readonly missing?: readonly string[];
  /** Only these columns are kept (others are skipped while reading). */
  readonly columns?: readonly string[];
  /** Records sampled before the column types are decided. Default 1000. */
  readonly sampleRows?: number;
  /** Called as the input is read. */
  readonly onProgress?: (p: ReadProgress) => void;
  /** The input's format; default: from the file name's extension, else sniffed from its first bytes. */
  readonly format?: TableFormat;
  /** Most columns a table may have. Default 100,000. */
  readonly maxColumns?: number;
  /** Longest field (in UTF-8 bytes) a text table may hold. Default 1 MiB. */
  readonly maxFieldBytes?: number;
  /** The input's size in bytes, when the caller knows it and the input cannot tell (a stream): for progress. */
  readonly totalBytes?: number;
}

/** Formats a table is read from. */
export type TableFormat = 'csv' | 'tsv' | 'jsonl' | 'parquet' | 'arrow';

/** How far a read has come. */
export interface ReadProgress {
  readonly bytes: number;
  /** Total bytes when known, else null. */
  readonly totalBytes: number | null;
  readonly rows: number;
}

/** A table error: names the source, and where known the line, column and value. */
export class TableError extends Error {
  override readonly name = 'TableError';
  constructor(message: string, readonly source: string, readonly line: number | null = null, readonly column: string | null = null) {
    super(message);
  }
}

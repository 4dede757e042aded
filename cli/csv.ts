/**
 * CSV / TSV ingestion for the command: a header row, then one record per line.
 *
 * The file streams through csv-parse; each cell is converted as it arrives, so a numeric column is a
 * growing Float64Array and a categorical one a growing Int32Array of codes into its distinct levels:
 * memory is 8 bytes per numeric cell (4 per categorical cell), whatever the size of the file.
 *
 * - The delimiter (',' '\t' ';' '|') is sniffed from the first lines, outside quotes.
 * - UTF-8 with or without a byte-order mark; LF or CRLF line ends; quoted fields may hold delimiters,
 *   quotes ("") and line breaks.
 * - A column is numeric when most non-missing cells among the first `sampleRows` records are numbers,
 *   otherwise categorical (or as the caller forces it). A non-number in a numeric column is an error,
 *   never a NaN and never a silent switch to categories.
 * - Missing cells ('', NA, N/A, NaN, null, ?) are recorded (NaN / code −1) with the first one's place,
 *   so the caller can refuse them or impute.
 * - Every error names the file, the line as an editor numbers it (1 = the header), the column and the value.
 */

import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { parse, type CsvError, type InfoRecord } from 'csv-parse';
import { CliError, cellPlace, showValue } from './errors.js';
import { isStdio, openInput } from './io.js';

export type ColumnKind = 'numeric' | 'categorical';

/** Where the first missing cell of a column is, for the error that refuses it. */
export interface MissingCell { readonly line: number; readonly value: string }

export interface NumericColumn {
  readonly kind: 'numeric';
  readonly name: string;
  readonly index: number;
  /** One value per data row; NaN where the cell is missing. */
  readonly values: Float64Array;
  readonly missing: number;
  readonly firstMissing: MissingCell | null;
}

export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly name: string;
  readonly index: number;
  /** One code per data row into `levels`; −1 where the cell is missing. */
  readonly codes: Int32Array;
  /** The distinct values, in order of first appearance. */
  readonly levels: readonly string[];
  /** How often each level occurs. */
  readonly counts: readonly number[];
  readonly missing: number;
  readonly firstMissing: MissingCell | null;
}

export type Column = NumericColumn | CategoricalColumn;

export interface Table {
  /** The file name used in messages. */
  readonly file: string;
  readonly delimiter: string;
  readonly columns: readonly Column[];
  readonly rows: number;
  /** The editor line on which each data row starts. */
  readonly lines: Int32Array;
}

export interface ReadTableOptions {
  /** Force a delimiter instead of sniffing one. */
  readonly delimiter?: string;
  /** Force the kind of some columns (e.g. the ones a trained model expects). */
  readonly kinds?: ReadonlyMap<string, ColumnKind>;
  /** Records read before the column kinds are decided. Default 1000. */
  readonly sampleRows?: number;
  /** Called as the file is read (bytes so far, total bytes, rows so far). */
  readonly onProgress?: (bytes: number, total: number, rows: number) => void;
}

export const MISSING_TOKENS: ReadonlySet<string> = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?']);

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The number a cell holds, or null if it is not a plain decimal number. */
export function parseNumber(s: string): number | null {
  if (!NUMBER.test(s)) return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

const CANDIDATES = [',', '\t', ';', '|'] as const;

/**
 * The delimiter of a sample of the file: the candidate that occurs (outside quotes) the same, non-zero
 * number of times on the most of the first lines; ties go to the order ',', tab, ';', '|'.
 */
export function sniffDelimiter(sample: string): string {
  const lines: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < sample.length && lines.length < 20; i++) {
    const ch = sample[i]!;
    if (ch === '"') quoted = !quoted;
    if (!quoted && (ch === '\n' || ch === '\r')) {
      if (cur.trim() !== '') lines.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  // A last line cut off by the end of the sample would miscount, unless the sample is the whole file.
  if (cur.trim() !== '' && lines.length === 0) lines.push(cur);
  let best: string = ',';
  let bestScore = -1;
  for (const d of CANDIDATES) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    const first = counts[0] ?? 0;
    if (first === 0) continue;
    const score = counts.filter((c) => c === first).length;
    if (score > bestScore) { best = d; bestScore = score; }
  }
  return best;
}

function countOutsideQuotes(line: string, d: string): number {
  let n = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === d) n++;
  }
  return n;
}

/** Line breaks in a record's raw text: LF, CRLF and a lone CR each count once. */
function lineBreaks(raw: string): number {
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && raw.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

/** With `raw: true` the parser hands `{ record, raw }` to `on_record`; its fields are `record`. */
function fieldsOf(r: unknown): string[] {
  if (Array.isArray(r)) return r as string[];
  return (r as { record: string[] }).record;
}

/** A column being filled: kind undecided until the sample is read (or its first non-missing cell). */
class ColumnBuilder {
  kind: ColumnKind | null = null;
  values = new Float64Array(1024);
  codes = new Int32Array(0);
  readonly levels: string[] = [];
  readonly counts: number[] = [];
  private readonly levelIndex = new Map<string, number>();
  missing = 0;
  firstMissing: MissingCell | null = null;
  length = 0;

  constructor(readonly name: string, readonly index: number) {}

  decide(kind: ColumnKind): void {
    this.kind = kind;
    if (kind === 'categorical') {
      this.codes = new Int32Array(Math.max(1024, this.values.length));
      // Rows pushed while undecided were all missing.
      this.codes.fill(-1, 0, this.length);
      this.values = new Float64Array(0);
    }
  }

  push(cell: string, line: number, file: string): void {
    const n = this.length;
    const isMissing = MISSING_TOKENS.has(cell);
    if (isMissing) {
      this.missing++;
      if (this.firstMissing === null) this.firstMissing = { line, value: cell };
    } else if (this.kind === null) {
      this.decide(parseNumber(cell) === null ? 'categorical' : 'numeric');
    }
    if (this.kind === 'categorical') {
      if (n === this.codes.length) { const c = new Int32Array(n * 2); c.set(this.codes); this.codes = c; }
      if (isMissing) { this.codes[n] = -1; } else {
        let code = this.levelIndex.get(cell);
        if (code === undefined) {
          code = this.levels.length;
          this.levelIndex.set(cell, code);
          this.levels.push(cell);
          this.counts.push(0);
        }
        this.counts[code]!++;
        this.codes[n] = code;
      }
    } else {
      if (n === this.values.length) { const v = new Float64Array(n * 2); v.set(this.values); this.values = v; }
      if (isMissing) { this.values[n] = NaN; } else {
        const v = parseNumber(cell);
        if (v === null) {
          throw new CliError(`${cellPlace(file, line, this.name, this.index)}: ${showValue(cell)} is not a number, but the column is numeric (most of its cells are numbers). Fix the cell, mark it missing (empty or NA) and pass --impute, or read the column as categories with --categorical`);
        }
        this.values[n] = v;
      }
    }
    this.length = n + 1;
  }

  finish(): Column {
    const base = { name: this.name, index: this.index, missing: this.missing, firstMissing: this.firstMissing };
    if (this.kind === 'categorical') {
      return { kind: 'categorical', ...base, codes: this.codes.slice(0, this.length), levels: this.levels, counts: this.counts };
    }
    return { kind: 'numeric', ...base, values: this.values.slice(0, this.length) };
  }
}

/** Read a CSV/TSV file (or stdin, for `-`) into typed columns. */
export async function readTable(path: string, options: ReadTableOptions = {}): Promise<Table> {
  const input = openInput(path);
  return readTableFrom(input.stream, isStdio(path) ? input.name : basename(path), input.size, options);
}

/** Read a table from a stream of chunks (a file, stdin, or a string in tests). */
export async function readTableFrom(
  source: AsyncIterable<Buffer | string>, file: string, total: number, options: ReadTableOptions = {},
): Promise<Table> {
  const sampleRows = options.sampleRows ?? 1000;
  let bytes = 0;
  const delimiter = options.delimiter ?? null;
  let nextLine = 1;
  let header: string[] | null = null;
  let builders: ColumnBuilder[] = [];
  let lines = new Int32Array(1024);
  let rows = 0;
  const sample: { record: string[]; line: number }[] = [];
  let decided = false;

  const decideKinds = (): void => {
    for (const b of builders) {
      const forced = options.kinds?.get(b.name);
      if (forced !== undefined) { b.decide(forced); continue; }
      // Numeric when most non-missing cells are numbers: then the others are errors, not categories.
      let numbers = 0;
      let texts = 0;
      for (const s of sample) {
        const cell = s.record[b.index]!;
        if (MISSING_TOKENS.has(cell)) continue;
        if (parseNumber(cell) === null) texts++; else numbers++;
      }
      if (numbers + texts > 0) b.decide(numbers > texts ? 'numeric' : 'categorical');
    }
    decided = true;
    for (const s of sample) addRow(s.record, s.line);
    sample.length = 0;
  };

  const addRow = (record: string[], line: number): void => {
    for (const b of builders) b.push(record[b.index]!, line, file);
    if (rows === lines.length) { const l = new Int32Array(rows * 2); l.set(lines); lines = l; }
    lines[rows++] = line;
  };

  const onRecord = (record: string[], raw: string): void => {
    const line = nextLine;
    nextLine += lineBreaks(raw);
    // An empty line (or one of only spaces) is skipped, as editors and spreadsheets do.
    if (record.length === 1 && record[0] === '') return;
    if (header === null) {
      header = record.map((h, i) => (h === '' ? `column${i + 1}` : h));
      const seen = new Map<string, number>();
      header.forEach((h, i) => {
        const prev = seen.get(h);
        if (prev !== undefined) throw new CliError(`${file}, line ${line}: the header names column '${h}' twice (columns ${prev + 1} and ${i + 1}); column names must be unique`);
        seen.set(h, i);
      });
      builders = header.map((h, i) => new ColumnBuilder(h, i));
      return;
    }
    if (record.length !== header.length) {
      throw new CliError(`${file}, line ${line}: ${record.length} field${record.length === 1 ? '' : 's'}, but the header (line 1) has ${header.length} columns; every row needs one value per column (ragged row)`);
    }
    if (decided) addRow(record, line);
    else {
      sample.push({ record, line });
      if (sample.length >= sampleRows) decideKinds();
    }
  };

  const parseError = (e: unknown): CliError => {
    if (e instanceof CliError) return e;
    const err = e as CsvError;
    const reason = err.code === 'CSV_QUOTE_NOT_CLOSED'
      ? 'a quoted field starts in this record but its closing quote never comes'
      : err.code === 'CSV_INVALID_CLOSING_QUOTE'
        ? 'a quote closes a field but is not followed by a delimiter or the end of the line (write a quote inside a quoted field as "")'
        : err.code === 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE'
          ? 'text follows the closing quote of a field'
          : String(err.message ?? e).replace(/\s*at line \d+\.?/i, '');
    return new CliError(`${file}, line ${nextLine}: ${reason}`);
  };

  // The first 64 KiB decide the delimiter; then every chunk goes through the parser in order.
  const it = source[Symbol.asyncIterator]();
  const first: (Buffer | string)[] = [];
  let head = '';
  while (head.length < 65536) {
    const n = await it.next();
    if (n.done === true) break;
    first.push(n.value);
    bytes += typeof n.value === 'string' ? Buffer.byteLength(n.value) : n.value.length;
    head += typeof n.value === 'string' ? n.value : n.value.toString('utf8');
  }
  head = head.replace(/^\uFEFF/, '');
  if (head.trim() === '') throw new CliError(`${file}: the file is empty; expected a header row and data rows`);
  const d = delimiter ?? sniffDelimiter(head);
  async function* chunks(): AsyncGenerator<Buffer | string> {
    for (const c of first) yield c;
    for (;;) {
      const n = await it.next();
      if (n.done === true) return;
      bytes += typeof n.value === 'string' ? Buffer.byteLength(n.value) : n.value.length;
      options.onProgress?.(bytes, total, rows + sample.length);
      yield n.value;
    }
  }
  const parser = parse({
    delimiter: d, bom: true, raw: true, relax_column_count: true, trim: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    // Records are consumed inside the parser, so none are buffered and line numbers stay exact on error.
    on_record: (r: unknown, ctx: InfoRecord) => { onRecord(fieldsOf(r), ctx.raw ?? ''); return null; },
  });
  const input = Readable.from(chunks());
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  try {
    for await (const _ of parser) { /* every record was taken by on_record */ }
  } catch (e) {
    throw parseError(e);
  } finally {
    input.destroy();
  }
  if (header === null) throw new CliError(`${file}: the file is empty; expected a header row and data rows`);
  if (!decided) decideKinds();
  if (rows === 0) throw new CliError(`${file}: the file has a header (line 1) but no data rows`);
  options.onProgress?.(bytes, total, rows);
  return { file, delimiter: d, columns: builders.map((b) => b.finish()), rows, lines: lines.slice(0, rows) };
}

/** The column named `name`, or an error that lists the columns there are. */
export function findColumn(table: Table, name: string, role: string): Column {
  const c = table.columns.find((x) => x.name === name);
  if (c === undefined) {
    throw new CliError(`${table.file}: no column '${name}' for ${role}; the columns are ${table.columns.map((x) => `'${x.name}'`).join(', ')}`);
  }
  return c;
}

/**
 * Tables on disk (Node): readTableFile reads CSV, TSV, JSON lines, Parquet and Arrow IPC (picked by the
 * name's extension, else by the first bytes), '-' meaning standard input; writeTableFile writes a table
 * or a record of columns (predictions) as CSV, TSV, JSON lines, Parquet or Arrow, atomically, '-' meaning
 * standard output. Errors name the path: a missing file, a directory, a file that may not be read.
 */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { checkReadOptions } from '../../table/options.js';
import { formatOfName, readChunks, readTableBlocks, sniffFormat, tableInBlocks, textReader } from '../../table/read.js';
import { TableError, type Column, type ReadTableOptions, type Table, type TableFormat } from '../../table/types.js';
import { arrowToTable, columnValues, parquetToTable, tableToArrow, tableToParquet, typedFileBlocks } from './binary-tables.js';
import { blockTable } from '../../table/blocks.js';
import { writeFileAtomic } from './files.js';

const CHUNK = 1 << 20;

/** A file-system error as a user should read it: what went wrong with which path. */
export function fileError(path: string, e: unknown, doing: 'read' | 'write'): TableError {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  const what = doing === 'read' ? 'a data file' : 'the output';
  const reason = code === 'ENOENT' ? (doing === 'read' ? 'no such file or folder (ENOENT)' : 'no such folder (ENOENT)')
    : code === 'EISDIR' ? `is a folder; give ${what}`
      : code === 'EACCES' || code === 'EPERM' ? `permission denied (cannot ${doing} it)`
        : code === 'ENOTDIR' ? 'a part of the path is not a directory'
          : `cannot ${doing} it (${code !== '' ? code : e instanceof Error ? e.message : String(e)})`;
  return new TableError(`${path}: ${reason}`, path);
}

async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  const stream = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: CHUNK });
  try {
    for await (const c of stream) yield typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
  } catch (e) {
    throw fileError(path === '-' ? 'stdin' : path, e, 'read');
  }
}

async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

/** A table file opened for reading: its name for messages, its size, its format (from the name or the first bytes), and its chunks. */
async function openTable(path: string, options: ReadTableOptions): Promise<{ source: string; total: number | null; format: TableFormat; chunks: AsyncIterable<Uint8Array> }> {
  const stdin = path === '-';
  let total: number | null = null;
  if (!stdin) {
    try {
      const s = await stat(path);
      if (s.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
      total = s.size;
    } catch (e) {
      throw fileError(path, e, 'read');
    }
  }
  const source = options.source ?? (stdin ? 'stdin' : basename(path));
  const named = options.format ?? (stdin ? null : formatOfName(path));
  const it = fileChunks(path)[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done === true ? new Uint8Array(0) : first.value;
  async function* all(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    for (let n = await it.next(); n.done !== true; n = await it.next()) yield n.value;
  }
  return { source, total: total ?? options.totalBytes ?? null, format: named ?? sniffFormat(head), chunks: all() };
}

/** A Parquet or Arrow file's bytes, read whole, as a table. */
async function binaryTable(f: 'parquet' | 'arrow', chunks: AsyncIterable<Uint8Array>, source: string, total: number | null, options: ReadTableOptions): Promise<Table> {
  const bytes = await readAll(chunks);
  options.onProgress?.({ bytes: bytes.length, totalBytes: total, rows: 0 });
  const t = f === 'parquet' ? await parquetToTable(bytes, source, options) : await arrowToTable(bytes, source, options);
  options.onProgress?.({ bytes: bytes.length, totalBytes: total, rows: t.rows });
  return t;
}

/** Read a table file: CSV, TSV, JSON lines, Parquet or Arrow IPC; '-' is standard input. */
export async function readTableFile(path: string, options: ReadTableOptions = {}): Promise<Table> {
  checkReadOptions(options, 'readTableFile');
  const { source, total, format: f, chunks } = await openTable(path, options);
  if (f === 'parquet' || f === 'arrow') return binaryTable(f, chunks, source, total, options);
  return readChunks(chunks, () => textReader(f, options, source, total), options, total);
}

/**
 * Read a table file a block of `blockRows` rows at a time (see readTableBlocks): CSV and TSV stream, with
 * memory for one block; JSON lines, Parquet and Arrow are read whole and handed out in blocks. '-' is
 * standard input. Resolves to the number of rows.
 */
export async function readTableFileBlocks(path: string, options: ReadTableOptions, blockRows: number, onBlock: (t: Table) => void | Promise<void>): Promise<number> {
  checkReadOptions(options, 'readTableFileBlocks');
  const { source, total, format: f, chunks } = await openTable(path, options);
  if ((f === 'parquet' || f === 'arrow') && path !== '-') {
    await chunks[Symbol.asyncIterator]().return?.(undefined);
    const queue: Table[] = [];
    const drain = async (): Promise<void> => { while (queue.length > 0) await onBlock(queue.shift()!); };
    const summary = await typedFileBlocks(f, path, source, options, blockRows, (b, soFar) => { queue.push(blockTable(soFar(), b, source)); }, drain);
    return summary.rows;
  }
  if (f === 'parquet' || f === 'arrow') return tableInBlocks(await binaryTable(f, chunks, source, total, options), blockRows, onBlock);
  return readTableBlocks(chunks, () => f, options, source, total, blockRows, onBlock);
}

/** Columns to write: a Table, or a record of arrays (numbers, NaN missing; strings, null missing). */
export type WritableColumns = Table | Readonly<Record<string, Float64Array | Float32Array | readonly number[] | readonly (string | null)[]>>;

/** How `writeTableFile` writes: the format (default: from the file name). */
export interface WriteTableOptions {
  /** Default: from the path's extension, else CSV. */
  readonly format?: TableFormat;
}

function isTable(x: WritableColumns): x is Table {
  return 'columns' in x && 'rows' in x && 'lines' in x && Array.isArray(x.columns);
}

/** The columns as names and arrays of one length. */
function normalize(data: WritableColumns): { names: string[]; columns: (Float64Array | (string | null)[])[]; rows: number } {
  if (isTable(data)) {
    return { names: data.columns.map((c: Column) => c.name), columns: data.columns.map((c: Column) => columnValues(c, data.rows)), rows: data.rows };
  }
  const names = Object.keys(data);
  const columns = names.map((n) => {
    const v = data[n]!;
    if (v instanceof Float64Array) return v;
    if (v instanceof Float32Array) return Float64Array.from(v);
    return v.every((x) => typeof x === 'number') ? Float64Array.from(v as readonly number[]) : Array.from(v, (x) => (x === null ? null : String(x)));
  });
  const rows = columns[0]?.length ?? 0;
  columns.forEach((c, j) => {
    if (c.length !== rows) throw new Error(`writeTableFile: column '${names[j]!}' has ${c.length} values, but column '${names[0]!}' has ${rows}`);
  });
  return { names, columns, rows };
}

/** A cell in CSV: quoted when it holds the delimiter, a quote, a line break or surrounding spaces. */
function csvCell(s: string, d: string): string {
  return s.includes(d) || /["\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function textOf(names: readonly string[], columns: readonly (Float64Array | (string | null)[])[], rows: number, format: 'csv' | 'tsv' | 'jsonl'): string {
  const parts: string[] = [];
  const d = format === 'tsv' ? '\t' : ',';
  if (format !== 'jsonl') parts.push(names.map((n) => csvCell(n, d)).join(d));
  // Text cells repeat (labels, levels): each distinct one is quoted once.
  const quoted = new Map<string, string>();
  const text = (v: string): string => { let q = quoted.get(v); if (q === undefined) { q = csvCell(v, d); if (quoted.size < 65536) quoted.set(v, q); } return q; };
  const cell = (c: Float64Array | (string | null)[], i: number): string => {
    const v = c[i];
    return typeof v === 'number' ? (Number.isNaN(v) ? '' : String(v)) : v === null || v === undefined ? '' : text(v);
  };
  for (let i = 0; i < rows; i++) {
    if (format === 'jsonl') {
      const o: Record<string, number | string | null> = {};
      names.forEach((n, j) => { const v = columns[j]![i]; o[n] = typeof v === 'number' && Number.isNaN(v) ? null : v ?? null; });
      parts.push(JSON.stringify(o));
    } else {
      let line = cell(columns[0]!, i);
      for (let j = 1; j < columns.length; j++) line += d + cell(columns[j]!, i);
      parts.push(line);
    }
  }
  parts.push('');
  return parts.join('\n');
}

/** Columns (a table, or predictions) as the bytes of a CSV, TSV, JSON-lines, Parquet or Arrow IPC file. */
export async function encodeTable(data: WritableColumns, format: TableFormat): Promise<string | Uint8Array> {
  const { names, columns, rows } = normalize(data);
  switch (format) {
    case 'csv':
    case 'tsv':
    case 'jsonl': return textOf(names, columns, rows, format);
    case 'parquet': return tableToParquet(names, columns);
    case 'arrow': return tableToArrow(names, columns);
  }
}

/** Write columns (a table, or predictions) as CSV, TSV, JSON lines, Parquet or Arrow IPC; '-' is standard output. */
export async function writeTableFile(path: string, data: WritableColumns, options: WriteTableOptions = {}): Promise<void> {
  const bytes = await encodeTable(data, options.format ?? formatOfName(path) ?? 'csv');
  if (path === '-') {
    await new Promise<void>((resolve, reject) => process.stdout.write(bytes, (e) => (e ? reject(e) : resolve())));
    return;
  }
  const existing = await stat(path).catch(() => null);
  if (existing?.isDirectory() === true) throw fileError(path, Object.assign(new Error('directory'), { code: 'EISDIR' }), 'write');
  try {
    await writeFileAtomic(path, bytes);
  } catch (e) {
    throw fileError(path, (e as Error).cause ?? e, 'write');
  }
}

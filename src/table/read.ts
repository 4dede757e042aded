/**
 * readTable: a text table (CSV, TSV, JSON lines) from whatever holds it — a string, bytes, a Blob or
 * File, a web ReadableStream, or an async iterable of chunks — through one parsing core, in Node and in
 * the browser alike. Binary formats (Parquet, Arrow) are read by `readTableFile` of `mlpkit/node`.
 */

import { CsvRead } from './csv.js';
import { JsonlRead } from './jsonl.js';
import { TableError, type ReadTableOptions, type Table, type TableFormat } from './types.js';
import { blockTable, type BlockSink } from './blocks.js';
import { takeTableRows } from './rows.js';
import { checkReadOptions } from './options.js';

/** What a table can be read from. */
export type TableInput =
  | string
  | Uint8Array
  | ArrayBuffer
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array | string>;


const STRING_CHUNK = 1 << 20;
const encoder = new TextEncoder();

/** The chunks of a string as UTF-8, a megabyte at a time (never splitting a surrogate pair). */
function* stringChunks(s: string): Generator<Uint8Array> {
  for (let i = 0; i < s.length;) {
    let j = Math.min(s.length, i + STRING_CHUNK);
    const c = s.charCodeAt(j - 1);
    if (j < s.length && c >= 0xd800 && c <= 0xdbff) j--;
    yield encoder.encode(s.slice(i, j));
    i = j;
  }
}

function isBlob(x: TableInput): x is Blob {
  return typeof Blob !== 'undefined' && x instanceof Blob;
}

function isReadableStream(x: TableInput): x is ReadableStream<Uint8Array> {
  return typeof x === 'object' && 'getReader' in x && typeof x.getReader === 'function';
}

async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    reader.releaseLock();
  }
}

async function* iterableChunks(it: AsyncIterable<Uint8Array | string>): AsyncGenerator<Uint8Array> {
  for await (const c of it) {
    if (typeof c === 'string') yield* stringChunks(c);
    else yield c;
  }
}

/** The input as chunks of bytes, and its size when known. */
function chunksOf(input: TableInput): { chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>; total: number | null } {
  if (typeof input === 'string') return { chunks: stringChunks(input), total: null };
  if (input instanceof Uint8Array) return { chunks: [input], total: input.length };
  if (input instanceof ArrayBuffer) return { chunks: [new Uint8Array(input)], total: input.byteLength };
  if (isBlob(input)) return { chunks: streamChunks(input.stream()), total: input.size };
  if (isReadableStream(input)) return { chunks: streamChunks(input), total: null };
  return { chunks: iterableChunks(input), total: null };
}

/** A reader in progress: chunks in, a table out. */
export interface TableRead {
  readonly bytes: number;
  readonly rows: number;
  push(chunk: Uint8Array): void;
  finish(): Table;
}

const EXTENSIONS: Readonly<Record<string, TableFormat>> = {
  csv: 'csv', txt: 'csv', tsv: 'tsv', tab: 'tsv', jsonl: 'jsonl', ndjson: 'jsonl', parquet: 'parquet', pq: 'parquet', arrow: 'arrow', feather: 'arrow', ipc: 'arrow', arrows: 'arrow',
};

/** The format a file name's extension names (compression suffixes aside), or null. */
export function formatOfName(name: string): TableFormat | null {
  const m = /\.([A-Za-z0-9]+)$/.exec(name);
  return m === null ? null : EXTENSIONS[m[1]!.toLowerCase()] ?? null;
}

/** The format the first bytes show: Parquet's and Arrow's magic numbers, a JSON object, else text. */
export function sniffFormat(head: Uint8Array): TableFormat {
  const ascii = (s: string, at = 0): boolean => [...s].every((ch, i) => head[at + i] === ch.charCodeAt(0));
  if (ascii('PAR1')) return 'parquet';
  if (ascii('ARROW1') || (head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff)) return 'arrow';
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && (head[i] === 32 || head[i] === 9 || head[i] === 10 || head[i] === 13)) i++;
  return head[i] === 123 ? 'jsonl' : 'csv';
}

/** The CSV reader for a CSV or TSV file (a TSV's delimiter is a tab unless forced); with `blocks`, a streamed read. */
export function csvReader(format: 'csv' | 'tsv', options: ReadTableOptions, source: string, total: number | null, blocks: BlockSink | null = null): CsvRead {
  return new CsvRead(format === 'tsv' ? { ...options, delimiter: options.delimiter ?? '\t' } : options, source, total, blocks);
}

/** A table's rows handed to `onBlock` as tables of `blockRows` rows, in order (for readers that hold the whole table). */
export async function tableInBlocks(t: Table, blockRows: number, onBlock: (t: Table) => void | Promise<void>): Promise<number> {
  for (let s = 0; s < t.rows; s += blockRows) {
    await onBlock(takeTableRows(t, Int32Array.from({ length: Math.min(blockRows, t.rows - s) }, (_, i) => s + i)));
  }
  return t.rows;
}

/** A text reader for the format. */
export function textReader(format: TableFormat, options: ReadTableOptions, source: string, total: number | null): TableRead {
  switch (format) {
    case 'csv':
    case 'tsv': return csvReader(format, options, source, total);
    case 'jsonl': return new JsonlRead(options, source);
    case 'parquet':
    case 'arrow':
      throw new TableError(`${source}: ${format === 'parquet' ? 'Parquet' : 'Arrow IPC'} is read by readTableFile (mlpkit/node); readTable reads CSV, TSV and JSON lines`, source);
  }
}

/** Feed chunks into a reader, reporting progress after each. */
export async function readChunks(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, make: (head: Uint8Array) => TableRead, options: ReadTableOptions, total: number | null): Promise<Table> {
  let read: TableRead | null = null;
  for await (const c of chunks) {
    if (c.length === 0) continue;
    read ??= make(c);
    read.push(c);
    options.onProgress?.({ bytes: read.bytes, totalBytes: total, rows: read.rows });
  }
  read ??= make(new Uint8Array(0));
  const t = read.finish();
  options.onProgress?.({ bytes: read.bytes, totalBytes: total, rows: t.rows });
  return t;
}

/** Read a table (CSV, TSV or JSON lines) into typed columns. */
export async function readTable(input: TableInput, options: ReadTableOptions = {}): Promise<Table> {
  checkReadOptions(options, 'readTable');
  const source = options.source ?? (isBlob(input) && 'name' in input && typeof input.name === 'string' ? input.name : 'table');
  const { chunks, total } = chunksOf(input);
  const named = options.format ?? formatOfName(source);
  return readChunks(chunks, (head) => textReader(named ?? sniffFormat(head), options, source, total ?? options.totalBytes ?? null), options, total ?? options.totalBytes ?? null);
}

/** Read a table held in memory (a string or bytes), synchronously: the same core as readTable. */
export function readTableSync(input: string | Uint8Array, options: ReadTableOptions = {}): Table {
  checkReadOptions(options, 'readTableSync');
  const source = options.source ?? 'table';
  const total = typeof input === 'string' ? null : input.length;
  let read: TableRead | null = null;
  for (const c of typeof input === 'string' ? stringChunks(input) : [input]) {
    read ??= textReader(options.format ?? formatOfName(source) ?? sniffFormat(c), options, source, total);
    read.push(c);
  }
  read ??= textReader(options.format ?? 'csv', options, source, total);
  return read.finish();
}

/**
 * Read a table a block of `blockRows` rows at a time: each block goes to `onBlock` as a Table as soon as it
 * is read (a category column's levels are those seen so far, codes keep their meaning from block to block),
 * so memory holds one block, not the table. CSV and TSV stream; JSON lines are read whole, then handed out
 * in blocks. Resolves to the number of rows.
 */
export async function readTableBlocks(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, format: (head: Uint8Array) => TableFormat, options: ReadTableOptions, source: string, total: number | null, blockRows: number, onBlock: (t: Table) => void | Promise<void>): Promise<number> {
  const queue: Table[] = [];
  let read: CsvRead | JsonlRead | null = null;
  const blocks = { blockRows, onBlock: (b: Parameters<typeof blockTable>[1]) => { queue.push(blockTable((read as CsvRead).summarySoFar(), b, source)); } };
  const drain = async (): Promise<void> => { while (queue.length > 0) await onBlock(queue.shift()!); };
  const start = (head: Uint8Array): CsvRead | JsonlRead => {
    const f = format(head);
    if (f === 'csv' || f === 'tsv') return csvReader(f, options, source, total, blocks);
    return textReader(f, options, source, total) as JsonlRead;
  };
  for await (const c of chunks) {
    if (c.length === 0) continue;
    read ??= start(c);
    read.push(c);
    options.onProgress?.({ bytes: read.bytes, totalBytes: total, rows: read.rows });
    await drain();
  }
  read ??= start(new Uint8Array(0));
  if (read instanceof CsvRead) {
    const rows = read.finishStream().rows;
    await drain();
    return rows;
  }
  return tableInBlocks(read.finish(), blockRows, onBlock);
}

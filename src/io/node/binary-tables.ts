/**
 * Parquet and Arrow IPC files as Tables (Node), through pure-JavaScript readers loaded on first use:
 * hyparquet / hyparquet-writer for Parquet, apache-arrow for Arrow IPC (file and stream formats).
 */

import { needOptional } from './optional.js';
import { TableError, type Column, type ReadTableOptions, type Table } from '../../table/types.js';
import { createReadStream } from 'node:fs';
import { TypedBlockRead, tableFromTyped, type TypedColumnSource, type TypedValue } from '../../table/typed.js';
import type { BlockSink, RawBlock, StreamSummary } from '../../table/blocks.js';

/** Parquet physical/logical types read as numbers. */
const PARQUET_NUMBERS = new Set(['INT32', 'INT64', 'INT96', 'FLOAT', 'DOUBLE']);

/** A Parquet file's columns as table fields (a nested column is refused). */
function parquetFields(schema: { children: readonly { element: SchemaElementLike; children: readonly unknown[] }[] }, source: string): { name: string; type: 'number' | 'category' }[] {
  return schema.children.map((c) => {
    if (c.children.length > 0) throw new TableError(`${source}: column '${c.element.name}' is nested; a table column holds numbers, text or booleans`, source, null, c.element.name);
    const t = c.element.type ?? '';
    const decimal = c.element.converted_type === 'DECIMAL' || c.element.logical_type?.type === 'DECIMAL';
    const timestamp = c.element.converted_type?.startsWith('TIMESTAMP') === true || c.element.logical_type?.type === 'TIMESTAMP' || c.element.converted_type === 'DATE';
    return { name: c.element.name, type: PARQUET_NUMBERS.has(t) && !timestamp || decimal ? 'number' as const : 'category' as const };
  });
}

/** The names of the fields read: the columns asked for (option columns), else all. */
function namesRead(fields: readonly { name: string }[], options: ReadTableOptions): string[] {
  const wanted = options.columns === undefined ? null : new Set(options.columns);
  return fields.filter((f) => wanted === null || wanted.has(f.name)).map((f) => f.name);
}

interface SchemaElementLike { readonly name: string; readonly type?: string; readonly converted_type?: string; readonly logical_type?: { readonly type: string } }

/** The columns' values of rows [rowStart, rowEnd) of a Parquet file (all rows without them), each as its pieces in row order. */
async function parquetPieces(hyparquet: typeof import('hyparquet'), file: import('hyparquet').AsyncBuffer, metadata: import('hyparquet').FileMetaData, read: readonly string[], source: string, range: { rowStart?: number; rowEnd?: number } = {}): Promise<Map<string, ArrayLike<TypedValue>[]>> {
  const chunks = new Map<string, { rowStart: number; data: ArrayLike<TypedValue> }[]>();
  for (const name of read) chunks.set(name, []);
  try {
    await hyparquet.parquetRead({
      file, metadata, columns: [...read], rowFormat: 'array', ...range,
      onChunk: (c) => { chunks.get(c.columnName)?.push({ rowStart: c.rowStart, data: c.columnData as ArrayLike<TypedValue> }); },
    });
  } catch (e) {
    throw new TableError(`${source}: could not read the Parquet data (${(e as Error).message})`, source);
  }
  return new Map([...chunks].map(([name, c]) => [name, c.sort((a, b) => a.rowStart - b.rowStart).map((x) => x.data)]));
}

function loadHyparquet(): Promise<typeof import('hyparquet')> {
  return needOptional(() => import('hyparquet'), 'hyparquet', '^1.31.5', 'reading a Parquet file');
}

export async function parquetToTable(bytes: Uint8Array, source: string, options: ReadTableOptions): Promise<Table> {
  const hyparquet = await loadHyparquet();
  const buffer = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  let metadata;
  try {
    metadata = hyparquet.parquetMetadata(buffer);
  } catch (e) {
    throw new TableError(`${source}: not a readable Parquet file (${(e as Error).message})`, source);
  }
  const fields = parquetFields(hyparquet.parquetSchema(metadata), source);
  const pieces = await parquetPieces(hyparquet, buffer, metadata, namesRead(fields, options), source);
  return tableFromTyped(source, 'parquet', fields.map((f) => ({ ...f, pieces: pieces.get(f.name) ?? [] })), Number(metadata.num_rows), options);
}

/** One piece's values, joined from its parts (a row group read in several chunks). */
function joined(parts: readonly ArrayLike<TypedValue>[]): ArrayLike<TypedValue> {
  if (parts.length === 1) return parts[0]!;
  const out: TypedValue[] = [];
  for (const p of parts) for (let i = 0; i < p.length; i++) out.push(p[i]);
  return out;
}

/** What a typed file hands over a piece at a time: its fields, and each piece's values per field (null: not read). */
interface TypedPiece { readonly fields: readonly { name: string; type: 'number' | 'category' }[]; readonly pieces: readonly (ArrayLike<TypedValue> | null)[]; readonly rows: number }

/** A Parquet file a row group at a time (never whole). */
async function* parquetFilePieces(path: string, source: string, options: ReadTableOptions): AsyncGenerator<TypedPiece> {
  const hyparquet = await loadHyparquet();
  const file = await hyparquet.asyncBufferFromFile(path);
  let metadata;
  try {
    metadata = await hyparquet.parquetMetadataAsync(file);
  } catch (e) {
    throw new TableError(`${source}: not a readable Parquet file (${(e as Error).message})`, source);
  }
  const fields = parquetFields(hyparquet.parquetSchema(metadata), source);
  const read = namesRead(fields, options);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const pieces = await parquetPieces(hyparquet, file, metadata, read, source, { rowStart, rowEnd });
    yield { fields, pieces: fields.map((f) => { const p = pieces.get(f.name); return p === undefined ? null : joined(p); }), rows: rowEnd - rowStart };
    rowStart = rowEnd;
  }
}

/** An Arrow IPC file (file or stream format) a record batch at a time (never whole). */
async function* arrowFilePieces(path: string, source: string): AsyncGenerator<TypedPiece> {
  const arrow = await loadArrow();
  let batches;
  try {
    batches = await arrow.RecordBatchReader.from(createReadStream(path));
  } catch (e) {
    throw new TableError(`${source}: not a readable Arrow IPC file (${(e as Error).message})`, source);
  }
  const it = batches[Symbol.asyncIterator]();
  for (;;) {
    let next;
    try {
      next = await it.next();
    } catch (e) {
      throw new TableError(`${source}: not a readable Arrow IPC file (${(e as Error).message})`, source);
    }
    if (next.done === true) return;
    const batch = next.value;
    const columns = arrowColumns(arrow, batch, source);
    yield { fields: columns, pieces: columns.map((c) => c.pieces[0] ?? new Array<TypedValue>(batch.numRows).fill(null)), rows: batch.numRows };
  }
}

/**
 * A Parquet file (a row group at a time) or an Arrow IPC file (a record batch at a time) read into blocks of
 * `blockRows` rows, never whole: each block goes to `onBlock` with what the read knows of the columns so
 * far; `between` runs after each piece (to hand the blocks on before the next is read).
 */
export async function typedFileBlocks(kind: 'parquet' | 'arrow', path: string, source: string, options: ReadTableOptions, blockRows: number, onBlock: (block: RawBlock, soFar: () => StreamSummary) => void, between?: () => Promise<void>): Promise<StreamSummary> {
  let reader: TypedBlockRead | null = null;
  const sink: BlockSink = { blockRows, onBlock: (b) => onBlock(b, () => reader!.summarySoFar()) };
  for await (const p of kind === 'parquet' ? parquetFilePieces(path, source, options) : arrowFilePieces(path, source)) {
    reader ??= new TypedBlockRead(source, kind, p.fields, options, sink);
    reader.push(p.pieces, p.rows);
    await between?.();
  }
  if (reader === null) throw new TableError(`${source}: the table has no rows`, source);
  const summary = reader.finish();
  await between?.();
  return summary;
}

type Arrow = typeof import('apache-arrow');

/** The columns of an Arrow table or record batch as typed column sources (one piece each; a nested column is refused). */
function arrowColumns(arrow: Arrow, table: { schema: import('apache-arrow').Schema; numRows: number; getChildAt(j: number): import('apache-arrow').Vector | null }, source: string): TypedColumnSource[] {
  return table.schema.fields.map((f, j) => {
    const v = table.getChildAt(j);
    const numeric = arrow.DataType.isInt(f.type) || arrow.DataType.isFloat(f.type) || arrow.DataType.isDecimal(f.type);
    const nested = arrow.DataType.isList(f.type) || arrow.DataType.isStruct(f.type) || arrow.DataType.isMap(f.type);
    if (nested) throw new TableError(`${source}: column '${f.name}' is nested; a table column holds numbers, text or booleans`, source, null, f.name);
    const type = numeric ? 'number' as const : 'category' as const;
    if (v === null) return { name: f.name, type, pieces: [] };
    // Numbers come as one typed array (nulls then marked from the validity bitmap); anything else cell by cell.
    const whole: unknown = numeric ? v.toArray() : null;
    if (isNumericArray(whole) && whole.length === table.numRows) {
      if (v.nullCount === 0) return { name: f.name, type, pieces: [whole] };
      const values: TypedValue[] = Array.from<number | bigint, TypedValue>(whole, (x) => x);
      for (let i = 0; i < table.numRows; i++) if (!v.isValid(i)) values[i] = null;
      return { name: f.name, type, pieces: [values] };
    }
    const values: TypedValue[] = new Array<TypedValue>(table.numRows);
    for (let i = 0; i < table.numRows; i++) values[i] = toTyped(v.get(i));
    return { name: f.name, type, pieces: [values] };
  });
}

function loadArrow(): Promise<Arrow> {
  return needOptional(() => import('apache-arrow'), 'apache-arrow', '^21.2.0', 'an Arrow file');
}

export async function arrowToTable(bytes: Uint8Array, source: string, options: ReadTableOptions): Promise<Table> {
  const arrow = await loadArrow();
  let table;
  try {
    table = arrow.tableFromIPC(bytes);
  } catch (e) {
    throw new TableError(`${source}: not a readable Arrow IPC file (${(e as Error).message})`, source);
  }
  return tableFromTyped(source, 'arrow', arrowColumns(arrow, table, source), table.numRows, options);
}

type NumericArray = Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array | BigInt64Array | BigUint64Array;

function isNumericArray(x: unknown): x is NumericArray {
  return x instanceof Float64Array || x instanceof Float32Array || x instanceof Int32Array || x instanceof Int16Array || x instanceof Int8Array
    || x instanceof Uint32Array || x instanceof Uint16Array || x instanceof Uint8Array || x instanceof BigInt64Array || x instanceof BigUint64Array;
}

function toTyped(x: unknown): TypedValue {
  if (x === null || x === undefined || typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean' || typeof x === 'bigint' || x instanceof Date) return x;
  return String(x);
}

/** The cells of a column as values a writer takes: numbers (NaN missing), or strings (null missing). */
export function columnValues(c: Column, rows: number): Float64Array | (string | null)[] {
  switch (c.type) {
    case 'number': return c.values;
    case 'category':
    case 'boolean': return Array.from(c.codes, (k) => (k < 0 ? null : c.levels[k]!));
    case 'empty': return new Array<string | null>(rows).fill(null);
  }
}

export async function tableToParquet(names: readonly string[], columns: readonly (Float64Array | (string | null)[])[]): Promise<Uint8Array> {
  const { parquetWriteBuffer } = await needOptional(() => import('hyparquet-writer'), 'hyparquet-writer', '^0.17.0', 'writing a Parquet file');
  const columnData = names.map((name, j) => {
    const data = columns[j]!;
    if (data instanceof Float64Array) {
      const hasNaN = data.some((v) => Number.isNaN(v));
      return hasNaN
        ? { name, data: Array.from(data, (v) => (Number.isNaN(v) ? null : v)), type: 'DOUBLE' as const, nullable: true }
        : { name, data, type: 'DOUBLE' as const, nullable: false };
    }
    return { name, data, type: 'STRING' as const, nullable: true };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData }));
}

export async function tableToArrow(names: readonly string[], columns: readonly (Float64Array | (string | null)[])[]): Promise<Uint8Array> {
  const arrow = await needOptional(() => import('apache-arrow'), 'apache-arrow', '^21.2.0', 'an Arrow file');
  const vectors: Record<string, InstanceType<typeof arrow.Vector>> = {};
  names.forEach((name, j) => {
    const data = columns[j]!;
    vectors[name] = data instanceof Float64Array
      ? arrow.vectorFromArray(Array.from(data, (v) => (Number.isNaN(v) ? null : v)), new arrow.Float64())
      : arrow.vectorFromArray(data, new arrow.Utf8());
  });
  return arrow.tableToIPC(new arrow.Table(vectors), 'file');
}

/**
 * Parquet and Arrow IPC files as Tables (Node), through pure-JavaScript readers loaded on first use:
 * hyparquet / hyparquet-writer for Parquet, apache-arrow for Arrow IPC (file and stream formats).
 */

import { needOptional } from './optional.js';
import { TableError, type Column, type ReadTableOptions, type Table } from '../../table/types.js';
import { tableFromTyped, type TypedColumnSource, type TypedValue } from '../../table/typed.js';

/** Parquet physical/logical types read as numbers. */
const PARQUET_NUMBERS = new Set(['INT32', 'INT64', 'INT96', 'FLOAT', 'DOUBLE']);

export async function parquetToTable(bytes: Uint8Array, source: string, options: ReadTableOptions): Promise<Table> {
  const { parquetMetadata, parquetRead, parquetSchema } = await needOptional(() => import('hyparquet'), 'hyparquet', '^1.31.5', 'reading a Parquet file');
  const buffer = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  let metadata;
  try {
    metadata = parquetMetadata(buffer);
  } catch (e) {
    throw new TableError(`${source}: not a readable Parquet file (${(e as Error).message})`, source);
  }
  const schema = parquetSchema(metadata);
  const fields = schema.children.map((c) => {
    if (c.children.length > 0) throw new TableError(`${source}: column '${c.element.name}' is nested; a table column holds numbers, text or booleans`, source, null, c.element.name);
    const t = c.element.type ?? '';
    const decimal = c.element.converted_type === 'DECIMAL' || c.element.logical_type?.type === 'DECIMAL';
    const timestamp = c.element.converted_type?.startsWith('TIMESTAMP') === true || c.element.logical_type?.type === 'TIMESTAMP' || c.element.converted_type === 'DATE';
    return { name: c.element.name, type: PARQUET_NUMBERS.has(t) && !timestamp || decimal ? 'number' as const : 'category' as const };
  });
  const wanted = options.columns === undefined ? null : new Set(options.columns);
  const chunks = new Map<string, { rowStart: number; data: ArrayLike<TypedValue> }[]>();
  const read = fields.filter((f) => wanted === null || wanted.has(f.name)).map((f) => f.name);
  for (const name of read) chunks.set(name, []);
  try {
    await parquetRead({
      file: buffer, metadata, columns: read, rowFormat: 'array',
      onChunk: (c) => { chunks.get(c.columnName)?.push({ rowStart: c.rowStart, data: c.columnData as ArrayLike<TypedValue> }); },
    });
  } catch (e) {
    throw new TableError(`${source}: could not read the Parquet data (${(e as Error).message})`, source);
  }
  const columns: TypedColumnSource[] = fields.map((f) => ({
    ...f, pieces: (chunks.get(f.name) ?? []).sort((a, b) => a.rowStart - b.rowStart).map((c) => c.data),
  }));
  return tableFromTyped(source, 'parquet', columns, Number(metadata.num_rows), options);
}

export async function arrowToTable(bytes: Uint8Array, source: string, options: ReadTableOptions): Promise<Table> {
  const arrow = await needOptional(() => import('apache-arrow'), 'apache-arrow', '^21.2.0', 'an Arrow file');
  let table;
  try {
    table = arrow.tableFromIPC(bytes);
  } catch (e) {
    throw new TableError(`${source}: not a readable Arrow IPC file (${(e as Error).message})`, source);
  }
  const columns: TypedColumnSource[] = table.schema.fields.map((f, j) => {
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
  return tableFromTyped(source, 'arrow', columns, table.numRows, options);
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

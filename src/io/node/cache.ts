/**
 * The on-disk columnar cache of a table (Node): one streamed pass converts a CSV/TSV file to blocks of
 * typed columns (numbers as float64, categories as int32 codes, each row's editor line), and later runs —
 * training, prediction, evaluation of the same file — read the blocks back instead of parsing text again.
 *
 *   <dir>/<sha256 of the file's bytes>-<hash of the read options>/
 *       meta.json   the table's summary (columns, types, levels and counts, missing cells) and its blocks
 *       data.bin    the blocks, one after the other: lines (int32), then each column's cells
 *   <dir>/stamps/<hash of the path and read options>.json   size and mtime → content hash, so a later run finds
 *                                                            its cache without reading the file
 *
 * The cache is built in a temporary folder and renamed into place when complete: a run killed mid-way leaves
 * no cache that looks whole. A cache is data: its meta is checked on open, and a cache that does not match is
 * rebuilt, never trusted.
 */

import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { CsvRead } from '../../table/csv.js';
import { csvReader, formatOfName, sniffFormat } from '../../table/read.js';
import { missingCells, type BlockSource, type RawBlock, type StreamSummary } from '../../table/blocks.js';
import { TableError, type ColumnSummary, type ReadTableOptions, type TableFormat } from '../../table/types.js';
import { fileError, readTableFile } from './read-table.js';
import { typedFileBlocks } from './binary-tables.js';

/** The cache layout's version: a cache of another version is rebuilt. */
const CACHE_VERSION = 2;
/** Rows per block unless told otherwise: 64 Ki rows of 30 numeric columns is 16 MB. */
export const DEFAULT_BLOCK_ROWS = 1 << 16;

/** Where caches live unless told: $MLPKIT_CACHE_DIR, else $XDG_CACHE_HOME/mlpkit, else ~/.cache/mlpkit. */
export function defaultCacheDir(): string {
  const env = process.env;
  if (env.MLPKIT_CACHE_DIR !== undefined && env.MLPKIT_CACHE_DIR !== '') return env.MLPKIT_CACHE_DIR;
  return join(env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : join(homedir(), '.cache'), 'mlpkit');
}

/** How a cache is found or built. */
export interface CacheOptions {
  /** The cache folder (default `defaultCacheDir()`). */
  readonly dir?: string;
  /** Rows per block when building (default DEFAULT_BLOCK_ROWS). */
  readonly blockRows?: number;
  /** Called as the file is converted: bytes read of the file's total, rows so far. */
  readonly onProgress?: (p: { bytes: number; totalBytes: number; rows: number }) => void;
}

interface BlockMeta { readonly offset: number; readonly rows: number; readonly present: readonly boolean[]; readonly missing: readonly number[] }
interface CacheMeta {
  readonly format: 'mlpkit-cache';
  readonly version: number;
  readonly littleEndian: true;
  readonly contentHash: string;
  readonly summary: StreamSummary;
  readonly blocks: readonly BlockMeta[];
  readonly bytes: number;
}

/** What a cache open gives: the table's blocks, whether the cache was built now or found, and where it is. */
export interface OpenCache {
  readonly source: FileBlockSource;
  readonly built: boolean;
  readonly path: string;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The read options that change what a file reads as (they key the cache with the file's bytes). */
function readKey(o: ReadTableOptions): string {
  const { delimiter, decimal, types, missing, columns, sampleRows, format } = o;
  return sha256(JSON.stringify({ delimiter, decimal, types, missing, columns, sampleRows, format })).slice(0, 16);
}

/** The cache of a table file: found by the file's size, mtime and content hash, else built by one streamed pass. */
export async function openTableCache(path: string, read: ReadTableOptions = {}, o: CacheOptions = {}): Promise<OpenCache> {
  const dir = o.dir ?? defaultCacheDir();
  let st;
  try { st = statSync(path); } catch (e) { throw fileError(path, e, 'read'); }
  if (st.isDirectory()) throw fileError(path, Object.assign(new Error('directory'), { code: 'EISDIR' }), 'read');
  const key = readKey(read);
  const stampPath = join(dir, 'stamps', `${sha256(`${resolve(path)}\n${key}`).slice(0, 32)}.json`);
  const stamp = readJson(stampPath) as { size?: number; mtimeMs?: number; contentHash?: string } | null;
  if (stamp !== null && stamp.size === st.size && stamp.mtimeMs === st.mtimeMs && typeof stamp.contentHash === 'string') {
    const found = join(dir, `${stamp.contentHash}-${key}`);
    const source = tryOpen(found, stamp.contentHash);
    if (source !== null) return { source, built: false, path: found };
  }
  const built = await buildCache(path, read, dir, key, o, st.size);
  mkdirSync(join(dir, 'stamps'), { recursive: true });
  writeFileSync(stampPath, JSON.stringify({ size: st.size, mtimeMs: st.mtimeMs, contentHash: built.hash }));
  return { source: built.source, built: true, path: built.path };
}

function readJson(p: string): unknown {
  try { return JSON.parse(readFileSync(p, 'utf8')); } catch { return null; }
}

/** Open a cache folder `openTableCache` made (e.g. in a worker thread given its path); refused when it is not one of this version. */
export function openCacheFolder(folder: string): FileBlockSource {
  const meta = readJson(join(folder, 'meta.json')) as CacheMeta | null;
  const source = meta === null ? null : tryOpen(folder, meta.contentHash);
  if (source === null) throw new TableError(`${folder}: not a cache of this mlpkit version; delete the folder to rebuild it`, folder);
  return source;
}

/** Open a finished cache folder, or null when it is missing or does not hold what a cache of this version holds. */
function tryOpen(folder: string, contentHash: string): FileBlockSource | null {
  const meta = readJson(join(folder, 'meta.json')) as CacheMeta | null;
  if (meta === null || meta.format !== 'mlpkit-cache' || meta.version !== CACHE_VERSION || meta.contentHash !== contentHash) return null;
  if (!Array.isArray(meta.blocks) || typeof meta.summary?.rows !== 'number' || !Array.isArray(meta.summary.columns)) return null;
  const data = join(folder, 'data.bin');
  if (!existsSync(data) || statSync(data).size !== meta.bytes) return null;
  return new FileBlockSource(data, meta);
}

/** Bytes a column's cells take per row in a block. */
const widthOf = (c: ColumnSummary | { type: string }): number => (c.type === 'number' ? 8 : 4);

/** Convert the file to a cache folder: stream it through the reader, writing each block as it comes. */
async function buildCache(path: string, read: ReadTableOptions, dir: string, key: string, o: CacheOptions, total: number): Promise<{ source: FileBlockSource; hash: string; path: string }> {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.building-${key}-${process.pid}-${Date.now()}`);
  mkdirSync(tmp);
  try {
    const fd = openSync(join(tmp, 'data.bin'), 'w');
    const blocks: BlockMeta[] = [];
    let offset = 0;
    const write = (b: RawBlock): void => {
      blocks.push({ offset, rows: b.rows, present: b.cells.map((c) => c !== null), missing: b.cells.map((c) => missingCells(b.rows, c)) });
      offset += writeAll(fd, b.lines);
      for (const c of b.cells) if (c !== null) offset += writeAll(fd, c);
    };
    const hash = createHash('sha256');
    let summary: StreamSummary;
    try {
      summary = await streamFile(path, read, total, { blockRows: Math.max(1, o.blockRows ?? DEFAULT_BLOCK_ROWS), onBlock: write }, hash, o.onProgress);
    } finally {
      closeSync(fd);
    }
    const contentHash = hash.digest('hex');
    // Category cells were written as the reader coded them when the block went out; the summary types them.
    const meta: CacheMeta = { format: 'mlpkit-cache', version: CACHE_VERSION, littleEndian: true, contentHash, summary, blocks, bytes: offset };
    writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta));
    const final = join(dir, `${contentHash}-${key}`);
    rmSync(final, { recursive: true, force: true });
    renameSync(tmp, final);
    return { source: new FileBlockSource(join(final, 'data.bin'), meta), hash: contentHash, path: final };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

function writeAll(fd: number, a: Int32Array | Float64Array): number {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
  return bytes.length;
}

/** Read a file into blocks (hashing its bytes as they go): CSV and TSV streamed as they are hashed, Parquet a row group and Arrow a record batch at a time after, JSON lines whole. */
async function streamFile(path: string, read: ReadTableOptions, total: number, sink: { blockRows: number; onBlock: (b: RawBlock) => void }, hash: ReturnType<typeof createHash>, onProgress: CacheOptions['onProgress']): Promise<StreamSummary> {
  const source = read.source ?? path.split(/[\\/]/).pop()!;
  let reader: CsvRead | null = null;
  let format: TableFormat | null = read.format ?? formatOfName(path);
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      const c = chunk as Buffer;
      hash.update(c);
      bytes += c.length;
      format ??= sniffFormat(c);
      // Other formats are hashed in this pass, then read by their own readers.
      if (format === 'csv' || format === 'tsv') {
        reader ??= csvReader(format, read, source, total, sink);
        reader.push(c);
      }
      onProgress?.({ bytes, totalBytes: total, rows: reader?.rows ?? 0 });
    }
  } catch (e) {
    if (e instanceof TableError) throw e;
    throw fileError(path, e, 'read');
  }
  if (format === 'csv' || format === 'tsv') {
    reader ??= csvReader(format, read, source, total, sink);
    return reader.finishStream();
  }
  if (format !== 'parquet' && format !== 'arrow') return wholeFile(path, read, sink);
  let rows = 0;
  return typedFileBlocks(format, path, source, read, sink.blockRows, (b) => { rows += b.rows; sink.onBlock(b); onProgress?.({ bytes, totalBytes: total, rows }); });
}

/** JSON lines: read whole (a column may first appear in any record), then written out in blocks. */
async function wholeFile(path: string, read: ReadTableOptions, sink: { blockRows: number; onBlock: (b: RawBlock) => void }): Promise<StreamSummary> {
  const t = await readTableFile(path, read);
  for (let s = 0; s < t.rows; s += sink.blockRows) {
    const e = Math.min(t.rows, s + sink.blockRows);
    sink.onBlock({
      rows: e - s, lines: t.lines.slice(s, e),
      cells: t.columns.map((c) => (c.type === 'number' ? c.values.slice(s, e) : c.type === 'empty' ? null : c.codes.slice(s, e))),
    });
  }
  const columns: ColumnSummary[] = t.columns.map((c) => {
    const base = { name: c.name, index: c.index, missing: c.missing, firstMissing: c.firstMissing };
    if (c.type === 'number' || c.type === 'empty') return { ...base, type: c.type };
    // The blocks hold the table's own codes: a boolean's are already 0 = false, 1 = true.
    return c.type === 'boolean' ? { ...base, type: 'boolean', levels: c.levels, counts: c.counts, codeMap: [0, 1] } : { ...base, type: 'category', levels: c.levels, counts: c.counts };
  });
  return { source: t.source, rows: t.rows, columns, format: t.format };
}

/** A cache's blocks, read with positioned reads from its data file. */
export class FileBlockSource implements BlockSource {
  readonly summary: StreamSummary;
  readonly blockRows: readonly number[];
  private fd: number | null = null;

  constructor(private readonly file: string, private readonly meta: CacheMeta) {
    this.summary = meta.summary;
    this.blockRows = meta.blocks.map((b) => b.rows);
    if (meta.summary.columns.length !== (meta.blocks[0]?.present.length ?? meta.summary.columns.length)) {
      throw new TableError(`${file}: the cache's blocks do not match its columns; delete the folder to rebuild it`, file);
    }
  }

  private handle(): number {
    if (this.fd === null) {
      this.fd = openSync(this.file, 'r');
      if (fstatSync(this.fd).size !== this.meta.bytes) throw new TableError(`${this.file}: the cache's data file has changed size; delete its folder to rebuild it`, this.file);
    }
    return this.fd;
  }

  /** Read `a.byteLength` bytes at `position` into `a`. */
  private fill(a: Int32Array | Float64Array, position: number): void {
    const view = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let done = 0; done < view.length;) {
      const n = readSync(this.handle(), view, done, view.length - done, position + done);
      if (n === 0) throw new TableError(`${this.file}: the cache ends early; delete its folder to rebuild it`, this.file);
      done += n;
    }
  }

  /** Where column j's cells start within block b (after the lines and the present cells before it). */
  private cellOffset(b: BlockMeta, j: number): number {
    let at = b.offset + b.rows * 4;
    for (let k = 0; k < j; k++) if (b.present[k] === true) at += b.rows * widthOf(this.summary.columns[k]!);
    return at;
  }

  readBlock(i: number): RawBlock {
    const b = this.meta.blocks[i]!;
    return { rows: b.rows, lines: this.readBlockLines(i), cells: this.summary.columns.map((_, j) => this.readBlockCells(i, j)), missing: b.missing };
  }

  readBlockCells(i: number, j: number, into?: Float64Array | Int32Array): Float64Array | Int32Array | null {
    const b = this.meta.blocks[i]!;
    if (b.present[j] !== true) return null;
    const number = this.summary.columns[j]!.type === 'number';
    const fits = into !== undefined && into.length >= b.rows && (into instanceof Float64Array) === number;
    const a = fits ? into.subarray(0, b.rows) : number ? new Float64Array(b.rows) : new Int32Array(b.rows);
    this.fill(a, this.cellOffset(b, j));
    return a;
  }

  readBlockLines(i: number, into?: Int32Array): Int32Array {
    const b = this.meta.blocks[i]!;
    const a = into !== undefined && into.length >= b.rows ? into.subarray(0, b.rows) : new Int32Array(b.rows);
    this.fill(a, b.offset);
    return a;
  }

  readCells(j: number): Float64Array | Int32Array | null {
    const c = this.summary.columns[j]!;
    if (c.type === 'empty') return null;
    const out = c.type === 'number' ? new Float64Array(this.summary.rows).fill(NaN) : new Int32Array(this.summary.rows).fill(-1);
    let row = 0;
    this.meta.blocks.forEach((b, i) => { this.readBlockCells(i, j, out.subarray(row, row + b.rows)); row += b.rows; });
    return out;
  }

  readLines(): Int32Array {
    const out = new Int32Array(this.summary.rows);
    let row = 0;
    this.meta.blocks.forEach((b, i) => { this.readBlockLines(i, out.subarray(row, row + b.rows)); row += b.rows; });
    return out;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Data by content. The matrices every trial of a run shares (the training table) are one bundle of
 * bytes named by its SHA-256: stored once in Redis in chunks (or as a file in a folder every worker
 * can read), fetched by a worker once and cached by hash. A fetched bundle is checked against its
 * hash, so a worker never trains on other data than the submitter meant.
 *
 * Bytes: 'MLPD', the header's length (u32, little-endian), the header (UTF-8 JSON: the value with each
 * typed array replaced by `{ $ta, at, n }`), zero padding to 8, then the arrays' bytes, each 8-aligned.
 */

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { writeFileAtomic } from '../../io/node/files.js';
import { pack, typedFromBytes, unpack, type Json, type Typed } from './wire.js';

const MAGIC = 0x44504c4d; // 'MLPD'
const CHUNK = 4 << 20;
/** Bundles left behind by a submitter that never came back expire after a day. */
const TTL_SECONDS = 24 * 3600;

export interface Bundle {
  readonly sha256: string;
  readonly bytes: Uint8Array;
}

/** Where a trial's data is: in Redis, or in every worker's data folder; named by its hash. */
export interface DataRef {
  readonly kind: 'redis' | 'file';
  readonly sha256: string;
  readonly bytes: number;
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Bundle a value (typed arrays go into the binary body). */
export function encodeBundle(value: unknown): Bundle {
  const arrays: Typed[] = [];
  let at = 0;
  const header = pack(value, (a, tag) => {
    const ref: Json = { $ta: tag, at, n: a.length };
    arrays.push(a);
    at = align8(at + a.byteLength);
    return ref;
  });
  const head = new TextEncoder().encode(JSON.stringify(header));
  const body0 = align8(8 + head.length);
  const bytes = new Uint8Array(body0 + at);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, head.length, true);
  bytes.set(head, 8);
  let off = body0;
  for (const a of arrays) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), off);
    off = align8(off + a.byteLength);
  }
  return { sha256: sha256(bytes), bytes };
}

/** The value of a bundle; `where` names it in errors. */
export function decodeBundle(bytes: Uint8Array, where: string): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8 || view.getUint32(0, true) !== MAGIC) throw new Error(`${where}: not an mlpkit data bundle`);
  const n = view.getUint32(4, true);
  if (8 + n > bytes.length) throw new Error(`${where}: header of ${n} bytes runs past the end (${bytes.length} bytes)`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Json;
  const body0 = align8(8 + n);
  return unpack(header, (tag, o) => {
    const at = o.at;
    const len = o.n;
    const size = tag === 'f64' ? 8 : 4;
    if (typeof at !== 'number' || typeof len !== 'number' || body0 + at + len * size > bytes.length) throw new Error(`${where}: an array runs past the end`);
    return typedFromBytes(tag, bytes.subarray(body0 + at, body0 + at + len * size), where);
  });
}

const metaKey = (prefix: string, hash: string): string => `${prefix}data:${hash}`;
const chunkKey = (prefix: string, hash: string, i: number): string => `${prefix}data:${hash}:${i}`;

/** Store a bundle once: chunks first, the meta key last (its presence means the chunks are all there). */
export async function putBundle(redis: Redis, prefix: string, b: Bundle): Promise<void> {
  const meta = metaKey(prefix, b.sha256);
  const chunks = Math.max(1, Math.ceil(b.bytes.length / CHUNK));
  if ((await redis.expire(meta, TTL_SECONDS)) === 1) {
    for (let i = 0; i < chunks; i++) await redis.expire(chunkKey(prefix, b.sha256, i), TTL_SECONDS);
    return;
  }
  for (let i = 0; i < chunks; i++) {
    const part = Buffer.from(b.bytes.buffer, b.bytes.byteOffset + i * CHUNK, Math.min(CHUNK, b.bytes.length - i * CHUNK));
    await redis.set(chunkKey(prefix, b.sha256, i), part, 'EX', TTL_SECONDS);
  }
  await redis.set(meta, JSON.stringify({ bytes: b.bytes.length, chunks }), 'EX', TTL_SECONDS);
}

export async function hasBundle(redis: Redis, prefix: string, hash: string): Promise<boolean> {
  return (await redis.exists(metaKey(prefix, hash))) === 1;
}

export async function deleteBundle(redis: Redis, prefix: string, b: Bundle): Promise<void> {
  const chunks = Math.max(1, Math.ceil(b.bytes.length / CHUNK));
  await redis.del(metaKey(prefix, b.sha256), ...Array.from({ length: chunks }, (_, i) => chunkKey(prefix, b.sha256, i)));
}

/** The file of a bundle in a shared data folder. */
export const bundleFile = (dir: string, hash: string): string => join(dir, `${hash}.mlpkit-data`);

export async function writeBundleFile(dir: string, b: Bundle): Promise<void> {
  if (!existsSync(bundleFile(dir, b.sha256))) await writeFileAtomic(bundleFile(dir, b.sha256), b.bytes);
}

/** Bundles a worker has fetched, by hash, least recently used dropped first beyond `maxBytes`. */
export class BundleCache {
  private readonly entries = new Map<string, Uint8Array>();
  private size = 0;

  constructor(private readonly redis: Redis, private readonly prefix: string, private readonly dataDir: string | null, private readonly maxBytes = 1 << 30) {}

  async get(ref: DataRef): Promise<Uint8Array> {
    const hit = this.entries.get(ref.sha256);
    if (hit !== undefined) {
      this.entries.delete(ref.sha256);
      this.entries.set(ref.sha256, hit);
      return hit;
    }
    const bytes = ref.kind === 'redis' ? await this.fromRedis(ref) : await this.fromFile(ref);
    if (sha256(bytes) !== ref.sha256) throw new Error(`data ${ref.sha256.slice(0, 12)}: the bytes fetched do not have this hash`);
    this.entries.set(ref.sha256, bytes);
    this.size += bytes.length;
    for (const [k, v] of this.entries) {
      if (this.size <= this.maxBytes || k === ref.sha256) break;
      this.entries.delete(k);
      this.size -= v.length;
    }
    return bytes;
  }

  private async fromRedis(ref: DataRef): Promise<Uint8Array> {
    const meta = await this.redis.get(metaKey(this.prefix, ref.sha256));
    if (meta === null) throw new Error(`data ${ref.sha256.slice(0, 12)} is not in Redis (yet): the submitter stores it again when it sees it gone`);
    const { chunks } = JSON.parse(meta) as { chunks: number };
    const parts: Buffer[] = [];
    for (let i = 0; i < chunks; i++) {
      const part = await this.redis.getBuffer(chunkKey(this.prefix, ref.sha256, i));
      if (part === null) throw new Error(`data ${ref.sha256.slice(0, 12)}: chunk ${i} of ${chunks} is missing`);
      parts.push(part);
    }
    return new Uint8Array(Buffer.concat(parts));
  }

  private async fromFile(ref: DataRef): Promise<Uint8Array> {
    if (this.dataDir === null) throw new Error(`data ${ref.sha256.slice(0, 12)} is in a shared data folder, and this worker was started without --data-dir`);
    return new Uint8Array(await readFile(bundleFile(this.dataDir, ref.sha256)));
  }
}

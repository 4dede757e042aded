/**
 * Streamed epochs that read encoded rows (Node only). Before the first epoch, one pass encodes every block's
 * rows of a role (with the run's preprocessor: the same `encodeBlock`, or another encoder such as the worker
 * thread's) and writes them to a file of float32 rows beside the on-disk cache; each epoch then reads its
 * blocks, in its order, straight from that file. A block is parsed and encoded once per run instead of once
 * per epoch, and an epoch reads 4 bytes per input and output instead of 8 per raw cell. The rows are the
 * same bytes, so a run is the same with or without the file. The file is removed when the run ends (and a
 * file left by a process that no longer runs is removed by the next run in the same folder).
 */

import { closeSync, openSync, readdirSync, readSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { BlockSource } from '../table/blocks.js';
import type { Preprocessor } from '../workflow/preprocessor.js';
import { blockStarts, encodeBlock, type BlockEncoder, type BlockEncoderFactory, type EncodedBlock } from '../workflow/stream.js';

const PREFIX = 'encoded-';

/**
 * Encode a run's streamed blocks once into a file in `dir` (the cache folder, `openTableCache(…).path`), then
 * read each epoch from it. With `first`, the one encoding pass goes through that encoder (the worker's, so
 * reading and encoding overlap the writes).
 */
export function encodedFileEncoder(dir: string, first?: BlockEncoderFactory): BlockEncoderFactory {
  return (src, prep, roles, role) => new EncodedFile(dir, src, prep, roles, role, first?.(src, prep, roles, role) ?? null);
}

/** Remove the encoded-row files of processes that no longer run (a run killed before it could remove its own). */
function removeOrphans(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = Number(name.slice(PREFIX.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    rmSync(join(dir, name), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

class EncodedFile implements BlockEncoder {
  private readonly path: string;
  private fd: number | null;
  /** Each block's byte offset in the file, and its rows. */
  private readonly offsets: Float64Array;
  private readonly rows: Int32Array;
  private readonly x: Float32Array;
  private readonly y: Float32Array;
  private order = new Int32Array(0);
  private i = 0;

  constructor(dir: string, src: BlockSource, private readonly prep: Preprocessor, roles: Uint8Array, role: number, first: BlockEncoder | null) {
    removeOrphans(dir);
    this.path = join(dir, `${PREFIX}${process.pid}-${randomBytes(6).toString('hex')}.f32`);
    const blocks = src.blockRows.length;
    this.offsets = new Float64Array(blocks);
    this.rows = new Int32Array(blocks);
    const most = Math.max(1, ...src.blockRows);
    this.x = new Float32Array(most * prep.width);
    this.y = new Float32Array(most * prep.outputWidth);
    this.fd = openSync(this.path, 'wx+');
    try {
      this.write(src, roles, role, first);
    } catch (e) {
      this.close();
      throw e;
    } finally {
      first?.close();
    }
  }

  /** The one pass: every block's rows of the role, encoded, appended in block order. */
  private write(src: BlockSource, roles: Uint8Array, role: number, first: BlockEncoder | null): void {
    const blocks = src.blockRows.length;
    const starts = blockStarts(src);
    first?.start(Int32Array.from({ length: blocks }, (_, b) => b));
    let at = 0;
    for (let b = 0; b < blocks; b++) {
      const e = first === null ? encodeBlock(src, roles, starts, this.prep, role, b) : first.next();
      this.offsets[b] = at;
      this.rows[b] = e.rows;
      at += this.put(e.x, at);
      at += this.put(e.y, at);
    }
  }

  private put(a: Float32Array, position: number): number {
    const view = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let done = 0; done < view.length;) done += writeSync(this.fd!, view, done, view.length - done, position + done);
    return view.length;
  }

  private take(a: Float32Array, position: number): void {
    const view = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let done = 0; done < view.length;) {
      const n = readSync(this.fd!, view, done, view.length - done, position + done);
      if (n === 0) throw new Error(`${this.path}: the file of encoded rows ends early (was it removed or truncated during the run?)`);
      done += n;
    }
  }

  start(order: Int32Array): void {
    this.order = order.slice();
    this.i = 0;
  }

  next(): EncodedBlock {
    if (this.fd === null) throw new Error('encoded rows: the file is closed');
    if (this.i >= this.order.length) throw new Error('encoded rows: asked for more blocks than the epoch holds');
    const b = this.order[this.i++]!;
    const rows = this.rows[b]!;
    const x = this.x.subarray(0, rows * this.prep.width);
    const y = this.y.subarray(0, rows * this.prep.outputWidth);
    this.take(x, this.offsets[b]!);
    this.take(y, this.offsets[b]! + x.byteLength);
    return { x, y, rows };
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    rmSync(this.path, { force: true });
  }
}

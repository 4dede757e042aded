/**
 * Streamed epochs with their blocks read and encoded on a worker thread (Node only), ahead of the training
 * steps on the main thread: tf.data's prefetch. The worker opens the same on-disk cache, encodes each block
 * of the epoch's order with the run's preprocessor (the same `encodeBlock`, so the rows are the same bytes),
 * and writes it into a ring of shared slots; the main thread waits on a slot (Atomics) only when the worker
 * is behind. The order stays the main thread's (its generator shuffles the blocks), so a run is the same
 * with or without the worker.
 *
 * Each slot's state: 0 free, 1 holds a block, 2 the worker failed (its message on the error port).
 */

import { MessageChannel, isMainThread, parentPort, receiveMessageOnPort, workerData, type MessagePort, type Worker } from 'node:worker_threads';
import { openCacheFolder } from '../io/node/cache.js';
import type { BlockSource } from '../table/blocks.js';
import { Preprocessor, type PreprocessorJSON } from '../workflow/preprocessor.js';
import { blockStarts, encodeBlock, type BlockEncoder, type BlockEncoderFactory, type EncodedBlock } from '../workflow/stream.js';
import { startWorker } from './pool.js';

const ROLE = 'mlpkit-block-encoder';
/** Blocks the worker may be ahead by. */
const SLOTS = 3;

interface Setup {
  readonly folder: string;
  readonly prep: PreprocessorJSON;
  readonly role: number;
  readonly roles: SharedArrayBuffer;
  readonly order: SharedArrayBuffer;
  readonly ctrl: SharedArrayBuffer;
  readonly ring: SharedArrayBuffer;
  readonly slotRows: number;
  readonly errors: MessagePort;
}

/** The shared slots: control words (state and rows per slot) and the rows, as both threads see them. */
class Ring {
  readonly ctrl: Int32Array;
  constructor(readonly ctrlBuffer: SharedArrayBuffer, readonly buffer: SharedArrayBuffer, readonly slotRows: number, readonly wx: number, readonly wy: number) {
    this.ctrl = new Int32Array(ctrlBuffer);
  }
  state(slot: number): number { return 2 * slot; }
  rows(slot: number): number { return 2 * slot + 1; }
  x(slot: number, rows: number): Float32Array { return new Float32Array(this.buffer, slot * this.slotRows * (this.wx + this.wy) * 4, rows * this.wx); }
  y(slot: number, rows: number): Float32Array { return new Float32Array(this.buffer, (slot * this.slotRows * (this.wx + this.wy) + this.slotRows * this.wx) * 4, rows * this.wy); }
}

/** Encode a run's streamed blocks on a worker thread, reading the cache in `folder` (`openTableCache(…).path`). */
export function workerBlockEncoder(folder: string): BlockEncoderFactory {
  return (src, prep, roles, role) => new WorkerEncoder(folder, src, prep, roles, role);
}

class WorkerEncoder implements BlockEncoder {
  private readonly ring: Ring;
  private readonly order: Int32Array;
  private readonly worker: Worker;
  private readonly errors: MessagePort;
  private i = 0;
  private count = 0;

  constructor(folder: string, src: BlockSource, prep: Preprocessor, roles: Uint8Array, role: number) {
    const slotRows = Math.max(1, ...src.blockRows);
    const rolesBuffer = new SharedArrayBuffer(roles.length);
    new Uint8Array(rolesBuffer).set(roles);
    const orderBuffer = new SharedArrayBuffer(4 * Math.max(1, src.blockRows.length));
    this.order = new Int32Array(orderBuffer);
    this.ring = new Ring(new SharedArrayBuffer(4 * 2 * SLOTS), new SharedArrayBuffer(4 * SLOTS * slotRows * (prep.width + prep.outputWidth)), slotRows, prep.width, prep.outputWidth);
    const channel = new MessageChannel();
    this.errors = channel.port1;
    this.worker = startWorker(import.meta.url, ROLE);
    this.worker.unref();
    const setup: Setup = { folder, prep: prep.toJSON(), role, roles: rolesBuffer, order: orderBuffer, ctrl: this.ring.ctrlBuffer, ring: this.ring.buffer, slotRows, errors: channel.port2 };
    this.worker.postMessage(setup, [channel.port2]);
  }

  start(order: Int32Array): void {
    this.order.set(order);
    this.count = order.length;
    this.i = 0;
    for (let s = 0; s < SLOTS; s++) { Atomics.store(this.ring.ctrl, this.ring.state(s), 0); Atomics.notify(this.ring.ctrl, this.ring.state(s)); }
    this.worker.postMessage({ epoch: order.length });
  }

  next(): EncodedBlock {
    const { ring } = this;
    if (this.i >= this.count) throw new Error('block encoder: asked for more blocks than the epoch holds');
    if (this.i > 0) {
      const prev = ring.state((this.i - 1) % SLOTS);
      Atomics.store(ring.ctrl, prev, 0);
      Atomics.notify(ring.ctrl, prev);
    }
    const slot = this.i % SLOTS;
    const at = ring.state(slot);
    // A block takes well under a second to encode; a worker silent for a minute has died (it cannot say so while this thread waits).
    for (let waited = 0; Atomics.load(ring.ctrl, at) === 0; waited++) {
      if (waited === 60) throw new Error('encoding blocks on a worker thread failed: the worker has not answered for 60 s');
      Atomics.wait(ring.ctrl, at, 0, 1000);
    }
    if (Atomics.load(ring.ctrl, at) === 2) {
      const m = receiveMessageOnPort(this.errors);
      throw new Error(`encoding blocks on a worker thread failed: ${String((m?.message as { message?: string } | undefined)?.message ?? 'no message')}`);
    }
    const rows = ring.ctrl[ring.rows(slot)]!;
    this.i++;
    return { x: ring.x(slot, rows), y: ring.y(slot, rows), rows };
  }

  close(): void {
    this.errors.close();
    void this.worker.terminate();
  }
}

/** The worker: open the cache, then encode each epoch's blocks into the ring as slots come free. */
function serve(setup: Setup): void {
  const src = openCacheFolder(setup.folder);
  const prep = Preprocessor.fromPlan(setup.prep);
  const roles = new Uint8Array(setup.roles);
  const order = new Int32Array(setup.order);
  const starts = blockStarts(src);
  const ring = new Ring(setup.ctrl, setup.ring, setup.slotRows, prep.width, prep.outputWidth);
  parentPort!.on('message', (m: { epoch: number }) => {
    for (let i = 0; i < m.epoch; i++) {
      const slot = i % SLOTS;
      const at = ring.state(slot);
      while (Atomics.load(ring.ctrl, at) !== 0) Atomics.wait(ring.ctrl, at, Atomics.load(ring.ctrl, at), 1000);
      try {
        const e = encodeBlock(src, roles, starts, prep, setup.role, order[i]!);
        ring.x(slot, e.rows).set(e.x);
        ring.y(slot, e.rows).set(e.y);
        ring.ctrl[ring.rows(slot)] = e.rows;
        Atomics.store(ring.ctrl, at, 1);
      } catch (e) {
        setup.errors.postMessage({ message: e instanceof Error ? e.message : String(e) });
        Atomics.store(ring.ctrl, at, 2);
      }
      Atomics.notify(ring.ctrl, at);
    }
  });
}

if (!isMainThread && parentPort !== null && (workerData as { role?: unknown } | null)?.role === ROLE) {
  parentPort.once('message', (setup: Setup) => { serve(setup); });
}

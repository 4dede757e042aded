/**
 * Training on a table too large to hold: the table stays in blocks (an on-disk cache), and the one training
 * workflow runs over it with memory bounded by a block, one column and a shuffle window.
 *
 *   splits        the held-out rows and the validation rows are chosen as in memory (the same split
 *                 functions on the same target column), and marked per row;
 *   preprocessor  fitted by the same code as in memory on the training rows, one column read at a time
 *                 (exact two-pass statistics, not approximations);
 *   validation    its rows are held, encoded, in memory (early stopping needs them every epoch);
 *   epochs        blocks are read in a shuffled order, encoded, and their training rows fill a shuffle
 *                 window in the model's arena, handed out as batches in a random permutation of the
 *                 window (the rows short of a full batch carried into the next); without shuffling, rows
 *                 go in file order. (tf.data's buffer rule, each row out drawn from a random slot that the
 *                 next row in then takes, costs a random read and write per row in a large buffer: its
 *                 epochs ran 1.6× a held one's, the window's run as fast.) When the
 *                 encoded training rows fit (option hold), they are encoded once into the model's arena
 *                 instead and each epoch permutes them, as in memory: memory is then those rows alone,
 *                 with no raw table beside them;
 *   scoring       one more pass predicts every block and scores the held-out and the training rows.
 *
 * With the same rows in the same order (shuffle off, or held rows), the model equals the one trained in memory.
 */

import { Model } from '../graph/model.js';
import type { Matrix } from '../matrix.js';
import type { ModelSpec } from '../spec.js';
import { ARENA_MAX_BYTES, type Slot } from '../kernels/backend.js';
import { Rng } from '../rng.js';
import { blockTable, lazyTable, type BlockSource } from '../table/blocks.js';
import { takeTableRows } from '../table/rows.js';
import type { Table } from '../table/types.js';
import { trainTestSplit } from '../data/splits.js';
import { fitStream, validationRng } from '../train/fit.js';
import type { BatchStream, History, StreamBatch } from '../train/types.js';
import { evaluateDecoded, type Evaluation } from './evaluate.js';
import { SPLIT_SALT, testSizeOf, type HoldOutOptions } from './holdout.js';
import { checkTrainOptions, quantilesOf, type TrainOptions } from './options.js';
import { Pipeline } from './pipeline.js';
import type { EncodedTarget, Preprocessor } from './preprocessor.js';
import { splitRows } from './splits.js';
import { TASKS } from './tasks.js';
import { checkValidationRows, epochMetrics, fitOptionsOf, fitPreprocessor, resolveOptions, specOf, summaryOf, type TrainHooks } from './train.js';

/** What each row of a streamed table is for. */
const enum Role { Train = 0, Validation = 1, HeldOut = 2 }

/** How a streamed run is told its memory. */
export interface StreamOptions {
  /** Rows the shuffle window holds (default: an eighth of `memory`, else 64 batches or a block's worth, whichever is more; at least a batch). */
  readonly shuffleBuffer?: number;
  /** The memory budget in bytes: the validation rows are held only when they take at most a quarter of it (else they stream too). */
  readonly memory?: number;
  /**
   * Hold the training rows, encoded, in memory (the model's arena) instead of streaming them each epoch.
   * Default: when they take at most half of `memory`.
   */
  readonly hold?: boolean;
  /** Streamed epochs (training and validation rows): encode the blocks with this, e.g. ahead on a worker thread (src/node/block-encoder.ts), or once into a file of encoded rows (src/node/encoded-blocks.ts). */
  readonly encoder?: BlockEncoderFactory;
}

/** A streamed run's outcome: the pipeline and its history, the held-out and the training rows' scores. */
export interface StreamOutcome {
  readonly pipeline: Pipeline;
  readonly history: History;
  readonly heldOut: { readonly source: string; readonly rows: number; readonly evaluation: Evaluation; readonly unseen: readonly { column: string; levels: readonly string[]; rows: number }[] } | null;
  readonly training: Evaluation;
  /** Past SCORE_ROWS rows, the scores are of a uniform sample: the rows scored of the held-out and of the training rows. */
  readonly scored: { readonly heldOut: number; readonly training: number };
  /** Whether the training rows were held encoded in memory (else they streamed each epoch), and their bytes so held. */
  readonly held: boolean;
  readonly heldBytes: number;
}

/** The first option given that a streamed run cannot honour, by its name (null: none). */
export function unstreamable(o: TrainOptions): string | null {
  if (o.intervals !== undefined) return 'option intervals (--intervals)';
  if ((o.restarts ?? 1) > 1) return 'option restarts (--restarts, --ensemble)';
  if (o.sampleWeight !== undefined) return 'option sampleWeight (--sample-weight)';
  if (o.classWeight !== undefined) return 'option classWeight (--class-weight)';
  if (o.optimizer === 'lbfgs') return 'the lbfgs optimizer (--optimizer lbfgs)';
  return null;
}

/** Refuse the options a streamed run cannot honour yet, by the flag a user gave. */
function refuseUnstreamable(o: TrainOptions): void {
  const what = unstreamable(o);
  if (what !== null) throw new Error(`train: ${what} is not available when training streams from disk (option memory, --memory); train in memory, or leave it out`);
}

/** Held-out, validation and training rows, chosen as the in-memory workflow chooses them. */
function rolesOf(src: BlockSource, options: TrainOptions, h: HoldOutOptions): { roles: Uint8Array; train: Int32Array; testRows: number } {
  const full = lazyTable(src);
  const roles = new Uint8Array(full.rows);
  if (h.test !== undefined) throw new Error('train: a separate test file (--test) is not available when training streams; the held-out rows are a split (--test-size)');
  const size = testSizeOf(h, full.rows);
  if (size === 0) return { roles, train: Int32Array.from({ length: full.rows }, (_, i) => i), testRows: 0 };
  const split = splitRows(full, options, size, SPLIT_SALT, 'the held-out split', ' (option testSize, --test-size; 0 trains on every row)');
  for (const r of split.test) roles[r] = Role.HeldOut;
  return { roles, train: split.train, testRows: split.test.length };
}

/** Mark the validation rows among the training rows: the split `fit` makes of them in memory. */
function markValidation(roles: Uint8Array, train: Int32Array, trainTable: Table, prep: Preprocessor, fraction: number, seed: number): void {
  if (fraction === 0) return;
  const stratify = TASKS[prep.task].classifier ? prep.transformTarget(trainTable, 'float32').classIndex! : undefined;
  const s = trainTestSplit(train.length, validationRng(seed), { testSize: fraction, what: 'fit: validation.fraction', ...(stratify === undefined ? {} : { stratify }) });
  for (const k of s.test) roles[train[k]!] = Role.Validation;
}

/** The rows of a block with a role, as their positions in the block. */
function rowsWith(roles: Uint8Array, start: number, rows: number, role: Role): Int32Array {
  let n = 0;
  for (let i = 0; i < rows; i++) if (roles[start + i] === role) n++;
  const out = new Int32Array(n);
  for (let i = 0, k = 0; i < rows; i++) if (roles[start + i] === role) out[k++] = i;
  return out;
}

/** Each block's first row. */
export function blockStarts(src: BlockSource): Int32Array {
  const out = new Int32Array(src.blockRows.length);
  for (let i = 1; i < out.length; i++) out[i] = out[i - 1]! + src.blockRows[i - 1]!;
  return out;
}

/** The encoded rows of one role, gathered from every block: what validation holds in memory. */
function gatherRole(src: BlockSource, roles: Uint8Array, role: Role, prep: Preprocessor): { x: Matrix; y: Matrix } {
  const starts = blockStarts(src);
  const xs: Matrix[] = [];
  const ys: Matrix[] = [];
  for (let b = 0; b < src.blockRows.length; b++) {
    const e = encodeBlock(src, roles, starts, prep, role, b);
    xs.push({ rows: e.rows, cols: prep.width, data: e.x });
    ys.push({ rows: e.rows, cols: prep.outputWidth, data: e.y });
  }
  return { x: concatRows(xs, prep.width), y: concatRows(ys, prep.outputWidth) };
}

function concatRows(parts: readonly Matrix[], cols: number): Matrix {
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const data = new Float32Array(rows * cols);
  let o = 0;
  for (const p of parts) { data.set(p.data, o); o += p.data.length; }
  return { rows, cols, data };
}

/**
 * The training rows encoded once into the model's arena (no raw table, no second copy): each epoch a
 * permutation of them, as `fit` takes its rows in memory — so the model equals the in-memory one.
 */
class HeldRows implements BatchStream {
  readonly rows: number;
  private readonly xs: Slot;
  private readonly ys: Slot;
  private readonly perm: Int32Array;

  constructor(model: Model, src: BlockSource, roles: Uint8Array, prep: Preprocessor) {
    const starts = blockStarts(src);
    let n = 0;
    for (let i = 0; i < roles.length; i++) if (roles[i] === Role.Train) n++;
    this.rows = n;
    const wx = prep.width;
    const wy = prep.outputWidth;
    this.xs = model.arena.alloc(n * wx);
    this.ys = model.arena.alloc(n * wy);
    let o = 0;
    for (let b = 0; b < src.blockRows.length; b++) {
      const e = encodeBlock(src, roles, starts, prep, Role.Train, b);
      this.xs.a.set(e.x, o * wx);
      this.ys.a.set(e.y, o * wy);
      o += e.rows;
    }
    this.perm = Int32Array.from({ length: n }, (_, i) => i);
  }

  *epoch(rng: Rng, shuffle: boolean, batchSize: number): Generator<StreamBatch> {
    const n = this.rows;
    if (shuffle) rng.permutation(n, this.perm);
    for (let start = 0; start < n; start += batchSize) {
      yield { x: this.xs.a as Float32Array, y: this.ys.a as Float32Array, order: this.perm, start, rows: Math.min(batchSize, n - start) };
    }
  }
}

/** A block's rows of one role, encoded: inputs and targets, row-major. */
export interface EncodedBlock { readonly x: Float32Array; readonly y: Float32Array; readonly rows: number }

/** Encode the rows of block `b` that have role `role` (none: an empty block). */
export function encodeBlock(src: BlockSource, roles: Uint8Array, starts: Int32Array, prep: Preprocessor, role: number, b: number): EncodedBlock {
  const idx = rowsWith(roles, starts[b]!, src.blockRows[b]!, role);
  if (idx.length === 0) return { x: new Float32Array(0), y: new Float32Array(0), rows: 0 };
  const whole = blockTable(src.summary, src.readBlock(b));
  const t = idx.length === whole.rows ? whole : takeTableRows(whole, idx);
  return { x: prep.transform(t, 'float32').data as Float32Array, y: prep.transformTarget(t, 'float32').y.data as Float32Array, rows: t.rows };
}

/**
 * Blocks encoded ahead, in an order given per epoch (e.g. by a worker thread on another core, so that
 * reading and encoding overlap the training steps). It must give what `encodeBlock` gives, block for block.
 */
export interface BlockEncoder {
  /** Begin encoding the blocks of `order`, in that order. */
  start(order: Int32Array): void;
  /** The next block of the order (waiting for it if need be); valid until the next call. */
  next(): EncodedBlock;
  close(): void;
}

/** What makes a block encoder for a run: the preprocessor, each row's role, and the role to encode. */
export type BlockEncoderFactory = (src: BlockSource, prep: Preprocessor, roles: Uint8Array, role: number) => BlockEncoder;

/**
 * The training rows of a block source as batches: blocks in a shuffled order, encoded as they are read,
 * through a shuffle window of `capacity` rows in the model's arena (in file order, no window, when not
 * shuffling).
 */
class BlockStream implements BatchStream {
  readonly rows: number;
  private readonly starts: Int32Array;
  private window: ShuffleWindow | null = null;

  constructor(private readonly src: BlockSource, private readonly roles: Uint8Array, private readonly prep: Preprocessor, private readonly capacity: number, private readonly role: Role = Role.Train, private readonly encoder: BlockEncoder | null = null, private readonly model: Model | null = null) {
    let n = 0;
    for (let i = 0; i < roles.length; i++) if (roles[i] === role) n++;
    this.rows = n;
    this.starts = blockStarts(src);
  }

  /** Each block's training rows, encoded, in the epoch's block order. */
  private *encodedBlocks(rng: Rng, shuffle: boolean): Generator<EncodedBlock> {
    const order = Int32Array.from(this.src.blockRows, (_, i) => i);
    if (shuffle) rng.shuffle(order);
    if (this.encoder !== null) {
      this.encoder.start(order);
      for (let i = 0; i < order.length; i++) yield this.encoder.next();
      return;
    }
    for (const b of order) { const e = encodeBlock(this.src, this.roles, this.starts, this.prep, this.role, b); if (e.rows > 0) yield e; }
  }

  *epoch(rng: Rng, shuffle: boolean, batchSize: number): Generator<StreamBatch> {
    if (!shuffle || this.model === null) { yield* this.inOrder(rng, shuffle, batchSize); return; }
    const w = (this.window ??= new ShuffleWindow(this.model, this.prep.width, this.prep.outputWidth, Math.max(batchSize, Math.min(this.capacity, this.rows))));
    w.clear();
    for (const blk of this.encodedBlocks(rng, true)) {
      for (let r = 0; r < blk.rows;) {
        r = w.fill(blk, r);
        if (w.full) yield* w.batches(rng, batchSize, false);
      }
    }
    yield* w.batches(rng, batchSize, true);
  }

  /** The rows in the order the blocks give them, copied into batches. */
  private *inOrder(rng: Rng, shuffle: boolean, batchSize: number): Generator<StreamBatch> {
    const wx = this.prep.width;
    const wy = this.prep.outputWidth;
    const x = new Float32Array(batchSize * wx);
    const y = new Float32Array(batchSize * wy);
    let filled = 0;
    for (const blk of this.encodedBlocks(rng, shuffle)) {
      for (let r = 0; r < blk.rows;) {
        const n = Math.min(batchSize - filled, blk.rows - r);
        x.set(blk.x.subarray(r * wx, (r + n) * wx), filled * wx);
        y.set(blk.y.subarray(r * wy, (r + n) * wy), filled * wy);
        filled += n;
        r += n;
        if (filled === batchSize) { yield { rows: filled, x, y }; filled = 0; }
      }
    }
    if (filled > 0) yield { rows: filled, x, y };
  }
}

/**
 * A shuffled epoch's window: up to `cap` encoded rows in the model's arena, filled from the blocks in the
 * epoch's (shuffled) order and handed out as batches in a random permutation of the window; the rows a
 * last batch would leave short are carried into the next window, so every batch but the epoch's last is
 * full. The batches are gathered from the arena by the model as a held epoch's are. A window that holds
 * every row is the in-memory epoch: one permutation of all of them.
 */
class ShuffleWindow {
  private readonly xs: Slot;
  private readonly ys: Slot;
  private readonly perm: Int32Array;
  private readonly kernels: Model['arena']['kernels'];
  private n = 0;

  constructor(model: Model, private readonly wx: number, private readonly wy: number, private readonly cap: number) {
    this.kernels = model.arena.kernels;
    this.xs = model.arena.alloc(cap * wx);
    this.ys = model.arena.alloc(cap * wy);
    this.perm = new Int32Array(cap);
  }

  get full(): boolean { return this.n === this.cap; }

  clear(): void { this.n = 0; }

  /** Copy a block's rows from row `r` on while there is room; the next row to copy. */
  fill(blk: EncodedBlock, r: number): number {
    const k = Math.min(this.cap - this.n, blk.rows - r);
    const { wx, wy } = this;
    this.xs.a.set(blk.x.subarray(r * wx, (r + k) * wx), this.n * wx);
    this.ys.a.set(blk.y.subarray(r * wy, (r + k) * wy), this.n * wy);
    this.n += k;
    return r + k;
  }

  /** The window's rows as batches in a random order (at the epoch's end every row; else the full batches, carrying the rest). */
  *batches(rng: Rng, batchSize: number, last: boolean): Generator<StreamBatch> {
    const n = this.n;
    const perm = rng.permutation(n, this.perm.subarray(0, n));
    const out = last ? n : n - (n % batchSize);
    for (let start = 0; start < out; start += batchSize) {
      yield { x: this.xs.a as Float32Array, y: this.ys.a as Float32Array, order: perm, start, rows: Math.min(batchSize, out - start) };
    }
    this.carry(perm, out);
  }

  /** Move the rows `perm[from…]` (fewer than a batch) to the window's front. */
  private carry(perm: Int32Array, from: number): void {
    const k = this.n - from;
    const { wx, wy } = this;
    const x = new Float32Array(k * wx);
    const y = new Float32Array(k * wy);
    this.kernels.gatherRows(this.xs.a, perm, from, k, wx, x);
    this.kernels.gatherRows(this.ys.a, perm, from, k, wy, y);
    this.xs.a.set(x, 0);
    this.ys.a.set(y, 0);
    this.n = k;
  }
}

/** What a streamed run settles before its epochs: roles of the rows, the preprocessor, the resolved options (the tables it read are dropped). */
function planStream(src: BlockSource, options: TrainOptions, h: HoldOutOptions, hooks: TrainHooks) {
  const { roles, train, testRows } = rolesOf(src, options, h);
  const trainTable = lazyTable(src, train);
  const prep = fitPreprocessor(trainTable, options);
  const resolved = resolveOptions(options, trainTable.rows);
  const spec = specOf(prep, resolved);
  hooks.checkSpec?.(spec);
  const fraction = resolved.validation!;
  checkValidationRows(trainTable, fraction);
  markValidation(roles, train, trainTable, prep, fraction, resolved.seed!);
  const base = fitOptionsOf(prep, resolved, trainTable.rows, fraction);
  return { roles, testRows, prep, resolved, spec, fraction, base, trainRows: trainTable.rows };
}

/**
 * Whether training rows of `bytes` are held: within half the memory, and for a float32 model within three
 * quarters of what its arena (which holds them beside the network) can address.
 */
function holds(bytes: number, memory: number, spec: ModelSpec): boolean {
  return bytes <= memory / 2 && ((spec.dtype ?? 'float32') === 'float64' || bytes <= ARENA_MAX_BYTES * 0.75);
}

/**
 * Train a pipeline on a table held in blocks (e.g. `openTableCache` of `mlpkit/node`), with held-out rows
 * as `trainHeldOut` holds them out, and score it on them.
 */
export async function trainStreamed(src: BlockSource, options: TrainOptions, h: HoldOutOptions = {}, hooks: TrainHooks = {}, so: StreamOptions = {}): Promise<StreamOutcome> {
  checkTrainOptions(options);
  refuseUnstreamable(options);
  const { roles, testRows, prep, resolved, spec, fraction, base, trainRows } = planStream(src, options, h, hooks);
  const rowBytes = 4 * (prep.width + prep.outputWidth);
  const batch = base.batchSize ?? 1;
  const capacity = so.shuffleBuffer ?? (so.memory === undefined ? Math.max(64 * batch, src.blockRows[0] ?? 0) : Math.max(batch, Math.floor(so.memory / 8 / rowBytes)));
  const validationRows = fraction > 0 ? Math.round(fraction * trainRows) : 0;
  const holdValidation = validationRows > 0 && (so.memory === undefined || validationRows * rowBytes <= so.memory / 4);
  const val = holdValidation ? gatherRole(src, roles, Role.Validation, prep) : null;
  const valEncoder = validationRows > 0 && !holdValidation && so.encoder !== undefined ? so.encoder(src, prep, roles, Role.Validation) : null;
  const valStream = validationRows > 0 && !holdValidation ? new BlockStream(src, roles, prep, 0, Role.Validation, valEncoder) : null;
  const model = new Model(spec, { seed: resolved.seed!, ...(hooks.backend === undefined ? {} : { backend: hooks.backend }) });
  const quantiles = quantilesOf(resolved.loss);
  const hold = so.hold ?? (so.memory !== undefined && holds((trainRows - validationRows) * rowBytes, so.memory, spec));
  const encoder = hold || so.encoder === undefined ? null : so.encoder(src, prep, roles, Role.Train);
  const rows = hold ? new HeldRows(model, src, roles, prep) : new BlockStream(src, roles, prep, capacity, Role.Train, encoder, model);
  const history = await fitStream(model, rows, {
    ...base, seed: resolved.seed!, metrics: quantiles === null ? epochMetrics(prep.task) : {},
    ...(val === null ? {} : { validation: { x: val.x, y: val.y } }),
    ...(hooks.onEpochEnd === undefined ? {} : { onEpochEnd: hooks.onEpochEnd }),
    ...(hooks.onBatchEnd === undefined ? {} : { onBatchEnd: hooks.onBatchEnd }),
    ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
  }, valStream).finally(() => { encoder?.close(); valEncoder?.close(); });
  let pipeline = new Pipeline(model, prep, resolved, summaryOf({ source: src.summary.source, rows: trainRows, format: src.summary.format }, validationRows, history));
  const scores = scoreBlocks(src, roles, pipeline, testRows > 0);
  const source = `${testRows} held-out rows of ${src.summary.source}`;
  const heldOut = scores.heldOut === null ? null : { source, rows: testRows, evaluation: scores.heldOut, unseen: scores.unseen };
  if (heldOut !== null) pipeline = pipeline.with({ summary: { ...pipeline.summary!, heldOut: { source, rows: testRows, metrics: heldOut.evaluation.metrics } } });
  return { pipeline, history, heldOut, training: scores.training, scored: scores.scored, held: hold, heldBytes: (trainRows - validationRows) * rowBytes };
}

/** Most rows a block-by-block scoring keeps: beyond it, a uniform sample of this many rows is scored (and says so). */
export const SCORE_ROWS = 1 << 20;

/**
 * Outputs and targets of some rows, gathered block by block, then scored as one table (as `Pipeline.evaluate`
 * scores it). Up to `capacity` rows every row is kept, in order, and the scores are exact; past it a seeded
 * reservoir keeps a uniform sample of `capacity` rows, so memory stays bounded whatever the file's size.
 */
export class BlockScores {
  /** Rows seen. */
  rows = 0;
  private k = 0;
  private kt = 0;
  private outputs = new Float64Array(0);
  private classIndex: Int32Array | null = null;
  private values: Float64Array | null = null;
  private readonly rng: Rng;

  constructor(private readonly capacity = SCORE_ROWS, seed = 0) {
    this.rng = new Rng((seed ^ 0x5c0e) >>> 0);
  }

  /** Rows kept (all of them, or the sample). */
  get kept(): number { return Math.min(this.rows, this.capacity); }

  /** Add a block's rows; `targetColumns` names the target(s) when the table calls them otherwise. */
  add(p: Pipeline, t: Table, targetColumns?: readonly string[]): void {
    const truth = p.preprocessor.transformTarget(t, 'float64', targetColumns);
    const out = p.outputs(t).data;
    const k = p.preprocessor.outputWidth;
    const kt = truth.values === null ? 1 : truth.values.length / t.rows;
    if (this.rows === 0) this.start(k, kt, truth.classIndex !== null, Math.min(this.capacity, Math.max(t.rows, 1024)));
    for (let r = 0; r < t.rows; r++) {
      const n = this.rows++;
      const slot = n < this.capacity ? n : this.rng.int(n + 1);
      if (slot >= this.capacity) continue;
      if (slot >= this.outputs.length / k) this.grow(slot + 1);
      for (let j = 0; j < k; j++) this.outputs[slot * k + j] = out[r * k + j]!;
      if (this.classIndex !== null) this.classIndex[slot] = truth.classIndex![r]!;
      else for (let j = 0; j < kt; j++) this.values![slot * kt + j] = truth.values![r * kt + j]!;
    }
  }

  private start(k: number, kt: number, classes: boolean, rows: number): void {
    this.k = k;
    this.kt = kt;
    this.outputs = new Float64Array(rows * k);
    if (classes) this.classIndex = new Int32Array(rows); else this.values = new Float64Array(rows * kt);
  }

  /** Room for at least `rows` rows (doubling, up to the capacity). */
  private grow(rows: number): void {
    const n = Math.min(this.capacity, Math.max(rows, 2 * (this.outputs.length / this.k)));
    const o = new Float64Array(n * this.k); o.set(this.outputs); this.outputs = o;
    if (this.classIndex !== null) { const c = new Int32Array(n); c.set(this.classIndex); this.classIndex = c; }
    if (this.values !== null) { const v = new Float64Array(n * this.kt); v.set(this.values); this.values = v; }
  }

  evaluate(p: Pipeline): Evaluation {
    const n = this.kept;
    const out: Matrix = { rows: n, cols: this.k, data: this.outputs.subarray(0, n * this.k) };
    const truth: EncodedTarget = {
      y: { rows: n, cols: 0, data: new Float64Array(0) },
      classIndex: this.classIndex === null ? null : this.classIndex.subarray(0, n),
      values: this.values === null ? null : this.values.subarray(0, n * this.kt),
    };
    return evaluateDecoded(p.preprocessor.target, p.preprocessor.decode(out), truth);
  }
}

/** One pass over the blocks: the held-out rows' scores (unseen levels scored as all zeros) and the training rows'. */
function scoreBlocks(src: BlockSource, roles: Uint8Array, p: Pipeline, heldOut: boolean): { heldOut: Evaluation | null; training: Evaluation; unseen: { column: string; levels: string[]; rows: number }[]; scored: StreamOutcome['scored'] } {
  const lenient = p.with({ preprocessor: p.preprocessor.withUnknown('ignore') });
  const test = new BlockScores();
  const train = new BlockScores();
  const unseen = new UnseenLevels();
  const starts = blockStarts(src);
  src.blockRows.forEach((rows, b) => {
    const whole = blockTable(src.summary, src.readBlock(b));
    const t = rowsWith(roles, starts[b]!, rows, Role.HeldOut);
    if (t.length > 0) {
      const part = takeTableRows(whole, t);
      test.add(lenient, part);
      unseen.add(p, part);
    }
    const kept = new Int32Array(rows - t.length);
    for (let i = 0, k = 0, j = 0; i < rows; i++) { if (j < t.length && t[j] === i) { j++; continue; } kept[k++] = i; }
    if (kept.length > 0) train.add(p, kept.length === rows ? whole : takeTableRows(whole, kept));
  });
  return {
    heldOut: heldOut ? test.evaluate(p) : null, training: train.evaluate(p), scored: { heldOut: test.kept, training: train.kept },
    unseen: unseen.list(),
  };
}

/** Category levels a model never saw in training, tallied over blocks: per column, the levels and the rows holding one. */
export class UnseenLevels {
  private readonly columns = new Map<string, { levels: Set<string>; rows: number }>();

  /** Tally a block's rows. */
  add(p: Pipeline, t: Table): void {
    for (const u of p.preprocessor.unseenLevels(t)) {
      const e = this.columns.get(u.column) ?? { levels: new Set<string>(), rows: 0 };
      u.levels.forEach((l) => e.levels.add(l));
      e.rows += u.rows;
      this.columns.set(u.column, e);
    }
  }

  list(): { column: string; levels: string[]; rows: number }[] {
    return [...this.columns].map(([column, e]) => ({ column, levels: [...e.levels], rows: e.rows }));
  }
}


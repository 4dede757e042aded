/**
 * fit: the training loop. Each step is `trainStep` (step.ts) — the five calls a user could write by
 * hand: forward, loss, zeroGrad, backward, the optimizer's update (then the constraints) — and fit adds
 * around it:
 *
 *   preparation   options checked (fit-options.ts), data checked and labels encoded, the validation
 *                 split and class weights (prepare.ts)
 *   batching      a preallocated seeded permutation (no allocation per batch)
 *   the monitor   best epoch, early stopping, stall, plateau, divergence (monitor.ts)
 *   checkpoints   the run's fingerprint and state (checkpoint.ts); a resume continues bit for bit
 *
 * L-BFGS runs instead one quasi-Newton iteration over the full batch per epoch (lbfgs-loop.ts).
 */

import type { Slot } from '../kernels/backend.js';
import type { Matrix } from '../matrix.js';
import type { Model } from '../graph/model.js';
import { Rng } from '../rng.js';
import { lbfgsInit, lbfgsStateFromJSON, lbfgsStateToJSON, type LbfgsSpec, type LbfgsState } from '../optim/lbfgs.js';
import { createOptimizer, type Optimizer } from '../optim/optimizer.js';
import { TrainingDivergedError, type BatchStream, type Checkpoint, type EpochRecord, type FitData, type FitOptions, type History, type RunFingerprint, type StopReason } from './types.js';
import { batchSizeFor, checkFitOptions, type CheckedFitOptions } from './fit-options.js';
import { applyClassWeights, prepareData, splitFraction, type Prepared } from './prepare.js';
import { EpochMonitor, DIVERGENCE } from './monitor.js';
import { checkResume, fingerprint } from './checkpoint.js';
import { lbfgsEpoch } from './lbfgs-loop.js';
import { trainStep, type Batch, type StepResult } from './step.js';

export { prepareData, splitFraction, type Prepared } from './prepare.js';

/** A step rule through the Optimizer, or L-BFGS's own state. */
type Solver =
  | { readonly kind: 'step'; readonly optimizer: Optimizer }
  | { readonly kind: 'lbfgs'; readonly spec: LbfgsSpec; state: LbfgsState };

/** Per parameter-owning layer: the L2 norm of its gradient, summed over an epoch's batches. */
class GradNorms {
  readonly squares: Float64Array;
  private readonly names: string[];
  private readonly layerOf: Int32Array;
  private readonly sq: Float64Array;
  private readonly sums: Float64Array;

  constructor(private readonly model: Model) {
    this.names = [...new Set(model.params.map((p) => p.layer))];
    this.layerOf = Int32Array.from(model.params.map((p) => this.names.indexOf(p.layer)));
    this.squares = new Float64Array(model.params.length);
    this.sq = new Float64Array(this.names.length);
    this.sums = new Float64Array(this.names.length);
  }

  reset(): void { this.sums.fill(0); }

  /** Add the norms of `squares` (Σ g² per tensor, as trainStep writes them). */
  add(): void {
    this.sq.fill(0);
    for (let i = 0; i < this.squares.length; i++) this.sq[this.layerOf[i]!]! += this.squares[i]!;
    for (let i = 0; i < this.sq.length; i++) this.sums[i]! += Math.sqrt(this.sq[i]!);
  }

  /** Add the norms of the model's current gradient. */
  addFromModel(): void {
    this.model.params.forEach((p, i) => { const g = p.grad.a; let s = 0; for (let j = 0; j < g.length; j++) s += g[j]! * g[j]!; this.squares[i] = s; });
    this.add();
  }

  mean(batches: number): Record<string, number> {
    const out: Record<string, number> = {};
    this.names.forEach((name, i) => { out[name] = this.sums[i]! / Math.max(1, batches); });
    return out;
  }
}

/** Everything a run carries from epoch to epoch. */
interface Run {
  readonly model: Model;
  readonly c: CheckedFitOptions;
  readonly o: FitOptions;
  /** The training rows in memory, or null when they stream. */
  readonly train: Prepared | null;
  readonly stream: BatchStream | null;
  readonly val: Prepared | null;
  /** Validation rows that stream too (their loss only: metrics would need them held). */
  readonly valStream: BatchStream | null;
  readonly batchSize: number;
  readonly solver: Solver;
  readonly monitor: EpochMonitor;
  readonly history: History;
  readonly norms: GradNorms;
  readonly perm: Int32Array;
  /** The weights before the latest step, in the model's arena (the optimizer's kernel writes it as it steps). */
  readonly lastFinite: Slot;
  readonly lastFiniteState: Float32Array | Float64Array;
  readonly fingerprint: RunFingerprint | null;
  rng: Rng;
  startEpoch: number;
  samplesSeen: number;
  /** The run had ended before (a resumed checkpoint of a finished run): nothing to train. */
  finished: boolean;
}

/** The data loss of a whole set in evaluation mode (batches of the model's maximum size). */
export function evaluateLoss(model: Model, d: Prepared, idx: Int32Array): number {
  let total = 0;
  const step = model.maxBatch;
  for (let s = 0; s < d.x.rows; s += step) {
    const m = Math.min(step, d.x.rows - s);
    model.gatherInputRows(d.x.data, idx, s, m);
    model.gatherTargetRows(d.y.data, idx, s, m);
    model.forwardRows(m, { mode: 'eval' });
    model.lossOnTargets(m, false);
    total += model.dataLoss() * m;
  }
  return total / d.x.rows;
}

/** The data loss of streamed validation rows, in evaluation mode. */
function streamLoss(run: Run): number {
  const { model, perm } = run;
  let total = 0;
  let rows = 0;
  for (const b of run.valStream!.epoch(run.rng, false, run.batchSize)) {
    model.gatherInputRows(b.x, b.order ?? perm, b.start ?? 0, b.rows);
    model.gatherTargetRows(b.y, b.order ?? perm, b.start ?? 0, b.rows);
    model.forwardRows(b.rows, { mode: 'eval' });
    model.lossOnTargets(b.rows, false);
    total += model.dataLoss() * b.rows;
    rows += b.rows;
  }
  return total / Math.max(1, rows);
}

const identity = (n: number): Int32Array => { const a = new Int32Array(n); for (let i = 0; i < n; i++) a[i] = i; return a; };

function computeMetrics(model: Model, d: Prepared | null, metrics: FitOptions['metrics']): Record<string, number> {
  const out: Record<string, number> = {};
  // Streamed training rows are not held: their metrics would cost another pass over the file.
  if (metrics === undefined || d === null) return out;
  const pred: Matrix = model.predict({ rows: d.x.rows, cols: d.x.cols, data: d.x.data });
  const yTrue: Matrix = { rows: d.y.rows, cols: d.y.cols, data: d.y.data };
  for (const [name, fn] of Object.entries(metrics)) out[name] = fn(yTrue, pred);
  return out;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** The solver for the resolved optimizer (L-BFGS needs a deterministic objective). */
function makeSolver(model: Model, c: CheckedFitOptions): Solver {
  const spec = c.optimizer;
  if (spec.kind !== 'lbfgs') return { kind: 'step', optimizer: createOptimizer(spec, c.schedule, model) };
  const noisy = model.live.find((nd) => nd.stochastic);
  if (noisy !== undefined) throw new Error(`fit: L-BFGS needs a deterministic objective, but layer '${noisy.name}' (${noisy.kind}) is random in training; use sgd or adam`);
  return { kind: 'lbfgs', spec, state: lbfgsInit(model.paramBuffer.a) };
}

/** The validation split's own generator, derived from the seed: a resumed run (or a streamed one) recomputes the same split. */
export function validationRng(seed: number): Rng {
  return new Rng([seed >>> 0, 0x5eed, 0x517, 1]);
}

/** Preparation: data, split, class weights, solver, buffers — and the resume, if any. */
function startRun(model: Model, data: FitData, c: CheckedFitOptions): Run {
  const o = c.options;
  const full = prepareData(model, data, 'fit');
  const splitRng = validationRng(c.seed);
  const v = o.validation;
  let train: Prepared = full;
  let val: Prepared | null = null;
  let valData: Prepared | null = null;
  if (v !== undefined && 'fraction' in v) ({ train, val } = splitFraction(model, full, v.fraction, splitRng));
  else if (v !== undefined) val = valData = prepareData(model, v, 'fit: validation', full.classes);
  if (o.classWeights !== undefined) train = applyClassWeights(model, train, o.classWeights);
  const n = train.x.rows;
  const batchSize = batchSizeFor(o, n);
  const solver = makeSolver(model, c);
  model.compile(solver.kind === 'lbfgs' ? n : batchSize);
  const history: History = { epochs: [], stopReason: 'maxEpochs', bestEpoch: 0, ...(full.classes === null ? {} : { classes: full.classes }) };
  const needPrint = o.checkpoint !== undefined || o.resumeFrom !== undefined;
  const run = newRun({
    model, c, o, train, stream: null, val, valStream: null, batchSize, solver, history, perm: identity(n),
    fingerprint: needPrint ? fingerprint(model, c, full, valData, batchSize) : null,
  });
  if (o.resumeFrom !== undefined) resume(run, o.resumeFrom);
  return run;
}

/** A run at its start: the monitor, the gradient norms, the last finite weights and the seeded generator beside what the caller chose. */
function newRun(r: Omit<Run, 'monitor' | 'norms' | 'lastFinite' | 'lastFiniteState' | 'rng' | 'startEpoch' | 'samplesSeen' | 'finished'>): Run {
  const { model, o } = r;
  return {
    ...r,
    monitor: new EpochMonitor(model, { earlyStopping: o.earlyStopping, tolerance: o.tolerance, nIterNoChange: o.nIterNoChange }),
    norms: new GradNorms(model), lastFinite: weightsCopy(model), lastFiniteState: model.getState(),
    rng: new Rng(r.c.seed), startEpoch: 0, samplesSeen: 0, finished: false,
  };
}

/** A copy of the weights in the model's arena, where the optimizer's kernel can write it as it steps. */
function weightsCopy(model: Model): Slot {
  const slot = model.arena.alloc(model.parameterCount);
  slot.a.set(model.paramBuffer.a);
  return slot;
}

const TERMINAL: readonly StopReason[] = ['earlyStopping', 'noImprovement', 'converged'];

/** Continue from a checkpoint of this run (refused when it belongs to another). */
function resume(run: Run, cp: Checkpoint): void {
  const differences = checkResume(cp, run.fingerprint!, run.o.resumeForce ?? false);
  const { model, solver } = run;
  model.setWeights(cp.weights);
  model.setState(cp.state);
  run.rng = new Rng(cp.rng);
  const saved = cp.optimizer;
  if (solver.kind === 'step' && saved.kind === 'step') solver.optimizer.fromJSON(saved.state);
  else if (solver.kind === 'lbfgs' && saved.kind === 'lbfgs') solver.state = lbfgsStateFromJSON(saved.state);
  else throw new Error(`fit: resumeFrom holds the state of ${saved.kind === 'lbfgs' ? 'L-BFGS' : 'a step rule'}, but this run uses ${solver.kind === 'lbfgs' ? 'L-BFGS' : `'${run.c.optimizer.kind}'`}`);
  for (const r of cp.history.epochs) run.history.epochs.push(r);
  run.history.bestEpoch = cp.history.bestEpoch;
  run.history.resumed = { epoch: cp.epoch, differences };
  run.monitor.fromJSON(cp.tracking);
  run.startEpoch = cp.epoch;
  run.samplesSeen = cp.samplesSeen;
  const ended = cp.stopReason !== null && TERMINAL.includes(cp.stopReason);
  if (ended || cp.epoch >= run.o.epochs) {
    run.finished = true;
    run.history.stopReason = ended && cp.stopReason !== null ? cp.stopReason : 'maxEpochs';
  }
}

/** Put the last finite weights back and throw the error naming where the values stopped being finite. */
function nonFinite(run: Run, epoch: number, batch: number, r: Extract<StepResult, { ok: false }>): never {
  const { model } = run;
  model.paramBuffer.a.set(run.lastFinite.a);
  model.setState(run.lastFiniteState);
  const lr = run.solver.kind === 'step' ? ` (optimizer.learningRate, now ${run.solver.optimizer.learningRate})` : '';
  if (r.problem === 'weights') {
    throw new TrainingDivergedError(`training diverged at epoch ${epoch}, batch ${batch}: the update made weights of layer '${r.layer ?? '?'}' non-finite; the model keeps its last finite weights; lower the learning rate${lr}.`, epoch, batch, r.layer);
  }
  const what = r.problem === 'loss' ? `the loss is ${r.loss}` : 'a gradient is not finite';
  const where = r.layer === null ? 'no layer has a non-finite gradient' : `first layer with a non-finite gradient: '${r.layer}'`;
  throw new TrainingDivergedError(`training diverged at epoch ${epoch}, batch ${batch}: ${what}; ${where}. The model keeps its last finite weights; lower the learning rate${lr} or standardize the inputs.`, epoch, batch, r.layer);
}

interface EpochSums { lossSum: number; rows: number; batches: number; stop: StopReason | null }

/** The epoch's batches: slices of the shuffled order over the training table, or the stream's. */
function* epochBatches(run: Run): Generator<Batch> {
  const { train, stream, perm, batchSize } = run;
  if (stream !== null) {
    for (const b of stream.epoch(run.rng, run.c.shuffle, batchSize)) {
      yield { x: b.x, y: b.y, order: b.order ?? perm, start: b.start ?? 0, rows: b.rows, weights: b.weights };
    }
    return;
  }
  const n = train!.x.rows;
  if (run.c.shuffle) run.rng.permutation(n, perm);
  // Gathered straight from the caller's table (row block copies): no second copy of it in the arena.
  for (let start = 0; start < n; start += batchSize) {
    yield { x: train!.x.data, y: train!.y.data, order: perm, start, rows: Math.min(batchSize, n - start), weights: train!.w ?? undefined };
  }
}

/** One epoch of mini-batch steps. */
function stepEpoch(run: Run, optimizer: Optimizer, epoch: number): EpochSums {
  const { model, o } = run;
  const sums: EpochSums = { lossSum: 0, rows: 0, batches: 0, stop: null };
  let batch = 0;
  for (const b of epochBatches(run)) {
    batch++;
    const rows = b.rows;
    run.lastFiniteState.set(model.stateBuffer.a);
    const r = trainStep(model, optimizer, b, { rng: run.rng, gradSquares: run.norms.squares, keep: run.lastFinite.a });
    if (!r.ok) nonFinite(run, epoch, batch, r);
    if (optimizer.steps === 1) run.monitor.noteInitialLoss(r.loss);
    run.norms.add();
    sums.lossSum += r.loss * rows; sums.rows += rows; sums.batches++;
    run.samplesSeen += rows;
    if (o.onBatchEnd?.({ epoch, batch, rows, loss: r.loss }) === 'stop') { sums.stop = 'callback'; break; }
    if (o.signal?.aborted === true) { sums.stop = 'aborted'; break; }
  }
  return sums;
}

/** One epoch of L-BFGS (one iteration over the full batch). */
function lbfgsEpochOf(run: Run, solver: Extract<Solver, { kind: 'lbfgs' }>, epoch: number): EpochSums {
  const n = run.train!.x.rows;
  run.lastFinite.a.set(run.model.paramBuffer.a);
  run.lastFiniteState.set(run.model.stateBuffer.a);
  const r = lbfgsEpoch(run.model, solver.spec, solver.state, run.train!, run.perm, run.rng);
  if (!Number.isFinite(r.loss)) nonFinite(run, epoch, 1, { ok: false, loss: r.loss, problem: 'loss', layer: null });
  run.norms.addFromModel();
  run.samplesSeen += n;
  return { lossSum: r.loss * n, rows: n, batches: 1, stop: r.converged ? 'converged' : null };
}

/** The epoch's record: losses, metrics, η, time, gradient norms, mean |f′(I)|. */
function epochRecord(run: Run, epoch: number, sums: EpochSums, lr: number | null, started: number): EpochRecord {
  const { model, val, o } = run;
  const valLoss = val !== null ? evaluateLoss(model, val, identity(val.x.rows)) : run.valStream !== null ? streamLoss(run) : undefined;
  const meanAbsDerivative: Record<string, number> = {};
  for (const d of model.meanAbsDerivatives()) meanAbsDerivative[d.layer] = d.value;
  return {
    epoch, trainLoss: sums.lossSum / Math.max(1, sums.rows),
    ...(valLoss === undefined ? {} : { valLoss }),
    metrics: computeMetrics(model, run.train, o.metrics),
    ...(val === null || o.metrics === undefined ? {} : { valMetrics: computeMetrics(model, val, o.metrics) }),
    learningRate: lr, seconds: (now() - started) / 1000,
    gradNorms: run.norms.mean(sums.batches), meanAbsDerivative,
  };
}

/** The monitor's verdict on an epoch; a loss that has grown by orders of magnitude ends the run. */
function judge(run: Run, record: EpochRecord): StopReason | null {
  const v = run.monitor.epochEnd(record.epoch, record.trainLoss, record.valLoss);
  if (run.solver.kind === 'step') run.solver.optimizer.observe(record.valLoss ?? record.trainLoss);
  run.history.bestEpoch = run.monitor.bestEpoch;
  switch (v.kind) {
    case 'continue': return null;
    case 'stop': return v.reason;
    case 'diverged': {
      const from = v.bestEpoch === 0 ? 'at the first batch' : `at epoch ${v.bestEpoch}`;
      const fix = run.solver.kind === 'step'
        ? `lower the learning rate (optimizer.learningRate, now ${run.solver.optimizer.learningRate}) or standardize the inputs`
        : 'standardize the inputs';
      throw new TrainingDivergedError(
        `training diverged at epoch ${record.epoch}: the training loss ${record.trainLoss.toPrecision(3)} has stayed above ${DIVERGENCE.factor}× its best (${v.best.toPrecision(3)} ${from}) for ${DIVERGENCE.epochs} epochs; the model keeps the weights of epoch ${record.epoch}. ${fix[0]!.toUpperCase()}${fix.slice(1)}.`,
        record.epoch, 0, null);
    }
  }
}

function checkpointOf(run: Run, epoch: number, stopReason: StopReason | null): Checkpoint {
  const { model, solver } = run;
  return {
    format: 'mlpkit-checkpoint', version: 2, fingerprint: run.fingerprint!, stopReason,
    epoch, step: solver.kind === 'step' ? solver.optimizer.steps : solver.state.iterations, samplesSeen: run.samplesSeen,
    weights: Array.from(model.paramBuffer.a), state: Array.from(model.stateBuffer.a), rng: run.rng.state(),
    optimizer: solver.kind === 'step' ? { kind: 'step', state: solver.optimizer.toJSON() } : { kind: 'lbfgs', state: lbfgsStateToJSON(solver.state) },
    history: structuredClone(run.history),
    tracking: run.monitor.toJSON(),
  };
}

/** The end of an epoch: stop tests, the callback, the checkpoint. */
async function endEpoch(run: Run, record: EpochRecord, stop: StopReason | null, t0: number): Promise<StopReason | null> {
  const o = run.o;
  run.history.epochs.push(record);
  const verdict = judge(run, record);
  stop ??= verdict;
  if (o.timeLimitSeconds !== undefined && (now() - t0) / 1000 >= o.timeLimitSeconds && stop === null) stop = 'timeLimit';
  if (o.signal?.aborted === true && stop === null) stop = 'aborted';
  if (o.onEpochEnd !== undefined && (await o.onEpochEnd(record)) === 'stop' && stop === null) stop = 'callback';
  const epoch = record.epoch;
  const ended = stop !== null && TERMINAL.includes(stop);
  if (o.checkpoint !== undefined && (epoch % o.checkpoint.every === 0 || ended)) {
    await o.checkpoint.write(checkpointOf(run, epoch, stop ?? (epoch === o.epochs ? 'maxEpochs' : null)));
  }
  return stop;
}

/** Run the epochs, then give back what the run holds in the model's arena, however it ends. */
async function train(run: Run): Promise<History> {
  try {
    return await runEpochs(run);
  } finally {
    releaseRun(run);
  }
}

/** Give the optimizer's moments and the kept weights back to the model's arena (a refit reuses them). */
function releaseRun(run: Run): void {
  if (run.solver.kind === 'step') run.solver.optimizer.release();
  run.model.arena.free(run.lastFinite);
}

/** The epochs from the run's start to its end. */
async function runEpochs(run: Run): Promise<History> {
  const { o, solver } = run;
  const t0 = now();
  let lastYield = t0;
  let stop: StopReason | null = null;
  for (let epoch = run.startEpoch + 1; epoch <= o.epochs && stop === null; epoch++) {
    const started = now();
    run.norms.reset();
    let lr: number | null = null;
    let sums: EpochSums;
    if (solver.kind === 'step') {
      lr = solver.optimizer.startEpoch(epoch - 1, run.samplesSeen);
      sums = stepEpoch(run, solver.optimizer, epoch);
    } else {
      sums = lbfgsEpochOf(run, solver, epoch);
    }
    stop = await endEpoch(run, epochRecord(run, epoch, sums, lr, started), sums.stop, t0);
    // Let timers and abort signals run during long fits.
    if (now() - lastYield > 20) { await yieldToEventLoop(); lastYield = now(); if (o.signal?.aborted === true && stop === null) stop = 'aborted'; }
  }
  run.history.stopReason = stop ?? 'maxEpochs';
  run.monitor.restoreBest();
  return run.history;
}

/**
 * Train `model` on `data`; resolves to the history (with the classes of a classifier). Throws
 * TrainingDivergedError on NaN/∞ or a loss grown by orders of magnitude.
 */
export async function fit(model: Model, data: FitData, options: FitOptions): Promise<History> {
  const run = startRun(model, data, checkFitOptions(options));
  if (run.finished) {
    run.monitor.restoreBest();
    releaseRun(run);
    return run.history;
  }
  return train(run);
}

/**
 * Train `model` on rows that stream (`stream.epoch` gives each epoch's batches), with the validation rows
 * held in memory (or streamed as well: `validationStream`, whose loss is computed each epoch). The same loop as
 * `fit`: with the same rows in the same order, the same weights. What a
 * stream cannot give is refused: L-BFGS (it needs the full batch), class weights, checkpoints, a
 * validation fraction (split the rows before they stream).
 */
export async function fitStream(model: Model, stream: BatchStream, options: FitOptions, validationStream: BatchStream | null = null): Promise<History> {
  const c = checkFitOptions(options, validationStream !== null);
  const o = c.options;
  const refuse = (what: string): never => { throw new Error(`fit: ${what} cannot train on streamed rows`); };
  if (c.optimizer.kind === 'lbfgs') refuse('the lbfgs optimizer (it needs the full batch)');
  if (o.classWeights !== undefined) refuse('option classWeights');
  if (o.checkpoint !== undefined || o.resumeFrom !== undefined) refuse('a checkpoint (option checkpoint, resumeFrom)');
  const v = o.validation;
  if (v !== undefined && 'fraction' in v) return refuse('validation.fraction (give the validation rows themselves)');
  const val = v === undefined ? null : prepareData(model, v, 'fit: validation');
  const batchSize = batchSizeFor(o, stream.rows);
  const solver = makeSolver(model, c);
  model.compile(batchSize);
  return train(newRun({
    model, c, o, train: null, stream, val, valStream: validationStream, batchSize, solver, perm: identity(batchSize), fingerprint: null,
    history: { epochs: [], stopReason: 'maxEpochs', bestEpoch: 0, ...(val?.classes == null ? {} : { classes: val.classes }) },
  }));
}

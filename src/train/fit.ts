/**
 * fit: the training loop. Each step is the five calls a user could write by hand —
 *
 *   model.forwardRows(m, train)  →  model.lossOnTargets(m)  →  model.zeroGrad()  →  model.backward()
 *   →  apply(optimizer)  (then model.applyConstraints())
 *
 * — and fit adds around them batching over a preallocated permutation (no allocation per batch),
 * seeded shuffling, validation, stop criteria, callbacks, divergence checks, diagnostics and
 * checkpoints. L-BFGS runs instead one quasi-Newton iteration over the full batch per epoch.
 */

import type { Vec } from '../kernels/backend.js';
import type { Matrix } from '../matrix.js';
import type { Model } from '../graph/model.js';
import { Dropout } from '../layers/dropout.js';
import { GaussianNoise } from '../layers/noise.js';
import { Rng } from '../rng.js';
import { toNumericMatrix, toTargetMatrix, type NumericMatrix } from '../data/matrix-input.js';
import { apply, init, optimizerStateFromJSON, optimizerStateToJSON, type OptimizerState, type OptimizerStateJSON, type StepRuleSpec } from '../optim/rules.js';
import { lbfgsInit, lbfgsStateFromJSON, lbfgsStateToJSON, lbfgsStep, validateLbfgs, type LbfgsState, type LbfgsStateJSON } from '../optim/lbfgs.js';
import { learningRateAt, scheduleInit, scheduleObserve, type ScheduleSpec } from '../optim/schedules.js';
import { TrainingDivergedError, type Checkpoint, type EpochRecord, type FitData, type FitOptions, type History } from './types.js';

export interface Prepared {
  readonly x: NumericMatrix;
  readonly y: NumericMatrix;
  readonly w: Float64Array | null;
}

/** Validate and copy a data set into the model's dtype; errors name the argument, row and column. */
export function prepareData(model: Model, data: FitData, what: string): Prepared {
  const x = toNumericMatrix(data.x, { what: `${what}.x`, dtype: model.dtype, cols: model.inputSize });
  const y = toTargetMatrix(data.y, { what: `${what}.y`, dtype: model.dtype, cols: model.outputSize, rows: x.rows });
  let w: Float64Array | null = null;
  if (data.sampleWeights !== undefined) {
    const sw = data.sampleWeights;
    if (sw.length !== x.rows) throw new Error(`${what}.sampleWeights: ${sw.length} weights for ${x.rows} rows`);
    w = new Float64Array(x.rows);
    for (let i = 0; i < x.rows; i++) {
      const v = sw[i]!;
      if (!Number.isFinite(v) || v < 0) throw new Error(`${what}.sampleWeights: row ${i} is ${v}; weights must be finite and ≥ 0`);
      w[i] = v;
    }
  }
  return { x, y, w };
}

/** The class of each row: the argmax of a one-hot row, or the 0/1 value of a single column. */
export function rowClasses(y: NumericMatrix): Int32Array {
  const c = new Int32Array(y.rows);
  for (let i = 0; i < y.rows; i++) {
    if (y.cols === 1) { c[i] = y.data[i]! >= 0.5 ? 1 : 0; continue; }
    let best = 0;
    for (let j = 1; j < y.cols; j++) if (y.data[i * y.cols + j]! > y.data[i * y.cols + best]!) best = j;
    c[i] = best;
  }
  return c;
}

function isClassification(model: Model): boolean {
  return model.lossFn.name === 'binaryCrossEntropy' || model.lossFn.name === 'categoricalCrossEntropy';
}

function take(p: Prepared, idx: ArrayLike<number>, dtype: Model['dtype']): Prepared {
  const pick = (m: NumericMatrix): NumericMatrix => {
    const data = dtype === 'float64' ? new Float64Array(idx.length * m.cols) : new Float32Array(idx.length * m.cols);
    for (let s = 0; s < idx.length; s++) data.set(m.data.subarray(idx[s]! * m.cols, (idx[s]! + 1) * m.cols), s * m.cols);
    return { rows: idx.length, cols: m.cols, data };
  };
  let w: Float64Array | null = null;
  if (p.w !== null) { const src = p.w; w = new Float64Array(idx.length); for (let s = 0; s < idx.length; s++) w[s] = src[idx[s]!]!; }
  return { x: pick(p.x), y: pick(p.y), w };
}

/**
 * Hold out a fraction of the rows, seeded; for classification each class gives its share (so a
 * small class is not missing from validation).
 */
export function splitFraction(model: Model, p: Prepared, fraction: number, rng: Rng): { train: Prepared; val: Prepared } {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`fit: validation.fraction must be in (0, 1), got ${fraction}`);
  const n = p.x.rows;
  const groups: number[][] = [];
  if (isClassification(model)) {
    const cls = rowClasses(p.y);
    for (let i = 0; i < n; i++) (groups[cls[i]!] ??= []).push(i);
  } else {
    groups.push(Array.from({ length: n }, (_, i) => i));
  }
  const val: number[] = [];
  const train: number[] = [];
  for (const g of groups) {
    if (g === undefined) continue;
    rng.shuffle(g);
    const k = Math.round(fraction * g.length);
    val.push(...g.slice(0, k));
    train.push(...g.slice(k));
  }
  if (val.length === 0 || train.length === 0) throw new Error(`fit: validation.fraction ${fraction} of ${n} rows leaves ${train.length} training and ${val.length} validation rows; both need at least one`);
  val.sort((a, b) => a - b);
  train.sort((a, b) => a - b);
  return { train: take(p, train, model.dtype), val: take(p, val, model.dtype) };
}

function applyClassWeights(model: Model, p: Prepared, cw: readonly number[] | 'balanced'): Prepared {
  if (!isClassification(model)) throw new Error('fit: classWeights need a classification loss (binary or categorical cross-entropy)');
  const cls = rowClasses(p.y);
  const k = Math.max(2, p.y.cols);
  let weights: number[];
  if (cw === 'balanced') {
    const counts = new Array<number>(k).fill(0);
    for (const c of cls) counts[c]!++;
    weights = counts.map((c) => (c === 0 ? 0 : p.x.rows / (k * c)));
  } else {
    if (cw.length !== k) throw new Error(`fit: classWeights has ${cw.length} values, expected one per class (${k})`);
    cw.forEach((v, i) => { if (!(Number.isFinite(v) && v >= 0)) throw new Error(`fit: classWeights[${i}] is ${v}; weights must be finite and ≥ 0`); });
    weights = [...cw];
  }
  const w = new Float64Array(p.x.rows);
  for (let i = 0; i < w.length; i++) w[i] = (p.w === null ? 1 : p.w[i]!) * weights[cls[i]!]!;
  return { ...p, w };
}

function checkOptions(o: FitOptions, n: number): { batchSize: number } {
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new Error(`fit: epochs must be an integer ≥ 1, got ${o.epochs}`);
  const batchSize = o.batchSize ?? Math.min(32, n);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`fit: batchSize must be an integer ≥ 1, got ${o.batchSize}`);
  if (o.earlyStopping !== undefined) {
    if (o.validation === undefined) throw new Error('fit: earlyStopping needs validation data or a validation fraction');
    if (!Number.isInteger(o.earlyStopping.patience) || o.earlyStopping.patience < 1) throw new Error(`fit: earlyStopping.patience must be an integer ≥ 1, got ${o.earlyStopping.patience}`);
  }
  if (o.nIterNoChange !== undefined && (!Number.isInteger(o.nIterNoChange) || o.nIterNoChange < 1)) throw new Error(`fit: nIterNoChange must be an integer ≥ 1, got ${o.nIterNoChange}`);
  if (o.checkpoint !== undefined && (!Number.isInteger(o.checkpoint.every) || o.checkpoint.every < 1)) throw new Error(`fit: checkpoint.every must be an integer ≥ 1, got ${o.checkpoint.every}`);
  return { batchSize: Math.min(batchSize, n) };
}

const finiteNum = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** True when every value is finite (a sum propagates NaN and ±∞). */
function allFinite(a: Vec): boolean {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * 0;
  return s === 0;
}

/** The first parameter-owning layer whose gradient holds a NaN or an infinity. */
function firstNonFiniteLayer(model: Model, of: 'grad' | 'value'): string | null {
  for (const p of model.params) if (!allFinite(p[of].a)) return p.layer;
  return null;
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

function computeMetrics(model: Model, d: Prepared, metrics: FitOptions['metrics']): Record<string, number> {
  const out: Record<string, number> = {};
  if (metrics === undefined) return out;
  const pred: Matrix = model.predict({ rows: d.x.rows, cols: d.x.cols, data: d.x.data });
  const yTrue: Matrix = { rows: d.y.rows, cols: d.y.cols, data: d.y.data };
  for (const [name, fn] of Object.entries(metrics)) out[name] = fn(yTrue, pred);
  return out;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Train `model` on `data`; resolves to the history. Throws TrainingDivergedError on NaN/∞. */
export async function fit(model: Model, data: FitData, options: FitOptions): Promise<History> {
  const full = prepareData(model, data, 'fit');
  const seed = options.seed ?? 0;
  // The split has its own generator, derived from the seed: a resumed run recomputes the same split.
  const splitRng = new Rng([seed >>> 0, 0x5eed, 0x517, 1]);
  let train: Prepared;
  let val: Prepared | null = null;
  const v = options.validation;
  if (v === undefined) train = full;
  else if ('fraction' in v) ({ train, val } = splitFraction(model, full, v.fraction, splitRng));
  else { train = full; val = prepareData(model, v, 'fit: validation'); }
  if (options.classWeights !== undefined) train = applyClassWeights(model, train, options.classWeights);
  const n = train.x.rows;
  const { batchSize } = checkOptions(options, n);
  const lbfgs = options.optimizer.kind === 'lbfgs';
  if (lbfgs) {
    validateLbfgs(options.optimizer as Extract<FitOptions['optimizer'], { kind: 'lbfgs' }>);
    const noisy = model.live.find((nd) => nd instanceof Dropout || nd instanceof GaussianNoise);
    if (noisy !== undefined) throw new Error(`fit: L-BFGS needs a deterministic objective, but layer '${noisy.name}' (${noisy.kind}) is random in training; use sgd or adam`);
  }
  model.compile(lbfgs ? n : batchSize);

  const rule = lbfgs ? null : (options.optimizer as StepRuleSpec);
  const schedule: ScheduleSpec = options.schedule ?? { kind: 'constant' };
  const baseLr = rule?.learningRate ?? 1;
  // Always the current views: an arena that grows (a callback running a larger batch) moves its memory.
  const params = (): Vec => model.paramBuffer.a;
  // Moments live in the model's arena, so the backend's kernels update them in place.
  let opt: OptimizerState | null = rule === null ? null : init(rule, params().length, model.arena);
  let lb: LbfgsState | null = lbfgs ? lbfgsInit(params()) : null;
  const sched = scheduleInit(schedule, baseLr);
  let rng = new Rng(seed);

  // Preallocated per-run buffers: the permutation, the last finite weights, gradient-norm sums.
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const valIdx = val === null ? null : Int32Array.from({ length: val.x.rows }, (_, i) => i);
  const lastFinite = model.getWeights();
  const lastFiniteState = model.getState();
  const layerNames = [...new Set(model.params.map((p) => p.layer))];
  const layerOf = Int32Array.from(model.params.map((p) => layerNames.indexOf(p.layer)));
  const sq = new Float64Array(layerNames.length);
  const normSum = new Float64Array(layerNames.length);
  const bestWeights = model.getWeights();
  const bestState = model.getState();

  const history: History = { epochs: [], stopReason: 'maxEpochs', bestEpoch: 0 };
  let startEpoch = 0;
  let step = 0;
  let samplesSeen = 0;
  let bestLoss = Infinity;
  let wait = 0;
  let trainBest = Infinity;
  let trainWait = 0;
  let haveBest = false;

  if (options.resumeFrom !== undefined) {
    const cp = options.resumeFrom;
    if (cp.format !== 'mlpkit-checkpoint' || cp.version !== 1) throw new Error('fit: resumeFrom is not an mlpkit checkpoint (format/version)');
    model.setWeights(cp.weights);
    model.setState(cp.state);
    rng = new Rng(cp.rng);
    if (rule !== null) opt = optimizerStateFromJSON(cp.optimizer as OptimizerStateJSON, rule, params().length, model.arena);
    else lb = lbfgsStateFromJSON(cp.optimizer as LbfgsStateJSON);
    sched.lr = cp.schedule.lr; sched.best = cp.schedule.best ?? Infinity; sched.wait = cp.schedule.wait;
    history.epochs.push(...cp.history.epochs);
    history.bestEpoch = cp.history.bestEpoch;
    startEpoch = cp.epoch; step = cp.step; samplesSeen = cp.samplesSeen;
    const t = cp.tracking;
    bestLoss = t.bestLoss ?? Infinity; wait = t.wait; trainBest = t.trainBest ?? Infinity; trainWait = t.trainWait;
    if (t.bestWeights !== null && t.bestState !== null) { bestWeights.set(t.bestWeights); bestState.set(t.bestState); haveBest = true; }
  }

  const diverged = (epoch: number, batch: number, loss: number): never => {
    const layer = firstNonFiniteLayer(model, 'grad');
    params().set(lastFinite);
    model.setState(lastFiniteState);
    const what = !Number.isFinite(loss) ? `the loss is ${loss}` : 'a gradient is not finite';
    const where = layer === null ? 'no layer has a non-finite gradient' : `first layer with a non-finite gradient: '${layer}'`;
    throw new TrainingDivergedError(`training diverged at epoch ${epoch}, batch ${batch}: ${what}; ${where}. The model keeps its last finite weights; lower the learning rate or standardize the inputs.`, epoch, batch, layer);
  };

  // L-BFGS objective: the full-batch loss and gradient at x.
  const objective = (x: Float64Array, g: Float64Array): number => {
    params().set(x);
    model.gatherInputRows(train.x.data, perm, 0, n);
    model.gatherTargetRows(train.y.data, perm, 0, n, train.w ?? undefined);
    model.forwardRows(n, { mode: 'train', rng });
    const loss = model.lossOnTargets(n, train.w !== null);
    model.zeroGrad();
    model.backward();
    const grads = model.gradBuffer.a;
    g.set(grads);
    return Number.isFinite(loss) && allFinite(grads) ? loss : Infinity;
  };

  // The training table inside the model's arena: batch gathers become in-memory copies.
  const xResident = model.resident(train.x.data);
  const yResident = model.resident(train.y.data);
  const trainMode = { mode: 'train', rng } as const;
  const t0 = now();
  let lastYield = t0;
  const epochs = options.epochs;
  let stop: History['stopReason'] | null = null;
  for (let epoch = startEpoch + 1; epoch <= epochs && stop === null; epoch++) {
    const te = now();
    const lr = learningRateAt(schedule, sched, baseLr, epoch - 1, samplesSeen);
    normSum.fill(0);
    let lossSum = 0;
    let batches = 0;
    if (lb !== null) {
      const r = lbfgsStep(options.optimizer as Extract<FitOptions['optimizer'], { kind: 'lbfgs' }>, lb, objective);
      params().set(lb.x);
      if (!Number.isFinite(r.f)) diverged(epoch, 1, r.f);
      // Gradient at the accepted point, for the diagnostics.
      objective(lb.x, lb.g);
      model.applyConstraints();
      lb.x.set(params());
      lossSum = r.f * n;
      batches = 1;
      accumulateNorms();
      samplesSeen += n;
      if (r.converged) stop = 'converged';
    } else {
      if (options.shuffle ?? true) rng.permutation(n, perm);
      for (let start = 0, batch = 1; start < n; start += batchSize, batch++) {
        const m = Math.min(batchSize, n - start);
        model.gatherInputRows(xResident.a, perm, start, m);
        model.gatherTargetRows(yResident.a, perm, start, m, train.w ?? undefined);
        // The five calls.
        model.forwardRows(m, trainMode);
        const loss = model.lossOnTargets(m, train.w !== null);
        model.zeroGrad();
        model.backward();
        // The per-layer gradient norms double as the finiteness check (a NaN or ∞ makes a sum non-finite).
        if (!accumulateNorms() || !Number.isFinite(loss)) diverged(epoch, batch, loss);
        lastFinite.set(params());
        lastFiniteState.set(model.stateBuffer.a);
        step++;
        // Fresh views: a callback that runs a larger batch may have grown (and so moved) the arena.
        apply(rule!, opt!, model.paramBuffer.a, model.gradBuffer.a, lr, step, model.arena.kernels);
        model.applyConstraints();
        // Σθ² is finite exactly when every θ is (float32 values squared stay far inside float64's range).
        if (!Number.isFinite(model.arena.kernels.sumSq(params(), params().length))) {
          const layer = firstNonFiniteLayer(model, 'value');
          params().set(lastFinite);
          throw new TrainingDivergedError(`training diverged at epoch ${epoch}, batch ${batch}: the update made weights of layer '${layer ?? '?'}' non-finite; the model keeps its last finite weights; lower the learning rate.`, epoch, batch, layer);
        }
        lossSum += loss * m;
        batches++;
        samplesSeen += m;
        if (options.onBatchEnd?.({ epoch, batch, rows: m, loss }) === 'stop') { stop = 'callback'; break; }
        if (options.signal?.aborted === true) { stop = 'aborted'; break; }
      }
    }
    const derivs = model.meanAbsDerivatives();
    const trainLoss = lossSum / (lb !== null ? n : Math.max(1, samplesInEpoch(n, batchSize, batches)));
    const valLoss = val === null ? undefined : evaluateLoss(model, val, valIdx!);
    const gradNorms: Record<string, number> = {};
    layerNames.forEach((name, i) => { gradNorms[name] = normSum[i]! / Math.max(1, batches); });
    const meanAbsDerivative: Record<string, number> = {};
    for (const d of derivs) meanAbsDerivative[d.layer] = d.value;
    const record: EpochRecord = {
      epoch, trainLoss,
      ...(valLoss === undefined ? {} : { valLoss }),
      metrics: computeMetrics(model, train, options.metrics),
      ...(val === null || options.metrics === undefined ? {} : { valMetrics: computeMetrics(model, val, options.metrics) }),
      learningRate: lb !== null ? null : lr,
      seconds: (now() - te) / 1000,
      gradNorms, meanAbsDerivative,
    };
    history.epochs.push(record);
    scheduleObserve(schedule, sched, valLoss ?? trainLoss);

    // Best epoch (validation loss if any), early stopping and the training-loss stall test.
    const monitored = valLoss ?? trainLoss;
    if (monitored < bestLoss - (options.earlyStopping?.minDelta ?? 0)) {
      bestLoss = monitored; wait = 0; history.bestEpoch = epoch;
      if (options.earlyStopping !== undefined) { bestWeights.set(params()); bestState.set(model.stateBuffer.a); haveBest = true; }
    } else {
      wait++;
      if (options.earlyStopping !== undefined && wait >= options.earlyStopping.patience && stop === null) stop = 'earlyStopping';
    }
    if (options.nIterNoChange !== undefined) {
      if (trainLoss < trainBest - (options.tolerance ?? 1e-4)) trainWait = 0; else trainWait++;
      trainBest = Math.min(trainBest, trainLoss);
      if (trainWait >= options.nIterNoChange && stop === null) stop = 'noImprovement';
    }
    if (options.timeLimitSeconds !== undefined && (now() - t0) / 1000 >= options.timeLimitSeconds && stop === null) stop = 'timeLimit';
    if (options.signal?.aborted === true && stop === null) stop = 'aborted';
    if (options.onEpochEnd !== undefined && (await options.onEpochEnd(record)) === 'stop' && stop === null) stop = 'callback';

    if (options.checkpoint !== undefined && epoch % options.checkpoint.every === 0) {
      await options.checkpoint.write({
        format: 'mlpkit-checkpoint', version: 1, epoch, step, samplesSeen,
        weights: Array.from(params()), state: Array.from(model.stateBuffer.a), rng: rng.state(),
        optimizer: opt !== null ? optimizerStateToJSON(opt) : lbfgsStateToJSON(lb!),
        schedule: { lr: sched.lr, best: finiteNum(sched.best), wait: sched.wait },
        history: structuredClone(history),
        tracking: {
          bestLoss: finiteNum(bestLoss), bestWeights: haveBest ? Array.from(bestWeights) : null, bestState: haveBest ? Array.from(bestState) : null,
          wait, trainBest: finiteNum(trainBest), trainWait,
        },
      });
    }
    // Let timers and abort signals run during long fits.
    if (now() - lastYield > 20) { await yieldToEventLoop(); lastYield = now(); if (options.signal?.aborted === true && stop === null) stop = 'aborted'; }
  }
  history.stopReason = stop ?? 'maxEpochs';
  if (options.earlyStopping !== undefined && (options.earlyStopping.restoreBest ?? true) && haveBest) {
    params().set(bestWeights);
    model.setState(bestState);
  }
  return history;

  /** Add each layer's gradient norm to the epoch sums; false if any gradient is NaN or infinite. */
  function accumulateNorms(): boolean {
    sq.fill(0);
    const ps = model.params;
    // One kernel call per tensor (float64 sums in the backend) rather than a JavaScript loop over every weight.
    const k = model.arena.kernels;
    for (let i = 0; i < ps.length; i++) {
      const g = ps[i]!.grad;
      sq[layerOf[i]!]! += k.sumSq(g.a, g.length);
    }
    let total = 0;
    for (let i = 0; i < sq.length; i++) { normSum[i]! += Math.sqrt(sq[i]!); total += sq[i]!; }
    return Number.isFinite(total);
  }
}

/** Rows processed by the first `batches` batches of an epoch. */
function samplesInEpoch(n: number, batchSize: number, batches: number): number {
  return Math.min(n, batches * batchSize);
}

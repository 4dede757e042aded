/**
 * The one training workflow: table → Preprocessor → network from the task table → fit (or restarts)
 * → Pipeline. The command, the estimators and the playground all end up here, so the same table, seed
 * and options give the same model file through every door.
 */

import type { Backend } from '../kernels/backend.js';
import { mlp } from '../graph/builders.js';
import { Model } from '../graph/model.js';
import type { Matrix } from '../matrix.js';
import { accuracy, r2, targetsOf } from '../metrics.js';
import type { ModelSpec } from '../spec.js';
import { SCHEDULE_OPTIONS, type ScheduleSpec } from '../optim/schedules.js';
import { TableError, type Table } from '../table/types.js';
import { fit } from '../train/fit.js';
import { trainRestarts, type RestartFitOptions, type RestartRunner } from '../train/restarts.js';
import type { BatchInfo, Checkpoint, EpochRecord, FitOptions, History, Metric } from '../train/types.js';
import { Ensemble } from '../train/ensemble.js';
import type { LossSpec } from '../losses.js';
import { checkTrainOptions, optimizerOf, quantilesOf, TRAIN_DEFAULTS, TRAIN_OPTION_NAMES, validationOf, type TrainOptions } from './options.js';
import { Pipeline, type TrainingSummary } from './pipeline.js';
import { cellPlace, showCell } from './cells.js';
import { findColumn, Preprocessor, type EncodedTarget } from './preprocessor.js';
import { decodeLabels, TASKS, type Task } from './tasks.js';
import { calibratePipeline, calibrationSplit } from './intervals.js';

/** What only a caller in a running program can give: callbacks, a backend, a runner for restarts. */
export interface TrainHooks {
  readonly onEpochEnd?: (record: EpochRecord) => void | 'stop' | Promise<void | 'stop'>;
  /** After each training step (not seen in restarts, which run elsewhere). */
  readonly onBatchEnd?: (info: BatchInfo) => void | 'stop';
  readonly signal?: AbortSignal;
  readonly checkpoint?: NonNullable<FitOptions['checkpoint']>;
  readonly resumeFrom?: Checkpoint;
  /** Resume even when the options or the data differ from the checkpoint's (the history says what differed). */
  readonly resumeForce?: boolean;
  readonly backend?: Backend;
  /** How restarts run (worker threads from `mlpkit/node`, a job queue); one after the other by default. */
  readonly runner?: RestartRunner;
  /** Called with the network's spec before anything is allocated (e.g. to refuse one too large for memory). */
  readonly checkSpec?: (spec: ModelSpec) => void;
}

/** What a training run gives: the pipeline, the history of the kept run, and the table as the network saw it. */
export interface TrainOutcome {
  readonly pipeline: Pipeline;
  /** The history of the kept run (of member 0 in an ensemble). */
  readonly history: History;
  /** The preprocessed training table, as the network saw it. */
  readonly x: Matrix;
  readonly y: EncodedTarget;
}

/** Train a pipeline on a table. */
export async function trainPipeline(table: Table, options: TrainOptions, hooks: TrainHooks = {}): Promise<TrainOutcome> {
  checkTrainOptions(options);
  if (options.intervals !== undefined) return trainCalibrated(table, options, hooks);
  const poisson = options.loss === 'poisson';
  const weights = options.sampleWeight === undefined ? undefined : sampleWeightsOf(table, options);
  const quantiles = quantilesOf(options.loss);
  const prep = fitPreprocessor(table, options);
  const x = prep.transform(table, 'float32');
  const y = prep.transformTarget(table, 'float32');
  const data = { x, y: y.y, ...(weights === undefined ? {} : { sampleWeights: weights }) };
  if (poisson) checkCounts(y.y, options.target, table);
  const resolved = resolveOptions(options, table.rows);
  const spec = specOf(prep, resolved);
  hooks.checkSpec?.(spec);
  const fraction = resolved.validation!;
  checkValidationRows(table, fraction);
  const base = fitOptionsOf(prep, resolved, table.rows, fraction);
  const runs = resolved.restarts ?? 1;
  let predictor: Model | Ensemble;
  let history: History;
  let restarts: TrainingSummary['restarts'];
  if (runs > 1) {
    const out = await trainRestarts(spec, data, base, {
      runs, seed: resolved.seed!, bootstrap: resolved.bootstrap ?? false,
      ...(fraction > 0 ? { validation: { fraction } } : {}), ...(hooks.runner === undefined ? {} : { runner: hooks.runner }),
    });
    const all = resolved.ensemble === true;
    predictor = all ? out.ensemble : out.model;
    history = out.runs[all ? 0 : out.best]!.history;
    restarts = { valLosses: out.runs.map((r) => r.valLoss), kept: all ? 'all' : out.best };
    for (const r of history.epochs) await hooks.onEpochEnd?.(r);
  } else {
    const model = new Model(spec, { seed: resolved.seed!, ...(hooks.backend === undefined ? {} : { backend: hooks.backend }) });
    history = await fit(model, data, {
      // R² of the quantile outputs against the target says nothing: the pinball loss is the measure.
      ...base, seed: resolved.seed!, metrics: quantiles === null ? epochMetrics(prep.task) : {},
      ...(fraction > 0 ? { validation: { fraction } } : {}),
      ...pick(hooks, ['onEpochEnd', 'onBatchEnd', 'signal', 'checkpoint', 'resumeFrom', 'resumeForce']),
    });
    predictor = model;
  }
  const validationRows = fraction > 0 ? Math.round(fraction * table.rows) : 0;
  const summary = summaryOf(table, validationRows, history, restarts);
  return { pipeline: new Pipeline(predictor, prep, resolved, summary), history, x, y };
}

/** A training run's summary: its rows, epochs, stop and final losses. */
export function summaryOf(table: Pick<Table, 'source' | 'rows' | 'format'>, validationRows: number, history: History, restarts?: TrainingSummary['restarts']): TrainingSummary {
  const last = history.epochs[history.epochs.length - 1];
  const decimal = table.format.decimal === ',' ? { decimal: ',' as const } : {};
  return {
    data: { source: table.source, rows: table.rows, trainRows: table.rows - validationRows, validationRows, ...decimal },
    epochs: history.epochs.length, stopReason: history.stopReason, bestEpoch: history.bestEpoch,
    finalTrainLoss: last?.trainLoss ?? null, finalValLoss: last?.valLoss ?? null,
    ...(restarts === undefined ? {} : { restarts }),
  };
}

/** The preprocessor the training options fit on a table (the one place they become preprocessing options). */
export function fitPreprocessor(table: Table, options: TrainOptions): Preprocessor {
  // A Poisson model predicts counts on their own scale (its output exp(I) is a mean ≥ 0): the target stays unscaled.
  const poisson = options.loss === 'poisson';
  const quantiles = quantilesOf(options.loss);
  const fitted = Preprocessor.fit(table, {
    ...pick(options, ['target', 'features', 'drop', 'task', 'impute', 'fillValue', 'scale', 'unknown', 'minFrequency', 'scaleTarget']),
    // Quantiles are of a number: a target of few integers is not read as classes.
    ...(quantiles !== null && options.task === undefined ? { task: 'regression' as const } : {}),
    ...(poisson && options.scaleTarget === undefined ? { scaleTarget: false } : {}),
    // The weight column is not a feature.
    ...(options.sampleWeight === undefined || options.features !== undefined ? {} : { drop: [...(options.drop ?? []), options.sampleWeight] }),
  });
  // Quantile regression: the one target once per τ, one network output each.
  return quantiles === null ? fitted : fitted.withQuantiles(quantiles);
}

/**
 * Intervals: the calibration rows are set aside first (the preprocessor and the network never see them),
 * the rest trains as without the option, and the pipeline is calibrated on the rows set aside.
 */
async function trainCalibrated(table: Table, options: TrainOptions, hooks: TrainHooks): Promise<TrainOutcome> {
  const { intervals, ...rest } = options;
  const split = calibrationSplit(table, options);
  const out = await trainPipeline(split.train, rest, hooks);
  const p = out.pipeline;
  const calibration = calibratePipeline(p, split.calibration, intervals!, rest.seed ?? 0);
  const resolved = canonical({ ...p.options!, intervals: intervals! });
  return { ...out, pipeline: new Pipeline(p.predictor, p.preprocessor, resolved, p.summary, calibration) };
}

/** A validation split must leave rows on both sides. */
export function checkValidationRows(table: Table, fraction: number): void {
  if (fraction === 0) return;
  const n = table.rows;
  const held = Math.round(n * fraction);
  if (held < 1 || n - held < 2) {
    throw new TableError(`${table.source}: too few rows for a validation split: ${n} rows with --validation ${fraction} (option validation) leave ${held} for validation and ${n - held} for training; add rows, or pass validation 0 (--validation 0)`, table.source);
  }
}

/**
 * The row weights of option sampleWeight: a numeric column, each cell finite and ≥ 0; a missing, negative
 * or infinite weight is refused by its place. The column may be neither a target nor a listed feature.
 */
function sampleWeightsOf(table: Table, o: TrainOptions): Float64Array {
  const name = o.sampleWeight!;
  const c = findColumn(table, name, 'the sample weights (option sampleWeight, --sample-weight)');
  const targets = typeof o.target === 'string' ? [o.target] : o.target;
  const role = targets.includes(name) ? 'the target' : (o.features ?? []).includes(name) ? 'a feature (option features)' : null;
  if (role !== null) throw new TableError(`${cellPlace(table, null, c)}: the sample weights (option sampleWeight) cannot also be ${role}`, table.source, null, c.name);
  if (c.type !== 'number') throw new TableError(`${cellPlace(table, null, c)}: the sample weights (option sampleWeight) must be a numeric column, but it holds categories`, table.source, null, c.name);
  for (let r = 0; r < table.rows; r++) {
    const w = c.values[r]!;
    if (Number.isFinite(w) && w >= 0) continue;
    const line = table.lines[r] ?? null;
    const why = Number.isNaN(w) ? `is missing (${showCell(c.firstMissing?.line === line ? c.firstMissing.value : '')})` : `is ${w}`;
    throw new TableError(`${cellPlace(table, line, c)}: the sample weight ${why}; weights must be numbers ≥ 0`, table.source, line, c.name);
  }
  return c.values;
}

/** The Poisson loss's targets are counts or rates: never negative. A negative cell is named by its place. */
function checkCounts(y: Matrix, target: TrainOptions['target'], table: Table): void {
  const names = typeof target === 'string' ? [target] : target;
  for (let i = 0; i < y.data.length; i++) {
    if (!(y.data[i]! < 0)) continue;
    const row = Math.floor(i / y.cols);
    const c = findColumn(table, names[i % y.cols]!, 'the target');
    const line = table.lines[row] ?? null;
    throw new TableError(`${cellPlace(table, line, c)}: the target is ${y.data[i]}; the poisson loss needs counts or rates ≥ 0`, table.source, line, c.name);
  }
}

/** The options with every default filled in: what the model file records. */
export function resolveOptions(o: TrainOptions, rows: number): TrainOptions {
  const optimizer = o.optimizer ?? TRAIN_DEFAULTS.optimizer;
  const validation = validationOf(o, rows);
  const spec = optimizerOf(o);
  return canonical({
    ...o,
    hidden: o.hidden ?? TRAIN_DEFAULTS.hidden,
    activation: o.activation ?? TRAIN_DEFAULTS.activation,
    optimizer,
    ...(spec.kind === 'lbfgs' ? {} : { learningRate: spec.learningRate }),
    batchSize: o.batchSize ?? TRAIN_DEFAULTS.batchSize,
    epochs: o.epochs ?? TRAIN_DEFAULTS.epochs,
    validation,
    earlyStopping: o.earlyStopping ?? (validation > 0 ? TRAIN_DEFAULTS.earlyStopping : 0),
    seed: o.seed ?? TRAIN_DEFAULTS.seed,
  });
}

/** The options with their keys in the option table's order, so that every door writes the same bytes. */
function canonical(o: TrainOptions): TrainOptions {
  const s = o.schedule;
  const schedule = s === undefined ? {} : { schedule: pick(s as Record<string, unknown>, ['kind', ...SCHEDULE_OPTIONS[s.kind].required, ...SCHEDULE_OPTIONS[s.kind].optional]) as unknown as ScheduleSpec };
  return { ...pick(o, TRAIN_OPTION_NAMES), target: o.target, ...schedule };
}

/**
 * The network for a fitted preprocessor: inputs and outputs from it, the output layer from the task table.
 * Quantile regression is the model spec's loss 'quantile' with its τ per output (`quantiles`).
 */
export function specOf(prep: Preprocessor, o: TrainOptions): ModelSpec {
  const quantiles = quantilesOf(o.loss);
  return mlp({
    inputSize: prep.width, outputSize: prep.outputWidth, task: prep.task,
    hidden: o.hidden ?? TRAIN_DEFAULTS.hidden, activation: o.activation ?? TRAIN_DEFAULTS.activation,
    ...pick(o, ['init', 'batchNorm', 'dropout', 'inputNoise', 'l1', 'l2']),
    ...(o.loss === undefined ? {} : quantiles === null ? { loss: o.loss as LossSpec } : { loss: 'quantile' as const, quantiles }),
    ...(o.monotone === undefined ? {} : { monotone: monotoneInputs(prep, o.monotone) }),
  });
}

/** Monotone columns as the network's input indices (a numeric column is one input; scaling keeps its direction). */
function monotoneInputs(prep: Preprocessor, m: NonNullable<TrainOptions['monotone']>): Record<number, 'increasing' | 'decreasing'> {
  const out: Record<number, 'increasing' | 'decreasing'> = {};
  const groups = prep.groups;
  for (const [name, dir] of Object.entries(m)) {
    const k = prep.columns.findIndex((c) => c.name === name);
    if (k < 0) throw new Error(`train: option monotone names '${name}', which is not a feature; the features are ${prep.columns.map((c) => `'${c.name}'`).join(', ')}`);
    if (prep.columns[k]!.type !== 'number') throw new Error(`train: option monotone names '${name}', a category column; only numeric columns have a direction`);
    out[groups[k]!.columns[0]!] = dir;
  }
  return out;
}

export function fitOptionsOf(prep: Preprocessor, o: TrainOptions, rows: number, fraction: number): RestartFitOptions {
  const patience = o.earlyStopping ?? 0;
  if (patience > 0 && fraction === 0 && o.earlyStopping !== undefined && o.validation !== undefined) {
    throw new Error('train: option earlyStopping needs a validation split (validation > 0)');
  }
  const trainRows = rows - Math.round(fraction * rows);
  const optimizer = optimizerOf(o);
  if (o.tolerance !== undefined && o.nIterNoChange === undefined && optimizer.kind !== 'lbfgs') {
    throw new Error('train: option tolerance is the stall rule\'s threshold: it goes with nIterNoChange (--n-iter-no-change), or is the lbfgs optimizer\'s gradient tolerance');
  }
  return {
    epochs: o.epochs ?? TRAIN_DEFAULTS.epochs,
    batchSize: Math.max(1, Math.min(o.batchSize ?? TRAIN_DEFAULTS.batchSize, trainRows)),
    optimizer,
    ...(o.schedule === undefined ? {} : { schedule: o.schedule }),
    ...(o.shuffle === undefined ? {} : { shuffle: o.shuffle }),
    ...(patience > 0 && fraction > 0 ? { earlyStopping: { patience, restoreBest: true, ...(o.minDelta === undefined ? {} : { minDelta: o.minDelta }) } } : {}),
    ...(o.nIterNoChange === undefined || optimizer.kind === 'lbfgs' ? {} : { nIterNoChange: o.nIterNoChange, ...(o.tolerance === undefined ? {} : { tolerance: o.tolerance }) }),
    ...(o.classWeight === undefined ? {} : { classWeights: classWeightsOf(prep, o.classWeight) }),
  };
}

/** Class weights by class index, from 'balanced' or a weight per label (unnamed classes weigh 1). */
function classWeightsOf(prep: Preprocessor, cw: NonNullable<TrainOptions['classWeight']>): number[] | 'balanced' {
  const t = prep.target;
  if (t.task === 'regression') throw new Error('train: option classWeight is for classification; the target is numeric (regression)');
  if (cw === 'balanced') return 'balanced';
  const names = t.classes.map(String);
  for (const key of Object.keys(cw)) {
    if (!names.includes(key)) throw new Error(`train: option classWeight names class '${key}', which is not in the target (${names.map((n) => `'${n}'`).join(', ')})`);
  }
  return names.map((n) => {
    const w = cw[n] ?? 1;
    if (!(Number.isFinite(w) && w >= 0)) throw new Error(`train: option classWeight['${n}'] must be a number ≥ 0, got ${w}`);
    return w;
  });
}

/** Per-epoch training metrics: accuracy for classifiers, R² (on the scaled target) for regression. */
export function epochMetrics(task: Task): Record<string, Metric> {
  if (!TASKS[task].classifier) return { r2: (t, p) => r2(targetsOf(t), targetsOf(p)) };
  return { accuracy: (t, p) => accuracy(decodeLabels(t), decodeLabels(p)) };
}

/** The listed keys of an object that are set (so optional properties stay absent, not undefined). */
function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out as Pick<T, K>;
}

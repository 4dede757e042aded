/**
 * `mlpkit train DATA.csv --target COLUMN`: read, encode, train with `fit` (or restarts), save the model
 * file and, with --report, the HTML report. Nothing is written unless the whole run succeeds.
 */

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ActivationName } from '../src/activations.js';
import { mlp, type Task } from '../src/graph/builders.js';
import { Model } from '../src/graph/model.js';
import type { InitName } from '../src/init.js';
import type { LossName } from '../src/losses.js';
import { modelToFile } from '../src/io/model-file.js';
import { writeFileAtomic } from '../src/io/node/files.js';
import type { Matrix } from '../src/matrix.js';
import type { OptimizerSpec } from '../src/optim/rules.js';
import type { ReportBoundary } from '../src/report/report.js';
import { fit } from '../src/train/fit.js';
import { trainRestarts } from '../src/train/restarts.js';
import { interpretModel } from '../src/report/interpretation.js';
import type { ReportInterpretation } from '../src/report/report.js';
import { Ensemble } from '../src/train/ensemble.js';
import { ensembleMembersJson } from '../src/io/ensemble-file.js';
import { parallelRunner } from '../src/node/restarts-worker.js';
import { backendForThreads } from '../src/node/native.js';
import { TrainingDivergedError, type Checkpoint, type EpochRecord, type FitOptions, type History, type Metric } from '../src/train/types.js';
import { findColumn, readTable, type ColumnKind, type Table } from './csv.js';
import { CliError, usageError } from './errors.js';
import {
  encodeColumns, encodeTarget, featureNames, planColumns, planFeatureSteps, planTarget, preprocessingToJson, standardizeInPlace,
  type Impute, type Preprocessing,
} from './features.js';
import { checkOutputPath, interpret, metricsOf, writeAll } from './model-io.js';
import { predictionsCsv } from './predictions.js';
import { Progress, outputMode } from './progress.js';

export interface TrainOptions {
  readonly target: string;
  readonly task?: 'classification' | 'regression';
  readonly hidden: readonly number[];
  readonly activation: ActivationName;
  readonly loss?: LossName;
  readonly optimizer: OptimizerSpec['kind'];
  readonly lr?: number;
  readonly momentum?: number;
  readonly batchSize: number;
  readonly epochs: number;
  readonly l1?: number;
  readonly l2?: number;
  readonly dropout?: number;
  readonly batchnorm?: 'before' | 'after';
  readonly init?: InitName;
  readonly earlyStopping?: number;
  readonly validation?: number;
  readonly restarts?: number;
  readonly ensemble?: boolean;
  readonly standardize: boolean;
  readonly impute?: Impute;
  readonly drop: readonly string[];
  readonly categorical?: readonly string[];
  readonly seed: number;
  /** Threads for large products (the multithreaded WebAssembly backend); default 1. */
  readonly threads?: number;
  readonly out: string;
  readonly report?: string;
  readonly predictions?: string;
  readonly checkpoint?: string;
  readonly resume?: boolean;
  readonly quiet?: boolean;
  readonly json?: boolean;
}

export interface TrainResult {
  readonly modelPath: string;
  readonly reportPath: string | null;
  readonly predictionsPath: string | null;
  readonly metrics: Record<string, number>;
  readonly history: History;
}

const DEFAULT_LR: Record<OptimizerSpec['kind'], number> = { sgd: 0.01, adam: 3e-3, adamw: 3e-3, rmsprop: 1e-3, adagrad: 0.01, lbfgs: 1 };

function optimizerSpec(o: TrainOptions): OptimizerSpec {
  const learningRate = o.lr ?? DEFAULT_LR[o.optimizer];
  switch (o.optimizer) {
    case 'sgd': return { kind: 'sgd', learningRate, ...(o.momentum === undefined ? {} : { momentum: o.momentum }) };
    case 'rmsprop': return { kind: 'rmsprop', learningRate, ...(o.momentum === undefined ? {} : { momentum: o.momentum }) };
    case 'lbfgs': return { kind: 'lbfgs' };
    case 'adam': case 'adamw': case 'adagrad': return { kind: o.optimizer, learningRate };
  }
}

/** Training-time metrics over whole sets: accuracy for classifiers, R² for regression (on the scaled target). */
function fitMetrics(task: Task): Record<string, Metric> {
  if (task === 'regression') {
    return {
      r2: (t: Matrix, p: Matrix) => {
        let mean = 0;
        for (let i = 0; i < t.data.length; i++) mean += t.data[i]!;
        mean /= t.data.length;
        let ss = 0; let st = 0;
        for (let i = 0; i < t.data.length; i++) { ss += (t.data[i]! - p.data[i]!) ** 2; st += (t.data[i]! - mean) ** 2; }
        return st === 0 ? 0 : 1 - ss / st;
      },
    };
  }
  return {
    accuracy: (t: Matrix, p: Matrix) => {
      let ok = 0;
      for (let r = 0; r < t.rows; r++) {
        if (t.cols === 1) { if ((p.data[r]! >= 0.5 ? 1 : 0) === t.data[r]) ok++; continue; }
        let bt = 0; let bp = 0;
        for (let j = 1; j < t.cols; j++) {
          if (t.data[r * t.cols + j]! > t.data[r * t.cols + bt]!) bt = j;
          if (p.data[r * t.cols + j]! > p.data[r * t.cols + bp]!) bp = j;
        }
        if (bt === bp) ok++;
      }
      return ok / t.rows;
    },
  };
}

/** The validation fraction: as given, else 0.2 when there are at least 30 rows; refused if it leaves a side empty. */
function validationFraction(o: TrainOptions, table: Table): number {
  const n = table.rows;
  const f = o.validation ?? (n >= 30 ? 0.2 : 0);
  if (f === 0) return 0;
  const held = Math.round(n * f);
  if (held < 1 || n - held < 2) {
    throw new CliError(`${table.file}: too few rows for a validation split: ${n} rows with --validation ${f} leaves ${held} for validation and ${n - held} for training; add rows, or pass --validation 0`);
  }
  return f;
}

export async function train(dataPath: string, o: TrainOptions): Promise<TrainResult> {
  const progress = new Progress(outputMode(o));
  if (o.ensemble === true && (o.restarts ?? 1) < 2) throw usageError('--ensemble keeps all the runs of --restarts K: give K ≥ 2');
  const modelPath = checkOutputPath(o.out, '--out');
  const reportPath = o.report === undefined ? null : checkOutputPath(o.report, '--report');
  const predictionsPath = o.predictions === undefined ? null : checkOutputPath(o.predictions, '--predictions');
  if (o.resume === true && o.checkpoint === undefined) throw usageError('--resume needs --checkpoint DIR (the folder the checkpoints were written to)');

  const kinds = new Map<string, ColumnKind>((o.categorical ?? []).map((c) => [c, 'categorical']));
  const table = await readTable(dataPath, { kinds, onProgress: progress.readProgress(basename(dataPath)) });
  for (const c of o.categorical ?? []) findColumn(table, c, '--categorical');
  progress.readDone();
  const target = planTarget(table, o.target, o.task ?? null);
  const columns = planColumns(table, o.target, o.impute ?? null, o.drop);
  const x = encodeColumns(table, columns);
  const features = planFeatureSteps(columns, x, o.standardize);
  standardizeInPlace(x, features);
  const { y, labels } = encodeTarget(table, target);
  const prep: Preprocessing = { columns, featureNames: featureNames(columns), features, target };
  const fraction = validationFraction(o, table);
  if (target.task !== 'regression' && o.task === undefined) {
    progress.note(`task: ${target.task} classification of '${o.target}' (classes ${target.classes.join(', ')}); pass --task regression to override`);
  }

  const spec = mlp({
    inputSize: x.cols, outputSize: y.cols, task: target.task, hidden: o.hidden, activation: o.activation,
    ...(o.init === undefined ? {} : { init: o.init }),
    ...(o.batchnorm === undefined ? {} : { batchNorm: o.batchnorm }),
    ...(o.dropout === undefined ? {} : { dropout: o.dropout }),
    ...(o.l1 === undefined ? {} : { l1: o.l1 }),
    ...(o.l2 === undefined ? {} : { l2: o.l2 }),
    ...(o.loss === undefined ? {} : { loss: o.loss }),
  });
  let model: Model;
  try {
    model = new Model(spec, { seed: o.seed, ...((o.threads ?? 1) > 1 ? { backend: backendForThreads(o.threads!) } : {}) });
  } catch (e) {
    throw usageError((e as Error).message);
  }
  const patience = o.earlyStopping ?? (fraction > 0 ? 20 : 0);
  const base = {
    epochs: o.epochs, batchSize: Math.min(o.batchSize, x.rows), optimizer: optimizerSpec(o),
    ...(patience > 0 && fraction > 0 ? { earlyStopping: { patience, restoreBest: true } } : {}),
  };
  if (patience > 0 && fraction === 0 && o.earlyStopping !== undefined) throw usageError('--early-stopping needs a validation split (--validation FRACTION)');

  let history: History;
  let ensemble: Ensemble | null = null;
  const controller = new AbortController();
  const onSigint = (): void => { progress.note('\nstopping after this batch (Ctrl-C again to quit at once)'); controller.abort(); process.once('SIGINT', () => process.exit(130)); };
  process.once('SIGINT', onSigint);
  progress.trainStart(o.epochs);
  try {
    if ((o.restarts ?? 1) > 1) {
      // The runs go to worker threads; each is a pure function of its seed, so this equals a sequential run.
      const outcome = await trainRestarts(spec, { x, y }, base, {
        runs: o.restarts!, seed: o.seed, ...(fraction > 0 ? { validation: { fraction } } : {}), runner: parallelRunner(),
      });
      const losses = outcome.runs.map((r) => r.valLoss.toPrecision(4)).join(', ');
      if (o.ensemble === true) {
        ensemble = outcome.ensemble;
        model = ensemble.members[0]!;
        history = outcome.runs[0]!.history;
        for (const r of history.epochs) progress.epoch(r);
        progress.note(`ensemble: kept all ${o.restarts} runs, predictions are their mean (validation losses ${losses})`);
      } else {
        model = outcome.model;
        history = outcome.runs[outcome.best]!.history;
        for (const r of history.epochs) progress.epoch(r);
        progress.note(`restarts: kept run ${outcome.best + 1} of ${o.restarts} (validation losses ${losses})`);
      }
    } else {
      const checkpoint = checkpointOptions(o);
      const options: FitOptions = {
        ...base, seed: o.seed, metrics: fitMetrics(target.task), signal: controller.signal,
        ...(fraction > 0 ? { validation: { fraction } } : {}),
        onEpochEnd: (r: EpochRecord) => { progress.epoch(r); },
        ...checkpoint,
      };
      history = await fit(model, { x, y }, options);
    }
  } catch (e) {
    if (e instanceof TrainingDivergedError) throw new CliError(`training diverged: ${e.message}; try a smaller --lr, --standardize, or a different --optimizer`);
    if (e instanceof CliError) throw e;
    throw new CliError(`training failed: ${(e as Error).message}`);
  } finally {
    process.removeListener('SIGINT', onSigint);
    progress.trainDone();
  }

  // Evaluate on the whole file (the validation rows are part of it; the report says so).
  const out = (ensemble ?? model).predict(x).data;
  const pred = interpret(out, table.rows, target);
  const trueValues = target.task === 'regression' ? Float64Array.from(y.data, (v) => v * target.scale + target.mean) : null;
  const metrics = metricsOf(target, pred, labels, trueValues);

  const last = history.epochs[history.epochs.length - 1];
  const file = modelToFile(model, {
    task: target.task,
    ...(target.task === 'regression' ? {} : { classes: [...target.classes] }),
    preprocessing: preprocessingToJson(prep),
    training: JSON.parse(JSON.stringify({
      data: basename(dataPath), rows: table.rows, target: o.target, epochs: history.epochs.length, stopReason: history.stopReason,
      bestEpoch: history.bestEpoch, finalTrainLoss: last?.trainLoss ?? null, finalValLoss: last?.valLoss ?? null,
      ...(ensemble === null ? {} : { ensembleMembers: ensembleMembersJson(ensemble) }),
      options: { ...o, quiet: undefined, json: undefined, out: undefined, report: undefined, predictions: undefined },
      metrics,
    })),
  });
  const writes: { path: string; data: string | Uint8Array }[] = [{ path: modelPath, data: `${JSON.stringify(file, null, 1)}\n` }];
  if (reportPath !== null) {
    writes.push({ path: reportPath, data: await reportFor(model, history, table, prep, x, y, labels, pred, trueValues, metrics, basename(dataPath)) });
  }
  if (predictionsPath !== null) writes.push({ path: predictionsPath, data: predictionsCsv(prep, pred, table.rows) });
  await writeAll(writes);

  progress.result(`trained ${history.epochs.length} epochs (${history.stopReason}); ${Object.entries(metrics).slice(0, 3).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')} on ${basename(dataPath)}`);
  progress.result(`model: ${modelPath}`);
  if (reportPath !== null) progress.result(`report: ${reportPath}`);
  if (predictionsPath !== null) progress.result(`predictions: ${predictionsPath}`);
  return { modelPath, reportPath, predictionsPath, metrics, history };
}

function checkpointOptions(o: TrainOptions): Pick<FitOptions, 'checkpoint' | 'resumeFrom'> {
  if (o.checkpoint === undefined) return {};
  const dir = o.checkpoint;
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const path = join(dir, 'checkpoint.json');
  let resumeFrom: Checkpoint | undefined;
  if (o.resume === true) {
    if (!existsSync(path)) throw new CliError(`--resume: no checkpoint at ${path}`);
    try {
      resumeFrom = JSON.parse(readFileSync(path, 'utf8')) as Checkpoint;
    } catch (e) {
      throw new CliError(`${path}: not a checkpoint (${(e as Error).message})`);
    }
  }
  return {
    checkpoint: { every: 1, write: (cp: Checkpoint) => writeFileAtomic(path, JSON.stringify(cp)) },
    ...(resumeFrom === undefined ? {} : { resumeFrom }),
  };
}

/**
 * Permutation importance, saliency and partial dependence for the report, on at most 2,000 rows of the
 * training file (the report says so): they show what the model relies on, not how it generalizes.
 */
function interpretationOf(model: Model, x: { rows: number; cols: number; data: Float64Array }, y: { rows: number; cols: number; data: Float64Array }, prep: Preprocessing, dataName: string): ReportInterpretation {
  const rows = Math.min(x.rows, 2000);
  const xs = { rows, cols: x.cols, data: x.data.subarray(0, rows * x.cols) };
  const ys = { rows, cols: y.cols, data: y.data.subarray(0, rows * y.cols) };
  return interpretModel(model, xs, ys, { setName: `${rows} rows of ${dataName}`, featureNames: prep.featureNames, target: prep.target, features: prep.features }).report;
}

async function reportFor(
  model: Model, history: History, table: Table, prep: Preprocessing, x: { rows: number; cols: number; data: Float64Array },
  y: { rows: number; cols: number; data: Float64Array },
  labels: Int32Array | null, pred: ReturnType<typeof interpret>, trueValues: Float64Array | null, metrics: Record<string, number>, dataName: string,
): Promise<string> {
  const t = prep.target;
  let boundary: ReportBoundary | undefined;
  const numeric = prep.columns.filter((c) => c.kind === 'numeric');
  if (t.task !== 'regression' && prep.columns.length === 2 && numeric.length === 2 && labels !== null) {
    const c1 = table.columns.find((c) => c.name === numeric[0]!.name)!;
    const c2 = table.columns.find((c) => c.name === numeric[1]!.name)!;
    if (c1.kind === 'numeric' && c2.kind === 'numeric') {
      boundary = {
        names: [c1.name, c2.name], x1: c1.values, x2: c2.values, labels,
        predictClass: (rows) => {
          const g = { rows: rows.length, cols: 2, data: Float64Array.from(rows.flatMap((r) => [r[0], r[1]])) };
          standardizeInPlace(g, prep.features);
          return interpret(model.predict(g).data, rows.length, t).labels!;
        },
      };
    }
  }
  const { buildReport } = await import('../src/report/report.js');
  return buildReport({
    title: `mlpkit: ${t.name} from ${dataName}`, model, history, task: t.task,
    ...(t.task === 'regression' ? { outputs: [t.name] } : { classes: t.classes }),
    x,
    evaluation: t.task === 'regression'
      ? { setName: `whole file (${dataName})`, actual: trueValues!, predicted: pred.values!, metrics }
      : { setName: `whole file (${dataName})`, actual: labels!, predicted: pred.labels!, metrics },
    ...(boundary === undefined ? {} : { boundary }),
    interpretation: interpretationOf(model, x, y, prep, dataName),
    facts: [['data', `${dataName}: ${table.rows} rows, ${table.columns.length} columns`], ['features', prep.featureNames.join(', ')]],
  });
}

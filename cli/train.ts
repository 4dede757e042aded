/**
 * `mlpkit train DATA.csv --target COLUMN`: read, encode, train with `fit` (or restarts), save the model
 * file and, with --report, the HTML report. Nothing is written unless the whole run succeeds.
 */

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ActivationName } from '../src/activations.js';
import type { InitName } from '../src/init.js';
import type { LossName } from '../src/losses.js';
import { writeFileAtomic } from '../src/io/node/files.js';
import type { ReportBoundary, ReportEvaluation, ReportInterpretation } from '../src/report/report.js';
import { interpretModel, targetForInterpretation } from '../src/report/interpretation.js';
import { parallelRunner } from '../src/node/restarts-worker.js';
import { restartQueue } from './worker.js';
import { backendForThreads, backendInfo } from '../src/node/native.js';
import { TableError, type Table } from '../src/table/types.js';
import { tableFromColumns } from '../src/table/values.js';
import { takeTableRows } from '../src/table/rows.js';
import { TrainingDivergedError, type BatchInfo, type Checkpoint, type EpochRecord, type History } from '../src/train/types.js';
import type { Impute, Scaling } from '../src/workflow/preprocessor.js';
import { SCHEDULE_OPTIONS, scheduleKindsTaking, type ScheduleKind, type ScheduleSpec } from '../src/optim/schedules.js';
import type { OptimizerName, TrainOptions as WorkflowOptions } from '../src/workflow/options.js';
import type { Pipeline } from '../src/workflow/pipeline.js';
import type { TrainHooks } from '../src/workflow/train.js';
import { lenientFor, trainHeldOut, type HeldOutOutcome, type HoldOutOptions } from '../src/workflow/holdout.js';
import { CliError, divergedMessage, flagOf, requireReportRenderer, scheduleAttribute, usageError } from './errors.js';
import { onInterrupt, openInput } from './io.js';
import { checkModelMemory, checkOutputFolder, checkOutputPath, readData, writeAll } from './model-io.js';
import { readPlan, streamsForWidth, trainStreamedFile } from './streamed.js';
import { predictionsFile } from './predictions.js';
import { Progress, outputMode } from './progress.js';
import { VERSION } from '../src/version.js';
import { diagnose, formatFindings, type Finding } from '../src/train/diagnose.js';

/** The flags of `mlpkit train`, as commander parses them (the workflow's names where they differ: workflowOptions). */
export interface TrainOptions {
  /** One target column, or several numeric ones (multi-output regression). */
  readonly target: string | readonly string[];
  readonly task?: 'classification' | 'regression';
  readonly hidden: readonly number[];
  readonly activation: ActivationName;
  readonly loss?: LossName;
  /** With loss huber: Huber's δ. */
  readonly huberDelta?: number;
  /** With loss quantile: the τ to predict, one output each. */
  readonly quantiles?: readonly number[];
  readonly optimizer: OptimizerName;
  readonly lr?: number;
  readonly momentum?: number;
  readonly nesterov?: boolean;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  readonly schedule?: ScheduleKind;
  /** The --schedule-* flags given, by the schedule's option names (stepSize, gamma, …). */
  readonly scheduleOptions?: Readonly<Record<string, number | string>>;
  readonly batchSize: number;
  readonly epochs: number;
  /** false: --no-shuffle. */
  readonly shuffle?: boolean;
  /** --memory: the memory budget in bytes; a file whose in-memory run would need more streams from an on-disk cache. */
  readonly memory?: number;
  /** --cache-dir: where the on-disk caches of streamed files live. */
  readonly cacheDir?: string;
  /** false: --no-scale-target (a regression trained on the target as it is). */
  readonly scaleTarget?: boolean;
  readonly minDelta?: number;
  readonly nIterNoChange?: number;
  readonly tolerance?: number;
  readonly classWeight?: WorkflowOptions['classWeight'];
  readonly sampleWeight?: string;
  readonly inputNoise?: number;
  /** Each restart on a bootstrap sample (the workflow's bootstrap). */
  readonly bagging?: boolean;
  readonly l1?: number;
  readonly l2?: number;
  readonly dropout?: number;
  readonly batchnorm?: 'before' | 'after';
  readonly init?: InitName;
  readonly earlyStopping?: number;
  readonly validation?: number;
  readonly restarts?: number;
  readonly ensemble?: boolean;
  /** Run the restarts on `mlpkit worker`s through this Redis instead of worker threads. */
  readonly redis?: string;
  readonly redisPasswordFile?: string;
  /** false: --no-standardize, the same as scale 'none'. */
  readonly standardize: boolean;
  readonly scale?: Scaling;
  readonly impute?: Impute;
  /** With impute constant; a number when it reads as one. */
  readonly fillValue?: string;
  readonly minFrequency?: number;
  readonly features?: readonly string[];
  /** What a category level never seen in training does at predict time. */
  readonly unknown?: 'error' | 'ignore';
  /** The decimal separator of the data file's numbers. */
  readonly decimal?: '.' | ',';
  readonly drop: readonly string[];
  readonly categorical?: readonly string[];
  readonly seed: number;
  /** Threads for large products (the multithreaded WebAssembly backend); default 1. */
  readonly threads?: number;
  /** Rows held out for the scores (a fraction or a count; 0: none). Default 0.2 of a table of ≥ 20 rows. */
  readonly testSize?: number;
  /** A file of held-out rows to score on, instead of a split. */
  readonly test?: string;
  /** Calibrate prediction intervals or sets at this coverage. */
  readonly intervals?: number;
  /** Columns the prediction must rise or fall with. */
  readonly monotone?: Readonly<Record<string, 'increasing' | 'decreasing'>>;
  readonly out: string;
  readonly report?: string;
  readonly predictions?: string;
  readonly checkpoint?: string;
  readonly resume?: boolean;
  /** With resume: continue although the options or the data differ from the checkpoint's. */
  readonly force?: boolean;
  readonly quiet?: boolean;
  readonly json?: boolean;
}

export interface TrainResult {
  readonly modelPath: string;
  readonly reportPath: string | null;
  readonly predictionsPath: string | null;
  /** Scores on the held-out rows (on the training rows when nothing is held out). */
  readonly metrics: Record<string, number>;
  /** Scores on the rows trained on. */
  readonly trainingMetrics: Record<string, number>;
  /** The held-out rows scored, or null. */
  readonly heldOutRows: number | null;
  readonly history: History;
}

/** The command's flags as the workflow's options: one name per option, the library's. */
export function workflowOptions(o: TrainOptions): WorkflowOptions {
  if (o.bagging === true && (o.restarts ?? 1) < 2) throw usageError('--bagging trains each run of --restarts K on its own bootstrap sample: give K ≥ 2');
  const set = <K extends string, V>(k: K, v: V | undefined): Partial<Record<K, V>> => (v === undefined ? {} : ({ [k]: v } as Record<K, V>));
  const targets = typeof o.target === 'string' ? [o.target] : o.target;
  return {
    target: targets.length === 1 ? targets[0]! : targets, hidden: o.hidden, activation: o.activation, optimizer: o.optimizer, batchSize: o.batchSize, epochs: o.epochs, seed: o.seed,
    ...set('task', o.task), ...set('loss', lossOf(o)), ...set('learningRate', o.lr), ...set('momentum', o.momentum),
    ...set('nesterov', o.nesterov), ...set('beta1', o.beta1), ...set('beta2', o.beta2), ...set('epsilon', o.epsilon), ...set('schedule', scheduleOf(o)),
    ...(o.shuffle === false ? { shuffle: false } : {}), ...(o.scaleTarget === false ? { scaleTarget: false } : {}), ...set('minDelta', o.minDelta), ...set('tolerance', o.tolerance), ...set('nIterNoChange', o.nIterNoChange),
    ...set('classWeight', o.classWeight), ...set('sampleWeight', o.sampleWeight), ...set('inputNoise', o.inputNoise),
    ...set('l1', o.l1), ...set('l2', o.l2), ...set('dropout', o.dropout), ...set('batchNorm', o.batchnorm), ...set('init', o.init),
    ...set('earlyStopping', o.earlyStopping), ...set('validation', o.validation), ...set('restarts', o.restarts),
    ...(o.ensemble === true ? { ensemble: true } : {}), ...(o.bagging === true ? { bootstrap: true } : {}), ...set('scale', scaleOf(o)),
    ...set('impute', o.impute), ...set('fillValue', fillValueOf(o)), ...set('minFrequency', o.minFrequency), ...set('unknown', o.unknown),
    ...(o.drop.length === 0 ? {} : { drop: o.drop }), ...set('features', o.features), ...set('intervals', o.intervals), ...set('monotone', o.monotone),
  };
}

/** The flags whose spelling is not the library option's in kebab-case. */
const OWN_SPELLINGS: Readonly<Record<string, string>> = { learningRate: '--lr', batchNorm: '--batchnorm', bootstrap: '--bagging', shuffle: '--no-shuffle', scaleTarget: '--no-scale-target' };

/** The command's flag for a library option name (learningRate → --lr, nIterNoChange → --n-iter-no-change). */
export function flagOfOption(name: string): string {
  return OWN_SPELLINGS[name] ?? flagOf(name);
}

/** --loss with --huber-delta (Huber's loss with its δ, as the model spec names it) or with --quantiles (quantile regression). */
function lossOf(o: TrainOptions): WorkflowOptions['loss'] {
  if (o.quantiles !== undefined) return quantileLossOf(o, o.quantiles);
  if (o.huberDelta === undefined) return o.loss;
  if (o.loss !== 'huber') throw usageError(`--huber-delta is the huber loss's δ: give --loss huber${o.loss === undefined ? '' : ` (not --loss ${o.loss})`}`);
  return { name: 'huber', delta: o.huberDelta };
}

/** --loss quantile --quantiles τ,…: one numeric target, one output per τ. */
function quantileLossOf(o: TrainOptions, quantiles: readonly number[]): WorkflowOptions['loss'] {
  if (o.loss !== 'quantile') throw usageError(`--quantiles is the quantile loss's τ: give --loss quantile${o.loss === undefined ? '' : ` (not --loss ${o.loss})`}`);
  if (o.huberDelta !== undefined) throw usageError('--huber-delta is the huber loss\'s δ; it does not go with --loss quantile');
  const targets = typeof o.target === 'string' ? [o.target] : o.target;
  if (targets.length !== 1) throw usageError(`--loss quantile --quantiles predicts quantiles of one --target column, got ${targets.length} (${targets.join(', ')})`);
  return { name: 'quantile', quantiles };
}

/** --scale, or its older spelling --no-standardize (scale none); both at once must agree. */
function scaleOf(o: TrainOptions): Scaling | undefined {
  if (o.standardize) return o.scale;
  if (o.scale !== undefined && o.scale !== 'none') throw usageError(`--no-standardize is --scale none; it cannot go with --scale ${o.scale}`);
  return 'none';
}

/** --fill-value: a number when it reads as one (numeric columns), else a category level. */
function fillValueOf(o: TrainOptions): number | string | undefined {
  if (o.fillValue === undefined) return undefined;
  if (o.impute !== 'constant') throw usageError(`--fill-value is the value --impute constant fills in: give --impute constant${o.impute === undefined ? '' : ` (not --impute ${o.impute})`}`);
  const v = Number(o.fillValue);
  return o.fillValue.trim() !== '' && Number.isFinite(v) ? v : o.fillValue;
}

/** --schedule KIND with its --schedule-* flags; a flag of another schedule is refused, naming both. */
function scheduleOf(o: TrainOptions): ScheduleSpec | undefined {
  const given = o.scheduleOptions ?? {};
  const flag = (k: string): string => flagOf(scheduleAttribute(k));
  const names = Object.keys(given);
  if (o.schedule === undefined) {
    if (names.length > 0) throw usageError(`${flag(names[0]!)} is a parameter of a learning-rate schedule: give --schedule ${scheduleKindsTaking(names[0]!).join('|')}`);
    return undefined;
  }
  const t = SCHEDULE_OPTIONS[o.schedule];
  const takes = [...t.required, ...t.optional];
  const stray = names.find((k) => !takes.includes(k));
  if (stray !== undefined) {
    throw usageError(`${flag(stray)} does not belong to --schedule ${o.schedule} (${takes.length === 0 ? 'it takes no parameters' : `it takes ${takes.map(flag).join(', ')}`}; ${flag(stray)} is for --schedule ${scheduleKindsTaking(stray).join('|')})`);
  }
  // The cosine's period defaults to the whole run.
  const filled = o.schedule === 'cosine' && given.epochs === undefined ? { ...given, epochs: o.epochs } : given;
  const missing = t.required.find((k) => filled[k] === undefined);
  if (missing !== undefined) throw usageError(`--schedule ${o.schedule} needs ${flag(missing)}`);
  return { kind: o.schedule, ...filled } as ScheduleSpec;
}

/** Library errors about the user's table or options, as the command reports them (no stack). */
function asCliError(e: unknown): CliError {
  if (e instanceof CliError) return e;
  if (e instanceof TrainingDivergedError) return new CliError(divergedMessage(e.message));
  if (e instanceof TableError) return new CliError(e.message);
  const m = (e as Error).message;
  if (/^train: option /.test(m)) return usageError(m.replace(/^train: option (\w+)/, (_, k: string) => flagOfOption(k)));
  return new CliError(m.startsWith('preprocessing') ? m : `training failed: ${m}`);
}

export async function train(dataPath: string, o: TrainOptions): Promise<TrainResult> {
  const started = Date.now();
  const progress = new Progress(outputMode(o));
  const paths = checkFlags(o);
  const plan = readPlan(dataPath, o);
  if (plan !== 'table') return trainStreamedFile(dataPath, o, paths.model, progress, started, plan);
  // A report needs the optional renderer: refused before any work, not after the training.
  if (paths.report !== null) await requireReportRenderer();
  const types = Object.fromEntries((o.categorical ?? []).map((c) => [c, 'category' as const]));
  const decimal = o.decimal === undefined ? {} : { decimal: o.decimal };
  const table = await readData(dataPath, progress, { types, ...decimal });
  for (const c of o.categorical ?? []) {
    if (!table.columns.some((x) => x.name === c)) throw usageError(`--categorical ${c}: ${table.source} has no column '${c}'; the columns are ${table.columns.map((x) => `'${x.name}'`).join(', ')}`);
  }
  // A small file can still encode large (a category of many levels): over the budget, it streams.
  if (streamsForWidth(table, o, dataPath, progress)) return trainStreamedFile(dataPath, o, paths.model, progress, started, 'encoded');
  const testPath = o.test;
  const holdOutOptions: HoldOutOptions = testPath === undefined
    ? (o.testSize === undefined ? {} : { testSize: o.testSize })
    : { test: (fitted) => readData(testPath, progress, { types: { ...types, ...fitted }, ...decimal }) };
  const outcome = await runTraining(table, workflowOptions(o), holdOutOptions, o, progress);
  const { pipeline, history } = outcome;
  const resumed = history.resumed;
  if (resumed !== undefined && resumed.differences.length > 0) progress.note(`--force: resumed although ${resumed.differences.join('; ')}`);
  if (resumed !== undefined && history.epochs.length === resumed.epoch && existsSync(paths.model)) {
    // The checkpoint is of a run that had finished: its model file stays as it was.
    progress.result(`the run in ${o.checkpoint} had already finished (${history.stopReason} after ${resumed.epoch} epochs); ${paths.model} is left as it was`);
    return { modelPath: paths.model, reportPath: null, predictionsPath: null, metrics: {}, trainingMetrics: {}, heldOutRows: null, history };
  }
  const t = pipeline.preprocessor.target;
  noteTask(pipeline, o, progress);
  noteUnseen('held-out rows', outcome.heldOut?.unseen ?? [], 'scored', progress);
  const findings = diagnose(history, {
    task: t.task, model: pipeline.model, x: outcome.x, y: outcome.y.y, featureNames: pipeline.preprocessor.featureNames,
    ...(pipeline.options?.optimizer === undefined ? {} : { optimizer: pipeline.options.optimizer }),
  });
  await writeOutputs(outcome, table, paths, basename(dataPath), findings);
  const scored = outcome.heldOut?.evaluation ?? outcome.training;
  const result: TrainResult = {
    modelPath: paths.model, reportPath: paths.report, predictionsPath: paths.predictions,
    metrics: scored.metrics, trainingMetrics: outcome.training.metrics, heldOutRows: outcome.heldOut?.table.rows ?? null, history,
  };
  const view: ResultView = { pipeline, trainedRows: outcome.split.train.rows, heldOut: outcome.heldOut };
  printResult(result, view, findings, basename(dataPath), progress, (Date.now() - started) / 1000);
  return result;
}

/** Say which task the target was read as, when the user did not say. */
/** One note per column whose rows hold levels never seen in training (what `done` says was done with them: scored, predicted). */
export function noteUnseen(where: string, unseen: readonly { column: string; levels: readonly string[]; rows: number }[], done: string, progress: Progress): void {
  for (const u of unseen) {
    progress.note(`${where}: ${u.rows} hold levels of '${u.column}' never seen in training (${u.levels.slice(0, 5).map((l) => `'${l}'`).join(', ')}${u.levels.length > 5 ? ', …' : ''}); ${done} with those one-hot columns all zero`);
  }
}

export function noteTask(pipeline: Pipeline, o: TrainOptions, progress: Progress): void {
  const t = pipeline.preprocessor.target;
  if (t.task !== 'regression' && o.task === undefined) {
    progress.note(`task: ${t.task} classification of '${o.target}' (classes ${t.classes.join(', ')}); pass --task regression to override`);
  }
}

/** The output paths, and flags that only make sense together, checked before anything is read. */
function checkFlags(o: TrainOptions): { model: string; report: string | null; predictions: string | null } {
  if (o.ensemble === true && (o.restarts ?? 1) < 2) throw usageError('--ensemble keeps all the runs of --restarts K: give K ≥ 2');
  if (o.redis === undefined && o.redisPasswordFile !== undefined) throw usageError('--redis-password-file goes with --redis URL');
  if (o.redis !== undefined && (o.restarts ?? 1) < 2) throw usageError('--redis runs the runs of --restarts K on workers: give K ≥ 2');
  if (o.test !== undefined && o.testSize !== undefined && o.testSize !== 0) throw usageError('--test FILE holds the held-out rows: leave out --test-size (or give --test-size 0)');
  if (o.test !== undefined) openInput(o.test).stream.destroy();
  const model = checkOutputPath(o.out, '--out');
  const report = o.report === undefined ? null : checkOutputPath(o.report, '--report');
  const predictions = o.predictions === undefined ? null : checkOutputPath(o.predictions, '--predictions');
  if (o.resume === true && o.checkpoint === undefined) throw usageError('--resume needs --checkpoint DIR (the folder the checkpoints were written to)');
  if (o.force === true && o.resume !== true) throw usageError('--force goes with --resume (it lets a resume continue although the options or the data differ)');
  if (o.checkpoint !== undefined) checkOutputFolder(o.checkpoint, '--checkpoint');
  return { model, report, predictions };
}

/** The model file, and the report and predictions when asked for: all written, or none. */
async function writeOutputs(outcome: HeldOutOutcome, table: Table, paths: ReturnType<typeof checkFlags>, dataName: string, findings: readonly Finding[]): Promise<void> {
  const { pipeline } = outcome;
  const writes: { path: string; data: string | Uint8Array }[] = [{ path: paths.model, data: `${JSON.stringify(pipeline.toFile(), null, 1)}\n` }];
  if (paths.report !== null) writes.push({ path: paths.report, data: await reportFor(outcome, table, dataName, findings) });
  if (paths.predictions !== null) writes.push({ path: paths.predictions, data: await predictionsFile(paths.predictions, pipeline.preprocessor.target, lenientFor(pipeline, table).predict(table)) });
  await writeAll(writes);
}

/** The held-out rows in the report's data line: "30 held out", or "30 held out (the 30 held-out rows of test.csv)" from another file. */
const heldOutFact = (t: Pick<Table, 'source' | 'rows'>): string => `${t.rows} held out${t.source.includes('held-out') ? '' : ` (${heldOutName(t)})`}`;

/** How the held-out rows are named: "30 held-out rows of iris.csv", or the test file's rows. */
const heldOutName = (t: Pick<Table, 'source' | 'rows'>): string => (t.source.includes('held-out') ? t.source : `the ${t.rows} held-out rows of ${t.source}`);

/** The three scores a result line shows: accuracy, balanced accuracy and F1 of a classifier; R², RMSE and MAE of a regression; the pinball loss (and the median's MAE) of a quantile regression. */
const HEADLINE = ['accuracy', 'balancedAccuracy', 'f1', 'r2', 'rmse', 'pinball', 'mae'];
export const metricText = (m: Readonly<Record<string, number>>): string => HEADLINE.filter((k) => m[k] !== undefined).map((k) => `${k} ${m[k]!.toFixed(4)}`).join(', ');

/** What a run's result lines tell of it: the pipeline, the rows it trained on, and the held-out rows (with their coverage) if any. */
export interface ResultView {
  readonly pipeline: Pipeline;
  readonly trainedRows: number;
  readonly heldOut: { readonly table: Pick<Table, 'source' | 'rows'>; readonly coverage?: NonNullable<HeldOutOutcome['heldOut']>['coverage'] } | null;
}

/** What a run prints: held-out scores with the training rows' beside them, the paths; with --json one final record. */
export function printResult(r: TrainResult, outcome: ResultView, findings: readonly Finding[], dataName: string, progress: Progress, seconds: number): void {
  const h = r.history;
  const trained = outcome.trainedRows;
  if (progress.mode === 'json') {
    progress.done({
      model: r.modelPath, metrics: r.metrics, trainingMetrics: r.trainingMetrics,
      heldOut: outcome.heldOut === null ? null : { source: outcome.heldOut.table.source, rows: outcome.heldOut.table.rows },
      ...(outcome.heldOut?.coverage == null ? {} : { coverage: outcome.heldOut.coverage }),
      trainingRows: trained, stopReason: h.stopReason, bestEpoch: h.bestEpoch, epochs: h.epochs.length, seconds,
      report: r.reportPath, predictions: r.predictionsPath, diagnosis: findings, backend: backendInfo(),
    });
    return;
  }
  // What went wrong in the run, if anything, from the signals the history recorded (stderr: advice, not results).
  if (findings.length > 0) progress.note(formatFindings(findings));
  const scores = outcome.heldOut === null
    ? `${metricText(r.metrics)} on the ${trained} training rows of ${dataName} (nothing held out: --test-size 0)`
    : `${metricText(r.metrics)} on ${heldOutName(outcome.heldOut.table)}; on the ${trained} training rows: ${metricText(r.trainingMetrics)}`;
  progress.result(`trained ${h.epochs.length} epochs (${h.stopReason}); ${scores}`);
  const coverage = Object.keys(r.metrics).filter((k) => k.startsWith('coverage_q'));
  if (coverage.length > 0) progress.result(`quantile coverage on those rows (the share with y ≤ ŷ_τ): ${coverage.map((k) => `τ ${k.slice('coverage_q'.length)} ${r.metrics[k]!.toFixed(3)}`).join(', ')}`);
  const cal = outcome.pipeline.calibration;
  const cov = outcome.heldOut?.coverage;
  if (cal !== null) {
    const what = cov === null || cov === undefined ? `calibrated on ${cal.rows} rows set aside from training`
      : `coverage ${cov.coverage.toFixed(3)} on ${heldOutName(outcome.heldOut!.table)}, ${cov.meanWidth === undefined ? `mean set size ${cov.meanSize!.toFixed(2)}` : `mean width ${cov.meanWidth.toPrecision(4)}`} (calibrated on ${cal.rows} rows set aside from training)`;
    progress.result(`${Math.round(cal.level * 1000) / 10}% prediction ${outcome.pipeline.task === 'regression' ? 'intervals' : 'sets'}: ${what}`);
  }
  progress.result(`model: ${r.modelPath}`);
  if (r.reportPath !== null) progress.result(`report: ${r.reportPath}`);
  if (r.predictionsPath !== null) progress.result(`predictions: ${r.predictionsPath}`);
}

/** Train through the workflow with the command's progress, Ctrl-C, threads, restarts on workers and checkpoints. */
async function runTraining(table: Table, options: WorkflowOptions, holdOut: HoldOutOptions, o: TrainOptions, progress: Progress): Promise<HeldOutOutcome> {
  const controller = new AbortController();
  const stopOnInterrupt = onInterrupt(() => { progress.note('\nstopping after this batch (Ctrl-C again to quit at once)'); controller.abort(); });
  const threads = o.threads ?? 1;
  // Restarts go to worker threads (or queue workers); each is a pure function of its seed, so this equals a sequential run.
  const queue = (o.restarts ?? 1) > 1 ? await restartQueue(o, (l) => progress.note(l)) : null;
  const hooks: TrainHooks = {
    signal: controller.signal, onEpochEnd: (r: EpochRecord) => { progress.epoch(r); },
    ...(progress.mode === 'quiet' ? {} : { onBatchEnd: (b: BatchInfo) => { progress.batch(b); } }),
    checkSpec: (spec) => { checkModelMemory(spec, o.batchSize, `--hidden ${o.hidden.join(',')}`); },
    ...((o.restarts ?? 1) > 1 ? { runner: queue?.runner ?? parallelRunner() } : {}),
    ...(threads > 1 ? { backend: backendForThreads(threads) } : {}),
    ...checkpointOptions(o),
  };
  // Restarts run elsewhere: the kept run's epochs are told when all have ended.
  progress.trainStart(o.epochs, { replayed: (o.restarts ?? 1) > 1 });
  try {
    const out = await trainHeldOut(table, options, holdOut, hooks);
    if (queue !== null) progress.note(queue.summary());
    const r = out.pipeline.summary?.restarts;
    if (r !== undefined) {
      const losses = r.valLosses.map((v) => v.toPrecision(4)).join(', ');
      progress.note(r.kept === 'all' ? `ensemble: kept all ${r.valLosses.length} runs, predictions are their mean (validation losses ${losses})` : `restarts: kept run ${r.kept + 1} of ${r.valLosses.length} (validation losses ${losses})`);
    }
    return out;
  } catch (e) {
    progress.phaseDone('failed');
    throw asCliError(e);
  } finally {
    stopOnInterrupt();
    progress.trainDone();
  }
}

function checkpointOptions(o: TrainOptions): Pick<TrainHooks, 'checkpoint' | 'resumeFrom' | 'resumeForce'> {
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
    ...(o.force === true ? { resumeForce: true } : {}),
  };
}

/**
 * Permutation importance (per original column), saliency and partial dependence for the report, on at
 * most 2,000 of the held-out rows (of the training rows when nothing is held out; the report says which).
 */
function interpretationOf(p: Pipeline, rows: Table, setName: string): ReportInterpretation {
  const scorer = lenientFor(p, rows);
  const n = Math.min(rows.rows, 2000);
  const some = n === rows.rows ? rows : takeTableRows(rows, Int32Array.from({ length: n }, (_, i) => i));
  const prep = scorer.preprocessor;
  return interpretModel(p.model, prep.transform(some, 'float32'), prep.transformTarget(some, 'float32').y, {
    setName: n === rows.rows ? setName : `${n} of ${setName}`, featureNames: prep.featureNames, target: targetForInterpretation(prep.target),
    features: prep.featureSteps(), groups: prep.groups,
  }).report;
}

/** The decision boundary of a classifier on two numeric features, with every row of the file drawn. */
function boundaryOf(p: Pipeline, table: Table): ReportBoundary | undefined {
  const prep = p.preprocessor;
  const cols = prep.columns;
  if (prep.task === 'regression' || cols.length !== 2 || cols.some((c) => c.type !== 'number')) return undefined;
  const c1 = table.columns.find((c) => c.name === cols[0]!.name);
  const c2 = table.columns.find((c) => c.name === cols[1]!.name);
  if (c1?.type !== 'number' || c2?.type !== 'number') return undefined;
  return {
    names: [c1.name, c2.name], x1: c1.values, x2: c2.values, labels: prep.transformTarget(table).classIndex!,
    // The grid's points as a table of the two raw columns, through the pipeline like any rows.
    predictClass: (rows) => p.predict(tableFromColumns({
      [c1.name]: Float64Array.from(rows, (r) => r[0]), [c2.name]: Float64Array.from(rows, (r) => r[1]),
    }, { source: 'the decision-boundary grid' })).classIndex!,
  };
}

/** Predictions against the truth on some rows, as the report draws them. */
function reportEvaluation(t: Pipeline['preprocessor']['target'], setName: string, ev: HeldOutOutcome['training']): ReportEvaluation {
  return t.task === 'regression'
    ? { setName, actual: ev.truth.values!, predicted: ev.predictions.values!, metrics: ev.metrics }
    : { setName, actual: ev.truth.classIndex!, predicted: ev.predictions.classIndex!, metrics: ev.metrics };
}

async function reportFor(o: HeldOutOutcome, table: Table, dataName: string, findings: readonly Finding[]): Promise<string> {
  const p = o.pipeline;
  const prep = p.preprocessor;
  const t = prep.target;
  const boundary = boundaryOf(p, table);
  const { buildReport } = await import('../src/report/report.js');
  const trainName = `the ${o.split.train.rows} training rows of ${dataName}`;
  const scored = o.heldOut === null ? { name: `${trainName} (nothing held out)`, rows: o.split.train, ev: o.training } : { name: heldOutName(o.heldOut.table), rows: o.heldOut.table, ev: o.heldOut.evaluation };
  return buildReport({
    title: `mlpkit: ${t.task === 'regression' ? t.names.join(', ') : t.name} from ${dataName}`, model: p.model, history: o.history, task: t.task,
    ...(t.task === 'regression' ? { outputs: [...t.names] } : { classes: t.classes.map(String) }),
    x: o.x,
    evaluation: reportEvaluation(t, scored.name, scored.ev),
    ...(o.heldOut === null ? {} : { trainingEvaluation: reportEvaluation(t, trainName, o.training) }),
    ...(boundary === undefined ? {} : { boundary }),
    interpretation: interpretationOf(p, scored.rows, scored.name),
    facts: [
      ['data', `${dataName}: ${table.rows} rows, ${table.columns.length} columns; ${o.heldOut === null ? 'nothing held out' : heldOutFact(o.heldOut.table)}`],
      ['features', prep.featureSummary],
      ['backend', ((b) => `${b.name} (${b.detail})`)(backendInfo())],
    ],
    ...(p.options === null ? {} : { hyperparameters: { ...p.options } }),
    version: VERSION, featureNames: prep.featureNames, diagnosis: findings,
    ...(p.calibration === null ? {} : {
      uncertainty: { level: p.calibration.level, calibrationRows: p.calibration.rows, ...(o.heldOut?.coverage == null ? {} : { ...o.heldOut.coverage, setName: scored.name }) },
    }),
  });
}

/**
 * The training options of the workflow: one name, one default and one check per option, read by every
 * door (the command turns flags into these, the estimators turn scikit-learn's names into these, the
 * playground turns its controls into these). Unknown options are refused with "did you mean".
 */

import { isActivationName, type ActivationName } from '../activations.js';
import { isInitName, type InitName } from '../init.js';
import type { LossSpec } from '../losses.js';
import { checkLoss } from '../spec.js';
import { checkKeys } from '../options.js';
import type { OptimizerSpec } from '../optim/rules.js';
import { DEFAULT_LEARNING_RATES } from '../optim/optimizer.js';
import { validateSchedule, type ScheduleSpec } from '../optim/schedules.js';
import { PREPROCESSOR_OPTION_NAMES, type PreprocessorOptions } from './preprocessor.js';

/** An optimizer of the training options. */
export type OptimizerName = OptimizerSpec['kind'];
/** Every optimizer the training options name. */
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'lbfgs'];

/** The network a training run builds (its hidden layers, activation, initializer, regularization and loss). */
export interface NetworkOptions {
  /** Units of each hidden layer. Default [32]. */
  readonly hidden?: readonly number[];
  /** Hidden activation. Default 'relu'. */
  readonly activation?: ActivationName;
  readonly init?: InitName;
  readonly batchNorm?: 'before' | 'after';
  readonly dropout?: number;
  /** Standard deviation of Gaussian noise added to the inputs in training. */
  readonly inputNoise?: number;
  readonly l1?: number;
  readonly l2?: number;
  /**
   * A loss name, or a loss with its options (`{ name: 'huber', delta: 0.5 }`), or quantile regression
   * (`{ name: 'quantile', quantiles: [0.05, 0.5, 0.95] }`: one output per τ). Default: the task's (TASKS).
   */
  readonly loss?: TrainLossSpec;
  /**
   * Numeric columns the prediction must rise ('increasing') or fall ('decreasing') with, whatever the
   * other inputs, for every weight training can reach (the monotone construction of src/graph/monotone.ts).
   * For a binary classifier it is the probability of the second class; regression and binary tasks only.
   */
  readonly monotone?: Readonly<Record<string, 'increasing' | 'decreasing'>>;
}

/**
 * Quantile regression of one numeric target: the network has one output per τ, each trained with the
 * pinball loss of its τ (src/losses.ts quantileLoss), so output j estimates the τ_j-quantile of y given x.
 */
export interface QuantileLossSpec { readonly name: 'quantile'; readonly quantiles: readonly number[] }

/** The loss of the training options: the model spec's (LossSpec), or quantile regression with its τ. */
export type TrainLossSpec = LossSpec | QuantileLossSpec;

/** The τ of quantile-regression options, or null when the loss is another. */
export function quantilesOf(loss: TrainLossSpec | undefined): readonly number[] | null {
  return typeof loss === 'object' && loss.name === 'quantile' && 'quantiles' in loss ? loss.quantiles : null;
}

/** How a training run optimizes: optimizer, learning rate, batches, epochs, validation, stopping, restarts and seed. */
export interface OptimizationOptions {
  /** Default 'adam'. */
  readonly optimizer?: OptimizerName;
  /** Default: DEFAULT_LEARNING_RATES[optimizer]. */
  readonly learningRate?: number;
  /** SGD and RMSprop momentum. */
  readonly momentum?: number;
  readonly nesterov?: boolean;
  /** Adam's and AdamW's moment decays and ε (defaults 0.9, 0.999, 1e-8). */
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  readonly schedule?: ScheduleSpec;
  /** Rows per mini-batch. Default 32. */
  readonly batchSize?: number;
  /** Passes over the training rows. Default 200. */
  readonly epochs?: number;
  /** Reshuffle the training rows every epoch. Default true. */
  readonly shuffle?: boolean;
  /** Fraction of the training rows held out for early stopping and restarts. Default 0.2 with ≥ 30 rows, else 0. */
  readonly validation?: number;
  /** Epochs without a validation improvement before stopping (0: off). Default 20 when there is a validation split. */
  readonly earlyStopping?: number;
  /** The improvement of the validation loss that counts for early stopping. Default 0. */
  readonly minDelta?: number;
  /**
   * Stop when the training loss has not improved by more than `tolerance` for `nIterNoChange` epochs
   * (scikit-learn's rule without early stopping); for L-BFGS, `tolerance` is the gradient tolerance.
   */
  readonly tolerance?: number;
  readonly nIterNoChange?: number;
  /** 'balanced', or a weight per class label. */
  readonly classWeight?: 'balanced' | Readonly<Record<string, number>>;
  /**
   * A numeric column of the table holding each row's weight in the loss (finite, ≥ 0; missing cells are
   * refused). It is not a feature, and predicting does not need it.
   */
  readonly sampleWeight?: string;
  /** Train this many networks from seeds seed, seed+1, … and keep the best on validation. Default 1. */
  readonly restarts?: number;
  /** Keep all restarts and average their outputs. */
  readonly ensemble?: boolean;
  /** Train each restart on a bootstrap sample (bagging). */
  readonly bootstrap?: boolean;
  /** Seed of the weights, shuffling, dropout and splits. Default 0. */
  readonly seed?: number;
  /**
   * Calibrate prediction intervals (regression) or prediction sets (classification) at this coverage, e.g.
   * 0.9: CALIBRATION_FRACTION of the rows is set aside from training to calibrate them (split conformal / APS).
   */
  readonly intervals?: number;
}

/** Everything a training run can be told, as plain JSON. */
export interface TrainOptions extends PreprocessorOptions, NetworkOptions, OptimizationOptions {}

const NETWORK_OPTION_NAMES = ['hidden', 'activation', 'init', 'batchNorm', 'dropout', 'inputNoise', 'l1', 'l2', 'loss', 'monotone'] as const;
const OPTIMIZATION_OPTION_NAMES = [
  'optimizer', 'learningRate', 'momentum', 'nesterov', 'beta1', 'beta2', 'epsilon', 'schedule', 'batchSize', 'epochs', 'shuffle', 'validation',
  'earlyStopping', 'minDelta', 'tolerance', 'nIterNoChange',
  'classWeight', 'sampleWeight', 'restarts', 'ensemble', 'bootstrap', 'seed', 'intervals',
] as const;
/** Every training option, in the order model files record them. */
export const TRAIN_OPTION_NAMES: readonly (keyof TrainOptions)[] = [...PREPROCESSOR_OPTION_NAMES, ...NETWORK_OPTION_NAMES, ...OPTIMIZATION_OPTION_NAMES];

/** The defaults every door uses. */
export const TRAIN_DEFAULTS = {
  hidden: [32] as readonly number[],
  activation: 'relu' as ActivationName,
  optimizer: 'adam' as OptimizerName,
  batchSize: 32,
  epochs: 200,
  validationMinRows: 30,
  validation: 0.2,
  earlyStopping: 20,
  seed: 0,
} as const;

const isInt = (v: unknown, min: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min;
const isNum = (v: unknown, lo: number, hi: number): boolean => typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi;

/** Refuse unknown options and values out of range; every message names the option. */
export function checkTrainOptions(o: TrainOptions, where = 'train'): void {
  checkKeys(o, TRAIN_OPTION_NAMES, where);
  const bad = (name: string, v: unknown, want: string): never => {
    throw new Error(`${where}: option ${name} must be ${want}, got ${JSON.stringify(v)}`);
  };
  if (o.hidden !== undefined && (!Array.isArray(o.hidden) || o.hidden.some((u) => !isInt(u, 1)))) bad('hidden', o.hidden, 'a list of integers ≥ 1');
  if (o.activation !== undefined && !isActivationName(o.activation)) bad('activation', o.activation, 'an activation name');
  if (o.init !== undefined && !isInitName(o.init)) bad('init', o.init, 'an initializer name');
  if (o.loss !== undefined) checkTrainLoss(o.loss, `${where}: option loss`);
  if (o.schedule !== undefined) checkSchedule(o.schedule, where);
  if (o.sampleWeight !== undefined && (typeof o.sampleWeight !== 'string' || o.sampleWeight === '')) bad('sampleWeight', o.sampleWeight, 'the name of a column');
  if (o.batchNorm !== undefined && o.batchNorm !== 'before' && o.batchNorm !== 'after') bad('batchNorm', o.batchNorm, "'before' or 'after'");
  if (o.dropout !== undefined && !isNum(o.dropout, 0, 0.99)) bad('dropout', o.dropout, 'in [0, 0.99]');
  for (const k of ['inputNoise', 'l1', 'l2'] as const) if (o[k] !== undefined && !isNum(o[k], 0, 1e6)) bad(k, o[k], 'a number ≥ 0');
  if (o.optimizer !== undefined && !OPTIMIZER_NAMES.includes(o.optimizer)) bad('optimizer', o.optimizer, OPTIMIZER_NAMES.map((n) => `'${n}'`).join(', '));
  if (o.learningRate !== undefined && !isNum(o.learningRate, 1e-12, 1e3)) bad('learningRate', o.learningRate, 'a number in (0, 1000]');
  if (o.momentum !== undefined && !isNum(o.momentum, 0, 0.9999)) bad('momentum', o.momentum, 'in [0, 1)');
  if (o.batchSize !== undefined && !isInt(o.batchSize, 1)) bad('batchSize', o.batchSize, 'an integer ≥ 1');
  if (o.epochs !== undefined && !isInt(o.epochs, 1)) bad('epochs', o.epochs, 'an integer ≥ 1');
  if (o.validation !== undefined && !isNum(o.validation, 0, 0.9)) bad('validation', o.validation, 'a fraction in [0, 0.9]');
  if (o.earlyStopping !== undefined && !isInt(o.earlyStopping, 0)) bad('earlyStopping', o.earlyStopping, 'an integer ≥ 0 (epochs of patience; 0: off)');
  if (o.restarts !== undefined && !isInt(o.restarts, 1)) bad('restarts', o.restarts, 'an integer ≥ 1');
  if (o.nIterNoChange !== undefined && !isInt(o.nIterNoChange, 1)) bad('nIterNoChange', o.nIterNoChange, 'an integer ≥ 1');
  for (const k of ['minDelta', 'tolerance'] as const) if (o[k] !== undefined && !isNum(o[k], 0, 1e6)) bad(k, o[k], 'a number ≥ 0');
  for (const k of ['beta1', 'beta2'] as const) if (o[k] !== undefined && !isNum(o[k], 0, 0.999999)) bad(k, o[k], 'in [0, 1)');
  if (o.epsilon !== undefined && !isNum(o.epsilon, 1e-30, 1)) bad('epsilon', o.epsilon, 'in (0, 1]');
  if (o.seed !== undefined && !(isInt(o.seed, 0) && o.seed < 2 ** 32)) bad('seed', o.seed, 'an integer in [0, 2³²)');
  if (o.monotone !== undefined && (typeof o.monotone !== 'object' || o.monotone === null || Array.isArray(o.monotone)
    || Object.values(o.monotone).some((d) => d !== 'increasing' && d !== 'decreasing'))) bad('monotone', o.monotone, "an object of column names to 'increasing' or 'decreasing'");
  if (o.intervals !== undefined && !isNum(o.intervals, 0.5, 0.999)) bad('intervals', o.intervals, 'a coverage in [0.5, 0.999], e.g. 0.9');
  if (quantilesOf(o.loss) !== null && o.intervals !== undefined) throw new Error(`${where}: option intervals calibrates one prediction per target; a quantile loss already predicts its own band: drop one of them`);
  if (o.ensemble === true && (o.restarts ?? 1) < 2) throw new Error(`${where}: option ensemble keeps all the runs of restarts: give restarts ≥ 2`);
  if (o.bootstrap === true && (o.restarts ?? 1) < 2) throw new Error(`${where}: option bootstrap trains each run of restarts on its own bootstrap sample: give restarts ≥ 2`);
  if (o.scale !== undefined && !['standard', 'minmax', 'none'].includes(o.scale)) bad('scale', o.scale, "'standard', 'minmax' or 'none'");
  if (o.fillValue !== undefined && o.impute !== 'constant') throw new Error(`${where}: option fillValue is the value impute 'constant' fills in: give impute 'constant'`);
  if (o.minFrequency !== undefined && !isInt(o.minFrequency, 0)) bad('minFrequency', o.minFrequency, 'an integer ≥ 0');
  if (o.impute !== undefined && !['mean', 'median', 'most-frequent', 'constant'].includes(o.impute)) bad('impute', o.impute, "'mean', 'median', 'most-frequent' or 'constant'");
  if (o.unknown !== undefined && o.unknown !== 'error' && o.unknown !== 'ignore') bad('unknown', o.unknown, "'error' or 'ignore'");
  if (o.task !== undefined && o.task !== 'classification' && o.task !== 'regression') bad('task', o.task, "'classification' or 'regression'");
}

/** A loss of the model spec, or quantile regression with a list of distinct τ in (0, 1) and nothing else. */
function checkTrainLoss(loss: TrainLossSpec, where: string): void {
  if (typeof loss !== 'object' || loss === null || loss.name !== 'quantile' || !('quantiles' in loss)) { checkLoss(loss, where); return; }
  const { name: _, quantiles, ...rest } = loss as QuantileLossSpec & Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new Error(`${where}: loss 'quantile' has no option '${extra[0]}'; its options: quantiles`);
  checkQuantileList(quantiles, `${where}: quantiles`);
}

/** A list of distinct τ, each strictly between 0 and 1; every message says which entry is wrong. */
export function checkQuantileList(q: unknown, where: string): void {
  if (!Array.isArray(q) || q.length === 0) throw new Error(`${where}: expected a non-empty list of τ in (0, 1), got ${JSON.stringify(q)}`);
  q.forEach((t: unknown, j: number) => {
    if (typeof t !== 'number' || !(t > 0 && t < 1)) throw new Error(`${where}[${j}]: expected a number strictly between 0 and 1, got ${JSON.stringify(t)}`);
    if (q.indexOf(t) !== j) throw new Error(`${where}[${j}]: τ ${t} is listed twice`);
  });
}

/** A schedule spec of a known kind with only its own options, in range. */
function checkSchedule(s: ScheduleSpec, where: string): void {
  try {
    validateSchedule(s);
  } catch (e) {
    throw new Error(`${where}: option schedule: ${(e as Error).message.replace(/^schedule:? /, '')}`);
  }
}

/** The optimizer spec of the options, with the optimizer's default learning rate when none is given. */
export function optimizerOf(o: TrainOptions): OptimizerSpec {
  const kind = o.optimizer ?? TRAIN_DEFAULTS.optimizer;
  if (kind === 'lbfgs') return { kind, ...(o.tolerance === undefined ? {} : { gradientTolerance: o.tolerance }) };
  const learningRate = o.learningRate ?? DEFAULT_LEARNING_RATES[kind];
  const only = (names: readonly (keyof TrainOptions)[], what: string): void => {
    const used = (['momentum', 'nesterov', 'beta1', 'beta2', 'epsilon'] as const).filter((k) => o[k] !== undefined && !names.includes(k));
    if (used.length > 0) throw new Error(`train: option ${used[0]} is not used by the ${kind} optimizer (${what})`);
  };
  const set = <K extends 'momentum' | 'nesterov' | 'beta1' | 'beta2' | 'epsilon'>(k: K): Partial<Pick<TrainOptions, K>> => (o[k] === undefined ? {} : { [k]: o[k] } as Pick<TrainOptions, K>);
  switch (kind) {
    case 'sgd': only(['momentum', 'nesterov'], 'it takes momentum and nesterov'); return { kind, learningRate, ...set('momentum'), ...set('nesterov') };
    case 'rmsprop': only(['momentum', 'epsilon'], 'it takes momentum and epsilon'); return { kind, learningRate, ...set('momentum'), ...set('epsilon') };
    case 'adam': case 'adamw': only(['beta1', 'beta2', 'epsilon'], 'it takes beta1, beta2 and epsilon'); return { kind, learningRate, ...set('beta1'), ...set('beta2'), ...set('epsilon') };
    case 'adagrad': only(['epsilon'], 'it takes epsilon'); return { kind, learningRate, ...set('epsilon') };
  }
}

/** The validation fraction for a table of `rows` rows: as given, else the default when there are enough rows. */
export function validationOf(o: TrainOptions, rows: number): number {
  return o.validation ?? (rows >= TRAIN_DEFAULTS.validationMinRows ? TRAIN_DEFAULTS.validation : 0);
}

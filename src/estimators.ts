/**
 * MLPClassifier and MLPRegressor: scikit-learn's estimators (option names in camelCase) as a thin door
 * into the workflow: scikit-learn's names become the workflow's training options (src/workflow/options.ts),
 * the arrays become a table, and `trainPipeline` does the rest — so an estimator writes and reads the
 * same model file as the command and the library. Unknown options are refused ("did you mean"). Plus the lecture's extras: dropout, batch normalization before or after the
 * non-linearity, restarts against local optima, ensembles, L1, the initializer, and standardization
 * (on by default: a StandardScaler fitted on the training rows and applied again in predict).
 *
 * How scikit-learn's options map onto the engine:
 * - `alpha` is scikit-learn's L2 term, added to each batch's loss as (α / 2m)·Σ‖W‖² with m the rows of
 *   the batch. The engine's penalty is λ·Σ‖W‖² on dense weights (not biases), so λ = α / (2m) for the
 *   classifier (whose log loss equals scikit-learn's). The regressor's loss is the lecture's MSE, twice
 *   scikit-learn's ½·MSE, so there λ = α / m keeps the same balance (the whole objective is 2×
 *   scikit-learn's: same minimizer). m is `batchSize` (the full training set for L-BFGS); scikit-learn's
 *   last, smaller batch of an epoch gets a slightly larger penalty than here.
 * - `tol` / `nIterNoChange`: training stops when the training loss has not improved by more than tol
 *   for nIterNoChange epochs; with `earlyStopping` it watches the validation loss instead (scikit-learn
 *   watches the validation score) and restores the best weights. For L-BFGS, tol is the gradient
 *   tolerance max|gᵢ| ≤ tol (scipy's gtol, as scikit-learn passes it).
 * - `learningRate` ('sgd' only, as scikit-learn): 'constant'; 'invscaling' η₀ / (samples seen + 1)^powerT;
 *   'adaptive' divides η by 5 after nIterNoChange epochs without improvement, down to 1e-6.
 * - Adam's ε sits as in PyTorch (outside the bias-corrected √v̂); scikit-learn's differs while v is tiny.
 * - `randomState` defaults to 0: results are reproducible unless a seed is changed.
 */

import { isActivationName, type ActivationName } from './activations.js';
import type { Model } from './graph/model.js';
import type { InitName } from './init.js';
import { checkLabels, formatLabel, toNumericMatrix, toTargetMatrix, type Label, type NumericMatrix } from './data/matrix-input.js';
import type { ModelFile } from './io/model-file.js';
import { checkKeys } from './options.js';
import type { ScheduleSpec } from './optim/schedules.js';
import type { ReadTableOptions, Table } from './table/types.js';
import { Ensemble } from './train/ensemble.js';
import type { RestartRunner } from './train/restarts.js';
import type { History } from './train/types.js';
import { tableFromColumns, type ColumnValues } from './table/values.js';
import type { TrainOptions } from './workflow/options.js';
import { Pipeline } from './workflow/pipeline.js';
import type { Decoded } from './workflow/preprocessor.js';
import { trainPipeline } from './workflow/train.js';
import { evaluateDecoded } from './workflow/evaluate.js';

/** MLPRegressor's options, as scikit-learn's MLPRegressor in camelCase, plus dropout, batch norm, restarts, ensembles, L1, the initializer and standardization. */
export interface MLPOptions {
  /** Units of each hidden layer. Default [100]. */
  readonly hiddenLayerSizes?: readonly number[];
  /** scikit-learn's 'identity' | 'logistic' | 'tanh' | 'relu', or any activation of the engine. Default 'relu'. */
  readonly activation?: 'logistic' | ActivationName;
  readonly solver?: 'sgd' | 'adam' | 'lbfgs';
  /** L2 strength, scaled as scikit-learn (see the module comment). Default 1e-4. */
  readonly alpha?: number;
  /** Rows per batch; 'auto' is min(200, N). */
  readonly batchSize?: number | 'auto';
  readonly learningRate?: 'constant' | 'invscaling' | 'adaptive';
  /** Default 1e-3. */
  readonly learningRateInit?: number;
  /** Exponent of 'invscaling'. Default 0.5. */
  readonly powerT?: number;
  /** Epochs (iterations for L-BFGS). Default 200. */
  readonly maxIter?: number;
  readonly shuffle?: boolean;
  /** Seed of the initial weights, shuffling, dropout and splits. Default 0. */
  readonly randomState?: number;
  /** Default 1e-4. */
  readonly tol?: number;
  /** Default 0.9. */
  readonly momentum?: number;
  /** Default true. */
  readonly nesterovsMomentum?: boolean;
  readonly earlyStopping?: boolean;
  /** Held out for early stopping, restarts and ensembles. Default 0.1. */
  readonly validationFraction?: number;
  /** Default 10. */
  readonly nIterNoChange?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  // The lecture's extras.
  readonly dropout?: number;
  readonly batchNorm?: 'before' | 'after';
  /** Train this many networks from different seeds and keep the best on validation. */
  readonly restarts?: number;
  /** Keep this many networks from different seeds and average their outputs. */
  readonly ensemble?: number;
  /** Train restarts / ensemble members on bootstrap samples. Default false. */
  readonly bootstrap?: boolean;
  readonly l1?: number;
  readonly init?: InitName;
  /** Standardize the features with the training mean and standard deviation. Default true. */
  readonly standardize?: boolean;
  /** How restarts run (e.g. `parallelRunner()` from the Node entry); sequential by default. */
  readonly runner?: RestartRunner;
}

/** MLPClassifier's options: MLPOptions and class weights. */
export interface MLPClassifierOptions extends MLPOptions {
  /** 'balanced' (N / (C · count)), or a weight per class label. */
  readonly classWeight?: 'balanced' | Readonly<Record<string, number>>;
}

const OPTION_NAMES = [
  'hiddenLayerSizes', 'activation', 'solver', 'alpha', 'batchSize', 'learningRate', 'learningRateInit', 'powerT', 'maxIter', 'shuffle',
  'randomState', 'tol', 'momentum', 'nesterovsMomentum', 'earlyStopping', 'validationFraction', 'nIterNoChange', 'beta1', 'beta2', 'epsilon',
  'dropout', 'batchNorm', 'restarts', 'ensemble', 'bootstrap', 'l1', 'init', 'standardize', 'runner',
] as const;

const isInt = (v: number, min: number): boolean => Number.isInteger(v) && v >= min;

function validate(name: string, o: MLPOptions, known: readonly string[]): void {
  checkKeys(o, known, name);
  const bad = (opt: string, v: unknown, want: string): never => { throw new Error(`${name}: option ${opt} must be ${want}, got ${JSON.stringify(v)}`); };
  const h = o.hiddenLayerSizes ?? [100];
  if (!Array.isArray(h) || h.some((u) => !isInt(u, 1))) bad('hiddenLayerSizes', h, 'a list of integers ≥ 1');
  if (o.activation !== undefined && o.activation !== 'logistic' && !isActivationName(o.activation)) bad('activation', o.activation, "'identity', 'logistic', 'tanh', 'relu' or another activation name");
  if (o.solver !== undefined && !['sgd', 'adam', 'lbfgs'].includes(o.solver)) bad('solver', o.solver, "'sgd', 'adam' or 'lbfgs'");
  if (!((o.alpha ?? 1e-4) >= 0)) bad('alpha', o.alpha, '≥ 0');
  if (o.batchSize !== undefined && o.batchSize !== 'auto' && !isInt(o.batchSize, 1)) bad('batchSize', o.batchSize, "an integer ≥ 1 or 'auto'");
  if (o.learningRate !== undefined && !['constant', 'invscaling', 'adaptive'].includes(o.learningRate)) bad('learningRate', o.learningRate, "'constant', 'invscaling' or 'adaptive'");
  if (!((o.learningRateInit ?? 1e-3) > 0)) bad('learningRateInit', o.learningRateInit, '> 0');
  if (!isInt(o.maxIter ?? 200, 1)) bad('maxIter', o.maxIter, 'an integer ≥ 1');
  if (!isInt(o.nIterNoChange ?? 10, 1)) bad('nIterNoChange', o.nIterNoChange, 'an integer ≥ 1');
  const vf = o.validationFraction ?? 0.1;
  if (!(vf > 0 && vf < 1)) bad('validationFraction', vf, 'in (0, 1)');
  if (!isInt(o.restarts ?? 1, 1)) bad('restarts', o.restarts, 'an integer ≥ 1');
  if (!isInt(o.ensemble ?? 1, 1)) bad('ensemble', o.ensemble, 'an integer ≥ 1');
  if ((o.restarts ?? 1) > 1 && (o.ensemble ?? 1) > 1) throw new Error(`${name}: choose restarts (keep the best) or ensemble (keep all), not both`);
  if (o.dropout !== undefined && !(o.dropout >= 0 && o.dropout < 1)) bad('dropout', o.dropout, 'in [0, 1)');
}

/** scikit-learn's schedule names as the workflow's schedule. */
function scheduleOf(o: MLPOptions): ScheduleSpec | undefined {
  if ((o.solver ?? 'adam') !== 'sgd' || o.learningRate === undefined || o.learningRate === 'constant') return undefined;
  if (o.learningRate === 'invscaling') return { kind: 'invscaling', powerT: o.powerT ?? 0.5, per: 'sample' };
  return { kind: 'plateau', factor: 0.2, patience: o.nIterNoChange ?? 10, minDelta: o.tol ?? 1e-4, minLearningRate: 1e-6 };
}

/** The optimizer part of the workflow options. */
function optimizerOptions(o: MLPOptions): Partial<TrainOptions> {
  const solver = o.solver ?? 'adam';
  if (solver === 'lbfgs') return { optimizer: 'lbfgs', tolerance: o.tol ?? 1e-4 };
  const lr = o.learningRateInit ?? 1e-3;
  if (solver === 'sgd') {
    const momentum = o.momentum ?? 0.9;
    return { optimizer: 'sgd', learningRate: lr, momentum, nesterov: (o.nesterovsMomentum ?? true) && momentum > 0 };
  }
  return { optimizer: 'adam', learningRate: lr, beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999, epsilon: o.epsilon ?? 1e-8 };
}

/**
 * The workflow options for scikit-learn's: `rows` is the table's size (the batch, and so the L2 scaling,
 * depends on the training rows left after the validation split).
 */
export function estimatorTrainOptions(o: MLPOptions, target: string | readonly string[], task: 'classification' | 'regression', rows: number): TrainOptions {
  const solver = o.solver ?? 'adam';
  const vf = o.validationFraction ?? 0.1;
  const runs = Math.max(o.restarts ?? 1, o.ensemble ?? 1);
  const held = o.earlyStopping === true || runs > 1;
  const nTrain = held ? rows - Math.round(vf * rows) : rows;
  const batch = solver === 'lbfgs' ? nTrain : Math.min(o.batchSize === undefined || o.batchSize === 'auto' ? 200 : o.batchSize, nTrain);
  const alpha = o.alpha ?? 1e-4;
  const schedule = scheduleOf(o);
  const patience = o.nIterNoChange ?? 10;
  const tol = o.tol ?? 1e-4;
  const stall = o.earlyStopping === true ? { earlyStopping: patience, minDelta: tol }
    : solver === 'lbfgs' || o.learningRate === 'adaptive' ? { earlyStopping: 0 } : { earlyStopping: 0, tolerance: tol, nIterNoChange: patience };
  return {
    target, task, scale: (o.standardize ?? true) ? 'standard' : 'none', scaleTarget: false,
    hidden: o.hiddenLayerSizes ?? [100], activation: o.activation === undefined ? 'relu' : o.activation === 'logistic' ? 'sigmoid' : o.activation,
    ...(alpha > 0 ? { l2: task === 'regression' ? alpha / batch : alpha / (2 * batch) } : {}),
    ...(o.init === undefined ? {} : { init: o.init }), ...(o.batchNorm === undefined ? {} : { batchNorm: o.batchNorm }),
    ...(o.dropout === undefined ? {} : { dropout: o.dropout }), ...(o.l1 === undefined ? {} : { l1: o.l1 }),
    ...optimizerOptions(o), ...(schedule === undefined ? {} : { schedule }),
    batchSize: batch, epochs: o.maxIter ?? 200, shuffle: o.shuffle ?? true, seed: o.randomState ?? 0,
    validation: held ? vf : 0, ...stall,
    ...(runs > 1 ? { restarts: runs, ...((o.ensemble ?? 1) > 1 ? { ensemble: true } : {}), bootstrap: o.bootstrap ?? false } : {}),
  };
}

/** Target columns to add to a table, with the types to read them as. */
interface TargetColumns {
  readonly columns: Readonly<Record<string, ColumnValues>>;
  readonly types?: ReadTableOptions['types'];
}

/** A validated matrix's columns by name. */
function columnsOf(m: NumericMatrix, names: readonly string[]): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  names.forEach((name, j) => {
    const values = new Float64Array(m.rows);
    for (let r = 0; r < m.rows; r++) values[r] = m.data[r * m.cols + j]!;
    out[name] = values;
  });
  return out;
}

function isTable(x: unknown): x is Table {
  return typeof x === 'object' && x !== null && 'columns' in x && 'source' in x && 'lines' in x;
}

abstract class MLPBase {
  protected readonly options: MLPOptions;
  protected readonly name: string;
  protected pipeline: Pipeline | null = null;
  /** The training history (of the best run with restarts; of member 0 in an ensemble). */
  history: History | null = null;

  protected constructor(name: string, options: MLPOptions, known: readonly string[]) {
    validate(name, options, known);
    this.name = name;
    this.options = options;
  }

  /** The trained network (member 0 of an ensemble). */
  get model(): Model { return this.need('model').model; }

  /** The ensemble, if `ensemble` > 1. */
  get ensembleModel(): Ensemble | null {
    const p = this.pipeline?.predictor;
    return p instanceof Ensemble ? p : null;
  }

  /** The fitted pipeline (preprocessing + network), as every door reads and writes it. */
  get fitted(): Pipeline { return this.need('fitted'); }

  protected need(op: string): Pipeline {
    if (this.pipeline === null) throw new Error(`${this.name}.${op}: call fit first`);
    return this.pipeline;
  }

  /** The feature names seen in training (x1… for a matrix). */
  private featureNames(width: number): string[] {
    return Array.from({ length: width }, (_, j) => `x${j + 1}`);
  }

  /**
   * A table of x (a Table, or rows of numbers checked as a matrix) with extra target columns, built by the
   * table reader's own `tableFromColumns` (given arrays hold values: no spelling of them means missing).
   */
  protected tableOf(x: unknown, op: string, targets: () => TargetColumns, width?: number): Table {
    if (isTable(x)) {
      const extra = targets();
      if (Object.keys(extra.columns).length === 0) return x;
      const added = tableFromColumns(extra.columns, { missing: [], types: extra.types ?? {}, source: x.source }).columns
        .map((c) => ({ ...c, index: x.columns.length + c.index }));
      return { ...x, columns: [...x.columns, ...added] };
    }
    const X = toNumericMatrix(x as NumericMatrix, { what: `${this.name}.${op}: x`, ...(width === undefined ? {} : { cols: width }) });
    const extra = targets();
    return tableFromColumns({ ...columnsOf(X, this.featureNames(X.cols)), ...extra.columns }, { missing: [], types: extra.types ?? {}, source: `${this.name}.${op}: x` });
  }

  /** The width a matrix given to predict must have: the fitted pipeline's numeric columns. */
  protected inputWidth(op: string): number {
    const cols = this.need(op).preprocessor.columns;
    if (cols.some((c) => c.type !== 'number')) throw new Error(`${this.name}.${op}: the model was trained on a table with category columns; pass a Table (readTable, tableFromRows)`);
    return cols.length;
  }

  protected async train(table: Table, target: string | readonly string[], task: 'classification' | 'regression', extra: Partial<TrainOptions> = {}): Promise<void> {
    const options = { ...estimatorTrainOptions(this.options, target, task, table.rows), ...extra };
    try {
      const out = await trainPipeline(table, options, this.options.runner === undefined ? {} : { runner: this.options.runner });
      this.pipeline = out.pipeline;
      this.history = out.history;
    } catch (e) {
      throw new Error(`${this.name}.fit: ${(e as Error).message.replace(/^preprocessing: |^train: /, '')}`);
    }
  }

  protected decoded(x: unknown, op: string): Decoded {
    const p = this.need(op);
    const table = isTable(x) ? x : this.tableOf(x, op, () => ({ columns: {} }), this.inputWidth(op));
    return p.predict(table);
  }

  /** The model file, the same format every door writes. */
  toJSON(): ModelFile {
    return this.need('toJSON').toFile();
  }

  protected restore(json: unknown): void {
    const text = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
    this.pipeline = Pipeline.fromFile(text, this.name);
  }
}

/** A multilayer-perceptron classifier (labels: any numbers or strings, not a mix). */
export class MLPClassifier extends MLPBase {
  constructor(options: MLPClassifierOptions = {}) {
    super('MLPClassifier', options, [...OPTION_NAMES, 'classWeight']);
  }

  /** The class labels in sorted order (the columns of predictProba). */
  get classes(): readonly Label[] {
    const t = this.pipeline?.preprocessor.target;
    return t === undefined || t.task === 'regression' ? [] : t.classes;
  }

  /** Fit on rows x and labels y, or on a Table and the name of its label column. */
  async fit(x: unknown, y: ArrayLike<unknown> | string): Promise<this> {
    const labelName = typeof y === 'string' ? y : 'y';
    const table = this.tableOf(x, 'fit', () => {
      if (typeof y === 'string') return { columns: {} };
      const rows = isTable(x) ? x.rows : (x as ArrayLike<unknown>).length;
      const kind = checkLabels(y, { what: `${this.name}.fit: y`, rows });
      // String labels stay labels, even when they look like numbers ('0', '1').
      return { columns: { [labelName]: Array.from(y as ArrayLike<Label>) }, types: { [labelName]: kind === 'string' ? 'category' : 'number' } };
    });
    const cw = (this.options as MLPClassifierOptions).classWeight;
    if (cw !== undefined && cw !== 'balanced') {
      for (const [k, w] of Object.entries(cw)) if (!(Number.isFinite(w) && w >= 0)) throw new Error(`${this.name}: classWeight[${formatLabel(k)}] must be ≥ 0, got ${w}`);
    }
    await this.train(table, labelName, 'classification', cw === undefined ? {} : { classWeight: cw });
    return this;
  }

  /** Class probabilities, one column per class in `classes` order. */
  predictProba(x: unknown): number[][] {
    const d = this.decoded(x, 'predictProba');
    const k = this.classes.length;
    const rows: number[][] = new Array<number[]>(d.rows);
    for (let r = 0; r < d.rows; r++) rows[r] = Array.from(d.proba!.subarray(r * k, (r + 1) * k));
    return rows;
  }

  predict(x: unknown): Label[] {
    return [...this.decoded(x, 'predict').labels!];
  }

  /** Mean accuracy. */
  score(x: unknown, y: ArrayLike<unknown>): number {
    const pred = this.decoded(x, 'score').labels!;
    checkLabels(y, { what: `${this.name}.score: y`, rows: pred.length });
    let ok = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === y[i]) ok++;
    return ok / pred.length;
  }

  static fromJSON(json: unknown): MLPClassifier {
    const c = new MLPClassifier();
    c.restore(json);
    if (c.classes.length < 2) throw new Error('MLPClassifier: the file holds a regression model; read it with MLPRegressor.fromJSON');
    return c;
  }
}

/** A multilayer-perceptron regressor (MSE loss, identity output; y a vector or a table of targets). */
export class MLPRegressor extends MLPBase {
  constructor(options: MLPOptions = {}) {
    super('MLPRegressor', options, OPTION_NAMES);
  }

  /** Fit on rows x and targets y (a vector, or rows of several targets), or on a Table and its target column name(s). */
  async fit(x: unknown, y: unknown): Promise<this> {
    let names: string[] = ['y'];
    const table = this.tableOf(x, 'fit', () => {
      if (typeof y === 'string' || (Array.isArray(y) && y.length > 0 && y.every((v) => typeof v === 'string') && isTable(x))) return { columns: {} };
      const rows = isTable(x) ? x.rows : (x as ArrayLike<unknown>).length;
      const Y = toTargetMatrix(y as NumericMatrix, { what: `${this.name}.fit: y`, rows });
      names = Y.cols === 1 ? ['y'] : Array.from({ length: Y.cols }, (_, j) => `y${j + 1}`);
      return { columns: columnsOf(Y, names) };
    });
    const target = typeof y === 'string' ? y : isTable(x) && Array.isArray(y) && y.every((v) => typeof v === 'string') ? (y as string[]) : names;
    await this.train(table, target, 'regression');
    return this;
  }

  /** Predictions: a vector for one target, else one row per sample. */
  predict(x: unknown): number[] | number[][] {
    const d = this.decoded(x, 'predict');
    const k = d.values!.length / d.rows;
    if (k === 1) return Array.from(d.values!);
    const rows: number[][] = new Array<number[]>(d.rows);
    for (let r = 0; r < d.rows; r++) rows[r] = Array.from(d.values!.subarray(r * k, (r + 1) * k));
    return rows;
  }

  /** R² (averaged uniformly over targets). */
  score(x: unknown, y: unknown): number {
    const p = this.need('score');
    const d = this.decoded(x, 'score');
    const k = d.values!.length / d.rows;
    const Y = toTargetMatrix(y as NumericMatrix, { what: `${this.name}.score: y`, rows: d.rows, cols: k });
    const truth = { y: Y, classIndex: null, values: Float64Array.from(Y.data) };
    return evaluateRegressionR2(p, d, truth);
  }

  static fromJSON(json: unknown): MLPRegressor {
    const r = new MLPRegressor();
    r.restore(json);
    if (r.fitted.task !== 'regression') throw new Error('MLPRegressor: the file holds a classifier; read it with MLPClassifier.fromJSON');
    return r;
  }
}

function evaluateRegressionR2(p: Pipeline, d: Decoded, truth: { y: NumericMatrix; classIndex: null; values: Float64Array }): number {
  return evaluateDecoded(p.preprocessor.target, d, truth).metrics.r2!;
}

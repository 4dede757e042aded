/**
 * MLPClassifier and MLPRegressor: scikit-learn's estimators (option names in camelCase) as thin
 * layers over the graph API — `mlp()` builds the spec, `fit()` trains it, `trainRestarts()` handles
 * restarts and ensembles. Plus the lecture's extras: dropout, batch normalization before or after the
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

import type { ActivationName } from './activations.js';
import { isActivationName } from './activations.js';
import { mlp, type Task } from './graph/builders.js';
import { Model } from './graph/model.js';
import type { InitName } from './init.js';
import type { ModelSpec } from './spec.js';
import { checkLabels, formatLabel, sortedUniqueLabels, toNumericMatrix, toTargetMatrix, type Label, type NumericMatrix } from './data/matrix-input.js';
import { StandardScaler } from './data/scalers.js';
import { ensembleMembersJson, predictorFromFile } from './io/ensemble-file.js';
import type { JsonObject } from './io/json-check.js';
import { modelToFile, parseModelFile, type ModelFile } from './io/model-file.js';
import type { OptimizerSpec } from './optim/rules.js';
import type { ScheduleSpec } from './optim/schedules.js';
import { fit } from './train/fit.js';
import { Ensemble } from './train/ensemble.js';
import { trainRestarts, type RestartFitOptions, type RestartRunner } from './train/restarts.js';
import type { FitOptions, History } from './train/types.js';

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

type Predictor = Model | Ensemble;

const isInt = (v: number, min: number): boolean => Number.isInteger(v) && v >= min;

function validate(name: string, o: MLPOptions): void {
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

/** The options that go into a model file (everything but the runner). */
function jsonOptions(o: MLPOptions): JsonObject {
  const { runner: _runner, ...rest } = o;
  return JSON.parse(JSON.stringify(rest)) as JsonObject;
}

abstract class MLPBase {
  protected readonly options: MLPOptions;
  protected readonly name: string;
  protected scaler: StandardScaler | null = null;
  protected predictor: Predictor | null = null;
  protected nFeatures = 0;
  /** The training history (of the best run with restarts; of member 0 in an ensemble). */
  history: History | null = null;

  protected constructor(name: string, options: MLPOptions) {
    validate(name, options);
    this.name = name;
    this.options = options;
  }

  /** The trained network (member 0 of an ensemble). */
  get model(): Model {
    const p = this.need('model');
    return p instanceof Ensemble ? p.members[0]! : p;
  }

  /** The ensemble, if `ensemble` > 1. */
  get ensembleModel(): Ensemble | null { return this.predictor instanceof Ensemble ? this.predictor : null; }

  protected need(op: string): Predictor {
    if (this.predictor === null) throw new Error(`${this.name}.${op}: call fit first`);
    return this.predictor;
  }

  protected features(x: unknown, op: string, fitting: boolean): NumericMatrix {
    const X = toNumericMatrix(x as NumericMatrix, { what: `${this.name}.${op}: x`, ...(fitting ? {} : { cols: this.nFeatures }) });
    if (!fitting && this.scaler !== null) return this.scaler.transform(X);
    return X;
  }

  /** Build, train (with restarts or an ensemble if asked) and keep the predictor. */
  protected async train(X: NumericMatrix, Y: NumericMatrix, task: Task, outputs: number, classWeights?: readonly number[]): Promise<void> {
    const o = this.options;
    this.nFeatures = X.cols;
    let Xs = X;
    if (o.standardize ?? true) {
      this.scaler = new StandardScaler().fit(X);
      Xs = this.scaler.transform(X);
    } else this.scaler = null;
    const solver = o.solver ?? 'adam';
    const n = X.rows;
    const vf = o.validationFraction ?? 0.1;
    const runs = Math.max(o.restarts ?? 1, o.ensemble ?? 1);
    const nTrain = o.earlyStopping === true || runs > 1 ? n - Math.round(vf * n) : n;
    const batch = solver === 'lbfgs' ? nTrain : Math.min(o.batchSize === undefined || o.batchSize === 'auto' ? 200 : o.batchSize, nTrain);
    const alpha = o.alpha ?? 1e-4;
    const l2 = task === 'regression' ? alpha / batch : alpha / (2 * batch);
    const activation: ActivationName = o.activation === undefined ? 'relu' : o.activation === 'logistic' ? 'sigmoid' : o.activation;
    const spec: ModelSpec = mlp({
      inputSize: X.cols, outputSize: outputs, task, hidden: o.hiddenLayerSizes ?? [100], activation, l2,
      ...(o.init === undefined ? {} : { init: o.init }),
      ...(o.batchNorm === undefined ? {} : { batchNorm: o.batchNorm }),
      ...(o.dropout === undefined ? {} : { dropout: o.dropout }),
      ...(o.l1 === undefined ? {} : { l1: o.l1 }),
    });
    const lr = o.learningRateInit ?? 1e-3;
    const optimizer: OptimizerSpec = solver === 'lbfgs' ? { kind: 'lbfgs', gradientTolerance: o.tol ?? 1e-4 }
      : solver === 'sgd' ? { kind: 'sgd', learningRate: lr, momentum: o.momentum ?? 0.9, nesterov: (o.nesterovsMomentum ?? true) && (o.momentum ?? 0.9) > 0 }
      : { kind: 'adam', learningRate: lr, beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999, epsilon: o.epsilon ?? 1e-8 };
    const adaptive = solver === 'sgd' && o.learningRate === 'adaptive';
    const schedule: ScheduleSpec = solver !== 'sgd' || o.learningRate === undefined || o.learningRate === 'constant' ? { kind: 'constant' }
      : o.learningRate === 'invscaling' ? { kind: 'invscaling', powerT: o.powerT ?? 0.5, per: 'sample' }
      : { kind: 'plateau', factor: 0.2, patience: o.nIterNoChange ?? 10, minDelta: o.tol ?? 1e-4, minLearningRate: 1e-6 };
    const tol = o.tol ?? 1e-4;
    const patience = o.nIterNoChange ?? 10;
    const base: RestartFitOptions = {
      epochs: o.maxIter ?? 200, batchSize: batch, optimizer, schedule, shuffle: o.shuffle ?? true,
      ...(classWeights === undefined ? {} : { classWeights }),
      ...(o.earlyStopping === true ? { earlyStopping: { patience, minDelta: tol } }
        : solver === 'lbfgs' || adaptive ? {} : { tolerance: tol, nIterNoChange: patience }),
    };
    const y = Y;
    const seed = o.randomState ?? 0;
    if (runs > 1) {
      const out = await trainRestarts(spec, { x: Xs, y }, base, {
        runs, seed, bootstrap: o.bootstrap ?? false, validation: { fraction: vf }, ...(o.runner === undefined ? {} : { runner: o.runner }),
      });
      this.predictor = (o.ensemble ?? 1) > 1 ? out.ensemble : out.model;
      this.history = out.runs[(o.ensemble ?? 1) > 1 ? 0 : out.best]!.history;
      return;
    }
    const model = new Model(spec, { seed });
    const fo: FitOptions = { ...base, seed, ...(o.earlyStopping === true ? { validation: { fraction: vf } } : {}) };
    this.history = await fit(model, { x: Xs, y }, fo);
    this.predictor = model;
  }

  /** Raw network outputs for standardized rows. */
  protected outputs(x: unknown, op: string): NumericMatrix {
    const p = this.need(op);
    const X = this.features(x, op, false);
    return p.predict(X);
  }

  protected fileExtras(task: Task, classes?: readonly Label[]): Pick<ModelFile, 'task' | 'classes' | 'preprocessing' | 'training'> {
    const p = this.need('toJSON');
    const members = p instanceof Ensemble ? ensembleMembersJson(p) : [];
    return {
      task,
      ...(classes === undefined ? {} : { classes }),
      preprocessing: { nFeatures: this.nFeatures, scaler: this.scaler === null ? null : JSON.parse(JSON.stringify(this.scaler.toJSON())) as JsonObject },
      training: {
        estimator: this.name, options: jsonOptions(this.options),
        epochs: this.history?.epochs.length ?? 0, stopReason: this.history?.stopReason ?? 'maxEpochs',
        ensembleMembers: members,
      },
    };
  }

  protected restore(json: unknown): ModelFile {
    const text = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
    const file = parseModelFile(text, this.name);
    const predictor = predictorFromFile(file, { source: this.name });
    const model = predictor instanceof Ensemble ? predictor.members[0]! : predictor;
    const pre = file.preprocessing ?? {};
    const nf = pre.nFeatures;
    if (typeof nf !== 'number' || nf !== model.inputSize) throw new Error(`${this.name}: $.preprocessing.nFeatures must be ${model.inputSize}, got ${JSON.stringify(nf)}`);
    this.nFeatures = nf;
    this.scaler = pre.scaler === null || pre.scaler === undefined ? null : StandardScaler.fromJSON(pre.scaler);
    this.predictor = predictor;
    return file;
  }
}

/** A multilayer-perceptron classifier (labels: any numbers or strings, not a mix). */
export class MLPClassifier extends MLPBase {
  private labels: Label[] = [];

  constructor(options: MLPClassifierOptions = {}) {
    super('MLPClassifier', options);
  }

  /** The class labels in sorted order (the columns of predictProba). */
  get classes(): readonly Label[] { return this.labels; }

  async fit(x: unknown, y: ArrayLike<unknown>): Promise<this> {
    const X = this.features(x, 'fit', true);
    checkLabels(y, { what: `${this.name}.fit: y`, rows: X.rows });
    const labels = y as ArrayLike<Label>;
    const classes = sortedUniqueLabels(labels);
    if (classes.length < 2) throw new Error(`${this.name}.fit: y has a single class (${formatLabel(classes[0]!)}); a classifier needs at least two`);
    this.labels = classes;
    const index = new Map(classes.map((c, i) => [c, i]));
    const k = classes.length;
    const outputs = k === 2 ? 1 : k;
    const Y = new Float64Array(X.rows * outputs);
    for (let i = 0; i < X.rows; i++) {
      const c = index.get(labels[i]!)!;
      if (k === 2) Y[i] = c; else Y[i * k + c] = 1;
    }
    const cw = (this.options as MLPClassifierOptions).classWeight;
    let weights: number[] | undefined;
    if (cw === 'balanced') {
      const counts = new Array<number>(k).fill(0);
      for (let i = 0; i < X.rows; i++) counts[index.get(labels[i]!)!]!++;
      weights = counts.map((c) => X.rows / (k * c));
    } else if (cw !== undefined) {
      weights = classes.map((c) => {
        const w = cw[String(c)];
        if (w === undefined) return 1;
        if (!(Number.isFinite(w) && w >= 0)) throw new Error(`${this.name}: classWeight[${formatLabel(c)}] must be ≥ 0, got ${w}`);
        return w;
      });
      for (const key of Object.keys(cw)) if (!classes.some((c) => String(c) === key)) throw new Error(`${this.name}: classWeight names class ${JSON.stringify(key)}, which is not in y`);
    }
    await this.train(X, { rows: X.rows, cols: outputs, data: Y }, k === 2 ? 'binary' : 'multiclass', outputs, weights);
    return this;
  }

  /** Class probabilities, one column per class in `classes` order. */
  predictProba(x: unknown): number[][] {
    return this.proba(x, 'predictProba');
  }

  private proba(x: unknown, op: string): number[][] {
    const out = this.outputs(x, op);
    const rows: number[][] = [];
    for (let i = 0; i < out.rows; i++) {
      if (out.cols === 1) { const p = out.data[i]!; rows.push([1 - p, p]); } else rows.push(Array.from(out.data.subarray(i * out.cols, (i + 1) * out.cols)));
    }
    return rows;
  }

  predict(x: unknown): Label[] {
    return this.labelsOf(x, 'predict');
  }

  private labelsOf(x: unknown, op: string): Label[] {
    return this.proba(x, op).map((p) => {
      let best = 0;
      for (let j = 1; j < p.length; j++) if (p[j]! > p[best]!) best = j;
      return this.labels[best]!;
    });
  }

  /** Mean accuracy. */
  score(x: unknown, y: ArrayLike<unknown>): number {
    const pred = this.labelsOf(x, 'score');
    checkLabels(y, { what: `${this.name}.score: y`, rows: pred.length });
    let ok = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === y[i]) ok++;
    return ok / pred.length;
  }

  toJSON(): ModelFile {
    return modelToFile(this.model, this.fileExtras(this.labels.length === 2 ? 'binary' : 'multiclass', this.labels));
  }

  static fromJSON(json: unknown): MLPClassifier {
    const text = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
    const options = ((text as ModelFile).training?.options ?? {}) as MLPClassifierOptions;
    const c = new MLPClassifier(options);
    const file = c.restore(text);
    if (file.classes === undefined || file.classes.length < 2) throw new Error('MLPClassifier: $.classes must list at least two class labels');
    c.labels = [...file.classes];
    return c;
  }
}

/** A multilayer-perceptron regressor (MSE loss, identity output; y a vector or a table of targets). */
export class MLPRegressor extends MLPBase {
  constructor(options: MLPOptions = {}) {
    super('MLPRegressor', options);
  }

  async fit(x: unknown, y: unknown): Promise<this> {
    const X = this.features(x, 'fit', true);
    const Y = toTargetMatrix(y as NumericMatrix, { what: `${this.name}.fit: y`, rows: X.rows });
    await this.train(X, Y, 'regression', Y.cols);
    return this;
  }

  /** Predictions: a vector for one target, else one row per sample. */
  predict(x: unknown): number[] | number[][] {
    const out = this.outputs(x, 'predict');
    if (out.cols === 1) return Array.from(out.data);
    const rows: number[][] = [];
    for (let i = 0; i < out.rows; i++) rows.push(Array.from(out.data.subarray(i * out.cols, (i + 1) * out.cols)));
    return rows;
  }

  /** R² (averaged uniformly over targets). */
  score(x: unknown, y: unknown): number {
    const out = this.outputs(x, 'score');
    const Y = toTargetMatrix(y as NumericMatrix, { what: `${this.name}.score: y`, rows: out.rows, cols: out.cols });
    let total = 0;
    for (let j = 0; j < Y.cols; j++) {
      let mean = 0;
      for (let i = 0; i < Y.rows; i++) mean += Y.data[i * Y.cols + j]!;
      mean /= Y.rows;
      let ssRes = 0, ssTot = 0;
      for (let i = 0; i < Y.rows; i++) {
        const t = Y.data[i * Y.cols + j]!;
        ssRes += (t - out.data[i * Y.cols + j]!) ** 2;
        ssTot += (t - mean) ** 2;
      }
      total += ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot;
    }
    return total / Y.cols;
  }

  toJSON(): ModelFile {
    return modelToFile(this.model, this.fileExtras('regression'));
  }

  static fromJSON(json: unknown): MLPRegressor {
    const text = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
    const r = new MLPRegressor(((text as ModelFile).training?.options ?? {}) as MLPOptions);
    r.restore(text);
    return r;
  }
}

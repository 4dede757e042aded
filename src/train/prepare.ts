/**
 * fit's preparation: the data checked and copied into the model's dtype, class labels encoded as the
 * output layer's targets, the validation split (data/splits.ts, stratified for classifiers) and the
 * class weights folded into the sample weights.
 */

import type { Model } from '../graph/model.js';
import type { Rng } from '../rng.js';
import { toNumericMatrix, toTargetMatrix, checkLabels, sortedUniqueLabels, formatLabel, type Label, type MatrixInput, type NumericMatrix } from '../data/matrix-input.js';
import { LabelEncoder } from '../data/encoders.js';
import { takeMatrixRows, trainTestSplit } from '../data/splits.js';
import { TASKS, decodeLabels } from '../workflow/tasks.js';
import type { FitData } from './types.js';

export interface Prepared {
  readonly x: NumericMatrix;
  readonly y: NumericMatrix;
  readonly w: Float64Array | null;
}

/** Whether the model's loss is a classifier's (its outputs are class scores). */
export function isClassifier(model: Model): boolean {
  return Object.values(TASKS).some((t) => t.classifier && t.loss === model.lossFn.name);
}

/** The number of classes a classifier's output layer stands for: 2 for one sigmoid unit, else its width. */
export function classCount(model: Model): number {
  return model.outputSize === 1 ? 2 : model.outputSize;
}

function isRowLike(r: unknown): boolean {
  return Array.isArray(r) || (ArrayBuffer.isView(r) && !(r instanceof DataView));
}

/** A flat vector (numbers or strings), as opposed to rows or a matrix. */
function isLabelVector(y: FitData['y']): y is ArrayLike<Label> {
  if (!isRowLike(y) || !('length' in y)) return false;
  return y.length === 0 || !isRowLike(y[0]);
}

/** A flat numeric vector of probabilities for one sigmoid output (values in [0, 1], some fractional). */
function isSoftBinary(y: ArrayLike<Label>): boolean {
  let fractional = false;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) return false;
    if (v !== 0 && v !== 1) fractional = true;
  }
  return fractional;
}

/** The classes of a label vector for `model`: sorted labels, checked against the output width. */
function classesOf(model: Model, y: ArrayLike<Label>, what: string): Label[] {
  const found = sortedUniqueLabels(y);
  const k = classCount(model);
  // A 0/1 vector with one class missing is still the binary model's two classes.
  if (k === 2 && found.every((l) => l === 0 || l === 1)) return [0, 1];
  if (found.length === k) return found;
  const list = found.length <= 10 ? found.map(formatLabel).join(', ') : `${found.slice(0, 10).map(formatLabel).join(', ')}, …`;
  const shape = model.outputSize === 1 ? 'one sigmoid output (a binary classifier: 2 classes)' : `${model.outputSize} outputs (${k} classes)`;
  const fix = found.length === 2 ? 'a binary model (one output)' : `a multiclass model with ${found.length} outputs`;
  throw new Error(`${what}: ${found.length} distinct class label${found.length === 1 ? '' : 's'} (${list}) but the model has ${shape}; build ${fix}, or pass one-hot rows`);
}

/** Targets of a classifier from labels: the 0/1 column (binary) or one-hot rows (multiclass). */
function encodeLabels(model: Model, y: ArrayLike<Label>, classes: readonly Label[], what: string): NumericMatrix {
  const codes = LabelEncoder.fromJSON({ kind: 'label', classes }).transform(y, what);
  const k = model.outputSize;
  const n = codes.length;
  const data = model.dtype === 'float64' ? new Float64Array(n * k) : new Float32Array(n * k);
  if (k === 1) for (let i = 0; i < n; i++) data[i] = codes[i]!;
  else for (let i = 0; i < n; i++) data[i * k + codes[i]!] = 1;
  return { rows: n, cols: k, data };
}

/** The classes of one-hot rows (0..C−1) or of a 0–1 column ([0, 1]). */
function indexClasses(model: Model): Label[] {
  return Array.from({ length: classCount(model) }, (_, i) => i);
}

/**
 * A classifier's targets and classes from labels or one-hot rows; a regression model's targets.
 * `classes` (from the training data) encodes validation labels the same way.
 */
function prepareTargets(model: Model, y: FitData['y'], rows: number, what: string, classes: readonly Label[] | null): { y: NumericMatrix; classes: Label[] | null } {
  const opts = { what, dtype: model.dtype, cols: model.outputSize, rows };
  if (!isClassifier(model)) return { y: toTargetMatrix(numeric(y, what), opts), classes: null };
  if (isLabelVector(y) && !(model.outputSize === 1 && isSoftBinary(y))) {
    checkLabels(y, { what, rows });
    const cls = classes === null ? classesOf(model, y, what) : [...classes];
    return { y: encodeLabels(model, y, cls, what), classes: cls };
  }
  return { y: toTargetMatrix(numeric(y, what), opts), classes: classes === null ? indexClasses(model) : [...classes] };
}

/** y as numbers for a regression or one-hot target (strings are labels, for classifiers only). */
function numeric(y: FitData['y'], what: string): MatrixInput | ArrayLike<number> {
  if (!isLabelVector(y)) return y;
  if (allNumbers(y)) return y;
  const i = Array.from({ length: y.length }, (_, r) => r).find((r) => typeof y[r] === 'string') ?? 0;
  throw new Error(`${what}: row ${i} is the string ${JSON.stringify(y[i])}; a regression target must be a number (class labels need a classifier: binary or categorical cross-entropy)`);
}

function allNumbers(y: ArrayLike<Label>): y is ArrayLike<number> {
  for (let i = 0; i < y.length; i++) if (typeof y[i] === 'string') return false;
  return true;
}

export interface PreparedData extends Prepared {
  readonly classes: Label[] | null;
}

/** Validate and copy a data set into the model's dtype; errors name the argument, row and column. */
export function prepareData(model: Model, data: FitData, what: string, classes: readonly Label[] | null = null): PreparedData {
  const x = toNumericMatrix(data.x, { what: `${what}.x`, dtype: model.dtype, cols: model.inputSize });
  const t = prepareTargets(model, data.y, x.rows, `${what}.y`, classes);
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
  return { x, y: t.y, w, classes: t.classes };
}

/** The given rows of a prepared set (in index order). */
export function takePrepared(p: Prepared, idx: Int32Array): Prepared {
  let w: Float64Array | null = null;
  if (p.w !== null) { const src = p.w; w = new Float64Array(idx.length); for (let s = 0; s < idx.length; s++) w[s] = src[idx[s]!]!; }
  return { x: takeMatrixRows(p.x, idx), y: takeMatrixRows(p.y, idx), w };
}

/**
 * Hold out a fraction of the rows, seeded, by trainTestSplit; for a classifier stratified by class
 * (each class gives its share, so a small class is not missing from validation).
 */
export function splitFraction(model: Model, p: Prepared, fraction: number, rng: Rng, what = 'fit: validation.fraction'): { train: Prepared; val: Prepared } {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`${what} must be in (0, 1), got ${fraction}`);
  const stratify = isClassifier(model) ? decodeLabels(p.y) : undefined;
  const s = trainTestSplit(p.x.rows, rng, { testSize: fraction, what, ...(stratify === undefined ? {} : { stratify }) });
  return { train: takePrepared(p, s.train), val: takePrepared(p, s.test) };
}

/** Multiply each row's sample weight by its class's weight ('balanced': N / (C · count_c)). */
export function applyClassWeights(model: Model, p: Prepared, cw: readonly number[] | 'balanced'): Prepared {
  if (!isClassifier(model)) throw new Error('fit: classWeights need a classification loss (binary or categorical cross-entropy)');
  const cls = decodeLabels(p.y);
  const k = classCount(model);
  let weights: number[];
  if (cw === 'balanced') {
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < cls.length; i++) counts[cls[i]!]!++;
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

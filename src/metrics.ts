/**
 * Evaluation metrics, with scikit-learn's definitions and conventions.
 *
 * Labels are numbers or strings (all of one kind per call); predictions and scores are plain or
 * typed arrays. Sums accumulate in float64. Every function checks lengths and names the argument.
 */

import { checkLabels, compareLabels, describeValue, formatLabel, sortedUniqueLabels } from './data/matrix-input.js';
import type { Label } from './data/matrix-input.js';

function checkPair(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, fn: string): void {
  const kt = checkLabels(yTrue, { what: `${fn}: yTrue` });
  const kp = checkLabels(yPred, { what: `${fn}: yPred`, rows: yTrue.length });
  if (kt !== kp) {
    throw new Error(`${fn}: yTrue holds ${kt}s but yPred holds ${kp}s; encode both the same way (e.g. with one LabelEncoder)`);
  }
}

function checkNumbers(a: ArrayLike<number>, what: string, n?: number): void {
  if (a === null || typeof a !== 'object' || typeof a.length !== 'number') throw new Error(`${what}: expected an array of numbers`);
  if (a.length === 0) throw new Error(`${what}: no values (empty data)`);
  if (n !== undefined && a.length !== n) throw new Error(`${what}: has ${a.length} values, expected ${n} (as many as yTrue)`);
  for (let i = 0; i < a.length; i++) {
    const v: unknown = a[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${what}: row ${i} is ${describeValue(v)}; expected a finite number`);
  }
}

/** Fraction of rows where the prediction equals the true label. */
export function accuracy(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  checkPair(yTrue, yPred, 'accuracy');
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return hits / yTrue.length;
}

/** Counts of (true label, predicted label) pairs, with the label order of rows and columns. */
export interface ConfusionMatrix {
  /** Row and column order. */
  readonly labels: Label[];
  /** matrix[i][j]: rows of true label i predicted as label j. */
  readonly matrix: number[][];
}

/** The labels a classification metric reports, in order. */
export interface LabelsOption {
  /** The labels to report, in order (default: those in yTrue or yPred, sorted). */
  readonly labels?: readonly Label[];
}

/** Counts of (true, predicted) pairs; rows are true labels, columns predictions (as scikit-learn). */
export function confusionMatrix(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: LabelsOption = {}): ConfusionMatrix {
  checkPair(yTrue, yPred, 'confusionMatrix');
  const labels = options.labels !== undefined ? [...options.labels] : unionLabels(yTrue, yPred);
  if (labels.length === 0) throw new Error('confusionMatrix: labels is empty');
  const pos = new Map(labels.map((l, k) => [l, k]));
  if (pos.size !== labels.length) throw new Error('confusionMatrix: labels has duplicates');
  const matrix = labels.map(() => new Array<number>(labels.length).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const a = pos.get(yTrue[i]!);
    const b = pos.get(yPred[i]!);
    if (a !== undefined && b !== undefined) matrix[a]![b]!++;
  }
  return { labels, matrix };
}

function unionLabels(a: ArrayLike<Label>, b: ArrayLike<Label>): Label[] {
  const s = new Set<Label>(sortedUniqueLabels(a));
  for (const l of sortedUniqueLabels(b)) s.add(l);
  return [...s].sort(compareLabels);
}

/** One class's precision, recall, F1 and support (its number of true rows). */
export interface ClassScores {
  readonly label: Label;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Rows whose true label is this class. */
  readonly support: number;
}

/** Precision, recall and F1 per class, and their macro and support-weighted averages. */
export interface PrecisionRecallF1 {
  readonly perClass: ClassScores[];
  /** Unweighted means over the classes (the classes in yTrue or yPred, or the given labels). */
  readonly macro: { readonly precision: number; readonly recall: number; readonly f1: number };
}

/**
 * Per-class precision tp/(tp+fp), recall tp/(tp+fn), F1 = 2·P·R/(P+R), and their macro averages.
 * A ratio with a zero denominator is 0 (scikit-learn's zero_division=0 without the warning).
 */
export function precisionRecallF1(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: LabelsOption = {}): PrecisionRecallF1 {
  const { labels, matrix } = confusionMatrix(yTrue, yPred, options);
  const k = labels.length;
  const perClass: ClassScores[] = labels.map((label, c) => {
    const tp = matrix[c]![c]!;
    let predicted = 0;
    let actual = 0;
    for (let j = 0; j < k; j++) { predicted += matrix[j]![c]!; actual += matrix[c]![j]!; }
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = actual === 0 ? 0 : tp / actual;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support: actual };
  });
  const mean = (f: (s: ClassScores) => number): number => perClass.reduce((a, s) => a + f(s), 0) / k;
  return { perClass, macro: { precision: mean((s) => s.precision), recall: mean((s) => s.recall), f1: mean((s) => s.f1) } };
}

/** Macro-averaged precision. */
export function precision(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: LabelsOption = {}): number {
  return precisionRecallF1(yTrue, yPred, options).macro.precision;
}

/** Macro-averaged recall. */
export function recall(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: LabelsOption = {}): number {
  return precisionRecallF1(yTrue, yPred, options).macro.recall;
}

/** Macro-averaged F1 (the mean of per-class F1, as scikit-learn's average='macro'). */
export function f1(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: LabelsOption = {}): number {
  return precisionRecallF1(yTrue, yPred, options).macro.f1;
}

/** Mean per-class recall over the classes present in yTrue: accuracy that does not reward the majority class. */
export function balancedAccuracy(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): number {
  const { perClass } = precisionRecallF1(yTrue, yPred);
  const present = perClass.filter((s) => s.support > 0);
  return present.reduce((a, s) => a + s.recall, 0) / present.length;
}

/**
 * Default clip of probabilities in logLoss: the float64 machine epsilon (scikit-learn's eps='auto'),
 * so one confident mistake costs at most −log(2.2e-16) ≈ 36 instead of Infinity.
 */
const LOG_LOSS_EPS = Number.EPSILON;

/** How logLoss clips probabilities. */
export interface LogLossOptions {
  /** Probabilities are clipped to [eps, 1 − eps] (default Number.EPSILON ≈ 2.2e-16). */
  readonly eps?: number;
}

/**
 * Mean cross-entropy −(1/n)·Σ log p(true class).
 * - Binary: `proba` is a vector of P(class 1) and yTrue holds 0 and 1.
 * - Multi-class: `proba` is n rows of k probabilities and yTrue holds class indices 0..k−1
 *   (LabelEncoder's indices). Rows are clipped, then renormalized to sum to 1 (as scikit-learn).
 */
export function logLoss(
  yTrue: ArrayLike<number>, proba: ArrayLike<number> | readonly ArrayLike<number>[], options: LogLossOptions = {},
): number {
  const eps = options.eps ?? LOG_LOSS_EPS;
  if (!(eps > 0 && eps < 0.5)) throw new Error(`logLoss: eps must be in (0, 0.5), got ${eps}`);
  checkNumbers(yTrue, 'logLoss: yTrue');
  const n = yTrue.length;
  if (proba.length !== n) throw new Error(`logLoss: proba has ${proba.length} rows, expected ${n} (as many as yTrue)`);
  const rows: ArrayLike<number>[] = [];
  for (let i = 0; i < n; i++) {
    const r: unknown = proba[i];
    if (typeof r === 'number') rows.push([1 - r, r]);
    else if (Array.isArray(r) || ArrayBuffer.isView(r)) rows.push(r as ArrayLike<number>);
    else throw new Error(`logLoss: proba row ${i} is ${describeValue(r)}; expected a probability or a row of probabilities`);
  }
  const k = rows[0]!.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    if (r.length !== k) throw new Error(`logLoss: proba row ${i} has ${r.length} values, expected ${k} as row 0`);
    const c = yTrue[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= k) {
      throw new Error(`logLoss: yTrue row ${i} is ${c}; expected a class index in 0..${k - 1}`);
    }
    let total = 0;
    for (let j = 0; j < k; j++) {
      const p = r[j]!;
      if (!Number.isFinite(p) || p < 0 || p > 1) throw new Error(`logLoss: proba row ${i}, column ${j} is ${p}; expected a probability in [0, 1]`);
      total += Math.min(Math.max(p, eps), 1 - eps);
    }
    const pc = Math.min(Math.max(r[c]!, eps), 1 - eps) / total;
    sum -= Math.log(pc);
  }
  return sum / n;
}

/** Which class rocAuc counts as positive. */
export interface RocAucOptions {
  /** The positive class (default 1). */
  readonly positive?: Label;
}

/**
 * Area under the ROC curve for a binary problem, from scores where larger means "more positive".
 * Computed as the Mann–Whitney statistic: AUC = (R₊ − n₊(n₊+1)/2)/(n₊·n₋), with R₊ the sum of the
 * positives' ranks and tied scores given their average rank, which counts a tied (positive,
 * negative) pair as one half, exactly as the trapezoidal area under the ROC curve does.
 */
export function rocAuc(yTrue: ArrayLike<Label>, scores: ArrayLike<number>, options: RocAucOptions = {}): number {
  checkLabels(yTrue, { what: 'rocAuc: yTrue' });
  checkNumbers(scores, 'rocAuc: scores', yTrue.length);
  const positive = options.positive ?? 1;
  const labels = sortedUniqueLabels(yTrue);
  if (labels.length > 2) throw new Error(`rocAuc: yTrue has ${labels.length} classes (${labels.map(formatLabel).join(', ')}); rocAuc is for binary problems`);
  if (!labels.includes(positive)) {
    throw new Error(`rocAuc: the positive class ${formatLabel(positive)} is not in yTrue (${labels.map(formatLabel).join(', ')}); set options.positive`);
  }
  if (labels.length < 2) throw new Error('rocAuc: yTrue holds only one class; the area under the ROC curve is undefined');
  const n = yTrue.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPos = 0;
  let nPos = 0;
  for (let s = 0; s < n;) {
    let e = s;
    while (e + 1 < n && scores[order[e + 1]!] === scores[order[s]!]) e++;
    const avgRank = (s + e) / 2 + 1;
    for (let t = s; t <= e; t++) if (yTrue[order[t]!] === positive) { rankSumPos += avgRank; nPos++; }
    s = e + 1;
  }
  const nNeg = n - nPos;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

// ---- Regression ----

/** Flatten a vector or a table of rows (multi-output) to one float64 vector, checking every value. */
function flatten(a: ArrayLike<number> | readonly ArrayLike<number>[], what: string): { values: Float64Array; cols: number } {
  if (a === null || typeof a !== 'object' || typeof a.length !== 'number') throw new Error(`${what}: expected an array of numbers`);
  if (a.length === 0) throw new Error(`${what}: no values (empty data)`);
  const first: unknown = a[0];
  if (typeof first === 'number') {
    checkNumbers(a as ArrayLike<number>, what);
    return { values: Float64Array.from(a as ArrayLike<number>), cols: 1 };
  }
  const rows = a as readonly ArrayLike<number>[];
  const cols = rows[0]!.length;
  const values = new Float64Array(rows.length * cols);
  for (let i = 0; i < rows.length; i++) {
    const r: unknown = rows[i];
    if (!(Array.isArray(r) || ArrayBuffer.isView(r))) throw new Error(`${what}: row ${i} is ${describeValue(r)}; expected a number or a row of numbers`);
    const row = r as ArrayLike<unknown>;
    if (row.length !== cols) throw new Error(`${what}: row ${i} has ${row.length} values, expected ${cols} as row 0`);
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${what}: row ${i}, column ${j} is ${describeValue(v)}; expected a finite number`);
      values[i * cols + j] = v;
    }
  }
  return { values, cols };
}

type Targets = ArrayLike<number> | readonly ArrayLike<number>[];

/** Rows × outputs as the regression metrics take them: the values of one column, or one row per sample. */
export function targetsOf(m: { readonly rows: number; readonly cols: number; readonly data: ArrayLike<number> }): number[] | number[][] {
  if (m.cols === 1) return Array.from(m.data);
  return Array.from({ length: m.rows }, (_, i) => Array.from({ length: m.cols }, (_, j) => m.data[i * m.cols + j]!));
}

function regressionPair(yTrue: Targets, yPred: Targets, fn: string): { t: Float64Array; p: Float64Array; cols: number } {
  const a = flatten(yTrue, `${fn}: yTrue`);
  const b = flatten(yPred, `${fn}: yPred`);
  if (yTrue.length !== yPred.length || a.cols !== b.cols) {
    throw new Error(`${fn}: yTrue is ${yTrue.length} × ${a.cols} but yPred is ${yPred.length} × ${b.cols}`);
  }
  return { t: a.values, p: b.values, cols: a.cols };
}

/** Mean squared error, averaged over rows and outputs. */
export function mse(yTrue: Targets, yPred: Targets): number {
  const { t, p } = regressionPair(yTrue, yPred, 'mse');
  let s = 0;
  for (let i = 0; i < t.length; i++) { const d = t[i]! - p[i]!; s += d * d; }
  return s / t.length;
}

/** Mean absolute error, averaged over rows and outputs. */
export function mae(yTrue: Targets, yPred: Targets): number {
  const { t, p } = regressionPair(yTrue, yPred, 'mae');
  let s = 0;
  for (let i = 0; i < t.length; i++) s += Math.abs(t[i]! - p[i]!);
  return s / t.length;
}

/**
 * Coefficient of determination R² = 1 − Σ(y − ŷ)²/Σ(y − ȳ)², per output then averaged.
 * For a constant yTrue (zero denominator): 1 if the predictions are exact, else 0 (as scikit-learn).
 */
export function r2(yTrue: Targets, yPred: Targets): number {
  const { t, p, cols } = regressionPair(yTrue, yPred, 'r2');
  const n = t.length / cols;
  let total = 0;
  for (let j = 0; j < cols; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += t[i * cols + j]!;
    mean /= n;
    let ssRes = 0;
    let ssTot = 0;
    for (let i = 0; i < n; i++) {
      const y = t[i * cols + j]!;
      ssRes += (y - p[i * cols + j]!) ** 2;
      ssTot += (y - mean) ** 2;
    }
    total += ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot;
  }
  return total / cols;
}

/**
 * Prediction intervals and sets that hold their promise: conformal prediction, distribution-free, with
 * coverage ≥ 1 − α on exchangeable data whatever the model.
 *
 *   split conformal (regression)  scores s_i = |y_i − ŷ_i| / σ_i on a calibration set the model never saw
 *                                 (σ_i = 1, or the ensemble spread at x_i: wider where the members disagree);
 *                                 q = the ⌈(n + 1)(1 − α)⌉-th smallest score; interval ŷ ± q·σ.
 *   CV+ (regression)              Barber, Candès, Ramdas & Tibshirani (2021): K models, each trained without one
 *                                 fold; R_i = |y_i − μ_{−k(i)}(x_i)| out of fold; the interval at x is the
 *                                 ⌊α(n + 1)⌋-th smallest of μ_{−k(i)}(x) − R_i to the ⌈(1 − α)(n + 1)⌉-th
 *                                 smallest of μ_{−k(i)}(x) + R_i. Uses every row for training and calibration;
 *                                 guaranteed ≥ 1 − 2α, in practice close to 1 − α.
 *   APS (classification)          Romano, Sesia & Candès (2020): classes by decreasing probability; score of the
 *                                 true class = mass ranked above it + U·its own probability (U uniform, so the
 *                                 coverage is exact, not just at least); the set keeps the classes whose
 *                                 score ≤ q. A randomized set may be empty (even the top class is doubtful);
 *                                 without randomization the top class is always kept (coverage ≥ 1 − α).
 *                                 Several classes: the model cannot tell them apart.
 *
 * Every calibration is plain JSON (a model file can carry it); predictions in and out are in the units the
 * caller's predictor returns (for a standardized target, undo the scaling first).
 */

import { Rng } from '../rng.js';

/** A split-conformal calibration: the quantile of the calibration scores, plain or scaled by the ensemble spread. */
export interface SplitCalibration {
  readonly kind: 'splitConformal';
  /** Miscoverage: intervals cover 1 − α of new rows. */
  readonly alpha: number;
  /** The conformal quantile of the scores. */
  readonly quantile: number;
  /** Scores divided by the ensemble spread (adaptive width), or plain residuals. */
  readonly scale: 'constant' | 'ensembleSpread';
  readonly rows: number;
}

/** A CV+ calibration: every training row's out-of-fold residual and its fold. */
export interface CvPlusCalibration {
  readonly kind: 'cvPlus';
  readonly alpha: number;
  readonly folds: number;
  /** Out-of-fold absolute residual of every training row, and the fold that row was left out of. */
  readonly residuals: number[];
  readonly foldOf: number[];
}

/** An APS calibration (classification): the quantile of the true classes' scores. */
export interface ApsCalibration {
  readonly kind: 'aps';
  readonly alpha: number;
  readonly quantile: number;
  readonly randomized: boolean;
  readonly rows: number;
}

/** Any calibration, told apart by `kind` (plain JSON). */
export type Calibration = SplitCalibration | CvPlusCalibration | ApsCalibration;

/** Prediction intervals, one lower and one upper bound per row. */
export interface Intervals { readonly lower: Float64Array; readonly upper: Float64Array }

/** Smallest scale an ensemble spread is allowed, relative to the median spread (avoids zero-width intervals). */
const SPREAD_FLOOR = 1e-3;

function checkAlpha(alpha: number, n: number, what: string): void {
  if (!(alpha > 0 && alpha < 1)) throw new Error(`${what}: alpha must be in (0, 1) (coverage 1 − alpha), got ${alpha}`);
  const need = Math.ceil(1 / alpha) - 1;
  if (n < need) throw new Error(`${what}: ${n} calibration rows cannot give coverage ${1 - alpha}; at least ${need} are needed (⌈1/α⌉ − 1)`);
}

function checkLengths(what: string, ...arrays: (ArrayLike<number> | undefined)[]): number {
  const n = arrays[0]!.length;
  for (const a of arrays) if (a !== undefined && a.length !== n) throw new Error(`${what}: lengths differ (${arrays.map((b) => b?.length ?? '-').join(' vs ')})`);
  return n;
}

/** The k-th smallest (1-based) of a copy of `a`; +∞ beyond n, −∞ below 1. */
function kthSmallest(a: ArrayLike<number>, k: number): number {
  if (k > a.length) return Infinity;
  if (k < 1) return -Infinity;
  return Float64Array.from(a).sort()[k - 1]!;
}

/** A floor under the spreads: a fraction of their median, so one unanimous row does not give a zero-width interval. */
function spreadScale(spread: ArrayLike<number>): (i: number) => number {
  const med = kthSmallest(spread, Math.ceil(spread.length / 2));
  const floor = Math.max(SPREAD_FLOOR * med, Number.MIN_VALUE);
  return (i) => Math.max(spread[i]!, floor);
}

/** Split conformal on held-out calibration rows: predictions, true values and, for adaptive widths, the spread. */
export function calibrateSplit(pred: ArrayLike<number>, y: ArrayLike<number>, o: { alpha: number; spread?: ArrayLike<number> }): SplitCalibration {
  const n = checkLengths('calibrateSplit', pred, y, o.spread);
  checkAlpha(o.alpha, n, 'calibrateSplit');
  const sigma = o.spread === undefined ? () => 1 : spreadScale(o.spread);
  const scores = Float64Array.from({ length: n }, (_, i) => Math.abs(y[i]! - pred[i]!) / sigma(i));
  const quantile = kthSmallest(scores, Math.ceil((n + 1) * (1 - o.alpha)));
  return { kind: 'splitConformal', alpha: o.alpha, quantile, scale: o.spread === undefined ? 'constant' : 'ensembleSpread', rows: n };
}

/** Split-conformal intervals around the predictions (widened by the spread when the calibration used it). */
export function splitIntervals(c: SplitCalibration, pred: ArrayLike<number>, spread?: ArrayLike<number>): Intervals {
  if ((c.scale === 'ensembleSpread') !== (spread !== undefined)) {
    throw new Error(`splitIntervals: this calibration uses ${c.scale === 'ensembleSpread' ? 'the ensemble spread: pass it' : 'constant widths: pass no spread'}`);
  }
  const n = checkLengths('splitIntervals', pred, spread);
  const sigma = spread === undefined ? () => 1 : spreadScale(spread);
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  for (let i = 0; i < n; i++) { const h = c.quantile * sigma(i); lower[i] = pred[i]! - h; upper[i] = pred[i]! + h; }
  return { lower, upper };
}

/** CV+ from out-of-fold predictions: `oof[i]` is the prediction for row i of the model trained without its fold. */
export function calibrateCvPlus(oof: ArrayLike<number>, y: ArrayLike<number>, foldOf: ArrayLike<number>, o: { alpha: number }): CvPlusCalibration {
  const n = checkLengths('calibrateCvPlus', oof, y, foldOf);
  checkAlpha(o.alpha, n, 'calibrateCvPlus');
  const folds = Math.max(...Array.from(foldOf)) + 1;
  return {
    kind: 'cvPlus', alpha: o.alpha, folds,
    residuals: Array.from({ length: n }, (_, i) => Math.abs(y[i]! - oof[i]!)), foldOf: Array.from(foldOf),
  };
}

/** CV+ intervals from each fold model's predictions on the new rows (`foldPred[k][j]`: model k, row j). */
export function cvPlusIntervals(c: CvPlusCalibration, foldPred: readonly ArrayLike<number>[]): Intervals {
  if (foldPred.length !== c.folds) throw new Error(`cvPlusIntervals: ${foldPred.length} fold predictions, the calibration has ${c.folds} folds`);
  const m = checkLengths('cvPlusIntervals', ...foldPred);
  const n = c.residuals.length;
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  const lower = new Float64Array(m);
  const upper = new Float64Array(m);
  const kLo = Math.floor(c.alpha * (n + 1));
  const kHi = Math.ceil((1 - c.alpha) * (n + 1));
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      const mu = foldPred[c.foldOf[i]!]![j]!;
      lo[i] = mu - c.residuals[i]!;
      hi[i] = mu + c.residuals[i]!;
    }
    lower[j] = kthSmallest(lo, kLo);
    upper[j] = kthSmallest(hi, kHi);
  }
  return { lower, upper };
}

/** A trained fold model: predictions (one value per row) for rows of x. */
export type FoldPredictor = (x: readonly (readonly number[])[]) => ArrayLike<number>;

/** What cvPlus gives: the calibration and the K fold models its intervals need. */
export interface CvPlusResult {
  readonly calibration: CvPlusCalibration;
  /** The K fold models, in fold order (keep them: intervals need each one's prediction). */
  readonly predictors: FoldPredictor[];
}

/** Train K fold models with `train(rows)` (indices of the rows to train on), then calibrate CV+ out of fold. */
export async function cvPlus(
  x: readonly (readonly number[])[], y: ArrayLike<number>,
  o: { alpha: number; folds?: number; seed?: number; train: (rows: Int32Array) => Promise<FoldPredictor> },
): Promise<CvPlusResult> {
  const n = x.length;
  const k = o.folds ?? 5;
  if (!Number.isInteger(k) || k < 2 || k > n) throw new Error(`cvPlus: folds must be an integer in [2, ${n}], got ${k}`);
  const order = new Rng(o.seed ?? 0).permutation(n);
  const foldOf = new Int32Array(n);
  order.forEach((row, i) => { foldOf[row] = i % k; });
  const oof = new Float64Array(n);
  const predictors: FoldPredictor[] = [];
  for (let f = 0; f < k; f++) {
    const trainRows = Int32Array.from({ length: n }, (_, i) => i).filter((i) => foldOf[i] !== f);
    const predict = await o.train(trainRows);
    const held = Array.from({ length: n }, (_, i) => i).filter((i) => foldOf[i] === f);
    const p = predict(held.map((i) => x[i]!));
    held.forEach((i, j) => { oof[i] = p[j]!; });
    predictors.push(predict);
  }
  return { calibration: calibrateCvPlus(oof, y, foldOf, { alpha: o.alpha }), predictors };
}

/** Classes of one row by decreasing probability (ties by class index). */
function ranked(p: ArrayLike<number>, r: number, k: number): number[] {
  return Array.from({ length: k }, (_, c) => c).sort((a, b) => p[r * k + b]! - p[r * k + a]! || a - b);
}

/** APS score of class `label` in row r: the probability mass ranked above it plus u times its own. */
function apsScore(p: ArrayLike<number>, r: number, k: number, label: number, u: number): number {
  let above = 0;
  for (const c of ranked(p, r, k)) {
    if (c === label) return above + u * p[r * k + c]!;
    above += p[r * k + c]!;
  }
  throw new Error(`aps: class ${label} is not in 0..${k - 1}`);
}

/** APS calibration from class probabilities (rows × k, each row summing to 1) and the true class indices. */
export function calibrateAps(probs: { readonly rows: number; readonly cols: number; readonly data: ArrayLike<number> }, labels: ArrayLike<number>,
  o: { alpha: number; randomized?: boolean; seed?: number }): ApsCalibration {
  const { rows: n, cols: k, data } = probs;
  if (labels.length !== n) throw new Error(`calibrateAps: ${labels.length} labels for ${n} rows of probabilities`);
  checkAlpha(o.alpha, n, 'calibrateAps');
  const randomized = o.randomized ?? true;
  const rng = new Rng(o.seed ?? 0);
  const scores = Float64Array.from({ length: n }, (_, r) => apsScore(data, r, k, labels[r]!, randomized ? rng.uniform() : 1));
  return { kind: 'aps', alpha: o.alpha, quantile: kthSmallest(scores, Math.ceil((n + 1) * (1 - o.alpha))), randomized, rows: n };
}

/** The prediction set of every row (class indices, most probable first); seeded when randomized. */
export function apsSets(c: ApsCalibration, probs: { readonly rows: number; readonly cols: number; readonly data: ArrayLike<number> }, o: { seed?: number } = {}): number[][] {
  const { rows: m, cols: k, data } = probs;
  const rng = new Rng(o.seed ?? 1);
  const sets: number[][] = [];
  for (let r = 0; r < m; r++) {
    const u = c.randomized ? rng.uniform() : 1;
    const set: number[] = [];
    let above = 0;
    for (const cls of ranked(data, r, k)) {
      const p = data[r * k + cls]!;
      // Without randomization the most probable class is always kept (the usual convention: never an empty set).
      if (above + u * p > c.quantile && (c.randomized || set.length > 0)) break;
      set.push(cls);
      above += p;
    }
    sets.push(set);
  }
  return sets;
}

/** The spread of an ensemble: per row and output, the standard deviation of the members' predictions. */
export function ensembleSpread(members: readonly ArrayLike<number>[]): Float64Array {
  if (members.length < 2) throw new Error(`ensembleSpread: needs at least 2 members, got ${members.length}`);
  const n = checkLengths('ensembleSpread', ...members);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const m of members) s += m[i]!;
    const mean = s / members.length;
    let v = 0;
    for (const m of members) v += (m[i]! - mean) ** 2;
    out[i] = Math.sqrt(v / (members.length - 1));
  }
  return out;
}

/** Share of values inside their interval, and the mean width. */
export function intervalCoverage(iv: Intervals, y: ArrayLike<number>): { coverage: number; meanWidth: number } {
  const n = checkLengths('intervalCoverage', iv.lower, iv.upper, y);
  let inside = 0;
  let width = 0;
  for (let i = 0; i < n; i++) {
    if (y[i]! >= iv.lower[i]! && y[i]! <= iv.upper[i]!) inside++;
    width += iv.upper[i]! - iv.lower[i]!;
  }
  return { coverage: inside / n, meanWidth: width / n };
}

/** Share of rows whose set holds the true class, and the mean set size. */
export function setCoverage(sets: readonly (readonly number[])[], labels: ArrayLike<number>): { coverage: number; meanSize: number } {
  if (sets.length !== labels.length) throw new Error(`setCoverage: ${sets.length} sets for ${labels.length} labels`);
  let inside = 0;
  let size = 0;
  sets.forEach((s, i) => { if (s.includes(labels[i]!)) inside++; size += s.length; });
  return { coverage: inside / sets.length, meanSize: size / sets.length };
}

/**
 * Partial dependence (Friedman 2001): the average prediction when one feature is set to a value v for
 * every row, the other features keeping their observed values — PD(v) = (1/N) Σ_i ŷ(v, x_i,−j).
 * The individual curves (ICE) show whether rows agree; their average is the PD curve.
 */

import type { Model } from '../graph/model.js';
import type { MatrixInput, NumericMatrix } from '../data/matrix-input.js';
import { asPredictFn, tableOf, type PredictFn } from './predictor.js';

/** The grid partialDependence evaluates the feature on. */
export interface PartialDependenceOptions {
  /** Grid points between the percentiles (default 20), or the exact values to use. */
  readonly grid?: number | readonly number[];
  /** The grid's range as percentiles of the feature (default [0.05, 0.95]). */
  readonly percentiles?: readonly [number, number];
  /** Keep individual conditional expectation curves for at most this many rows (default 0). */
  readonly ice?: number;
}

/** Partial dependence of the outputs on one feature: the grid of values and the mean prediction at each. */
export interface PartialDependence {
  readonly feature: number;
  readonly grid: number[];
  /** curves[o][g]: mean prediction of output o with the feature at grid[g]. */
  readonly curves: number[][];
  /** ice[r][o][g] for the first rows, when asked for. */
  readonly ice: number[][][];
}

function quantile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The partial-dependence curve of `feature` for every output of the predictor. */
export function partialDependence(predictor: Model | PredictFn, x: MatrixInput, feature: number, options: PartialDependenceOptions = {}): PartialDependence {
  const X = tableOf(x, 'partialDependence: x');
  if (!(Number.isInteger(feature) && feature >= 0 && feature < X.cols)) throw new Error(`partialDependence: feature must be an integer in [0, ${X.cols - 1}], got ${feature}`);
  const g = options.grid ?? 20;
  let grid: number[];
  if (typeof g === 'number') {
    if (!Number.isInteger(g) || g < 2) throw new Error(`partialDependence: grid must be an integer ≥ 2 or a list of values, got ${g}`);
    const [p0, p1] = options.percentiles ?? [0.05, 0.95];
    if (!(p0 >= 0 && p1 <= 1 && p0 < p1)) throw new Error(`partialDependence: percentiles must satisfy 0 ≤ lo < hi ≤ 1, got [${p0}, ${p1}]`);
    const col = Float64Array.from({ length: X.rows }, (_, i) => X.data[i * X.cols + feature]!).sort();
    const lo = quantile(col, p0);
    const hi = quantile(col, p1);
    grid = Array.from({ length: g }, (_, i) => lo + ((hi - lo) * i) / (g - 1));
  } else {
    if (g.length === 0 || g.some((v) => !Number.isFinite(v))) throw new Error('partialDependence: grid values must be finite numbers (at least one)');
    grid = [...g];
  }
  const predict = asPredictFn(predictor);
  const nIce = Math.min(options.ice ?? 0, X.rows);
  const work: NumericMatrix = { rows: X.rows, cols: X.cols, data: Float64Array.from(X.data) };
  let curves: number[][] = [];
  const ice: number[][][] = Array.from({ length: nIce }, () => []);
  grid.forEach((v, gi) => {
    for (let i = 0; i < X.rows; i++) work.data[i * X.cols + feature] = v;
    const out = predict(work);
    if (gi === 0) {
      curves = Array.from({ length: out.cols }, () => new Array<number>(grid.length).fill(0));
      for (const r of ice) for (let o = 0; o < out.cols; o++) r.push(new Array<number>(grid.length).fill(0));
    }
    for (let i = 0; i < out.rows; i++) {
      for (let o = 0; o < out.cols; o++) {
        const p = out.data[i * out.cols + o]!;
        curves[o]![gi]! += p / out.rows;
        if (i < nIce) ice[i]![o]![gi] = p;
      }
    }
  });
  return { feature, grid, curves, ice };
}

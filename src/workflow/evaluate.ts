/**
 * Scores of decoded predictions against a table's targets — one place for every door and the report:
 * classifiers get accuracy, balanced accuracy, macro precision/recall/F1, log loss (and ROC AUC for two
 * classes), the confusion matrix and a per-class table; regression gets R², RMSE, MAE and MSE in the
 * target's own units (averaged over outputs), with a residual summary; quantile regression gets the
 * pinball loss and the empirical coverage of each τ (and the MAE of the median when τ = ½ is one of them).
 */

import { accuracy, balancedAccuracy, confusionMatrix, logLoss, mae, mse, precisionRecallF1, r2, rocAuc, targetsOf } from '../metrics.js';
import type { Decoded, EncodedTarget, TargetPlan } from './preprocessor.js';

/** One class's row of the per-class table: precision, recall, F1 and support. */
export interface ClassRow { readonly label: string; readonly precision: number; readonly recall: number; readonly f1: number; readonly support: number }

/** Scores of predictions on labelled rows, with the confusion matrix or the residual summary. */
export interface Evaluation {
  readonly rows: number;
  readonly metrics: Record<string, number>;
  /** Classifiers: counts[actual][predicted], in class order, and the per-class table. */
  readonly confusion?: { readonly labels: readonly string[]; readonly counts: readonly (readonly number[])[] };
  readonly perClass?: readonly ClassRow[];
  /** Regression: quantiles of the residuals (actual − predicted), over all outputs. */
  readonly residuals?: { readonly min: number; readonly q25: number; readonly median: number; readonly q75: number; readonly max: number };
}

/** Compare decoded predictions with the encoded targets of the same rows. */
export function evaluateDecoded(target: TargetPlan, pred: Decoded, truth: EncodedTarget): Evaluation {
  if (target.task === 'regression' && target.quantiles !== undefined) return evaluateQuantiles(target.quantiles, pred.values!, truth.values!);
  if (target.task === 'regression') return evaluateRegression(target.names.length, pred.values!, truth.values!);
  const y = truth.classIndex!;
  const yp = pred.classIndex!;
  const k = target.classes.length;
  const labels = Array.from({ length: k }, (_, i) => i);
  const prf = precisionRecallF1(y, yp, { labels });
  const probaRows: number[][] = new Array<number[]>(y.length);
  for (let r = 0; r < y.length; r++) probaRows[r] = Array.from(pred.proba!.subarray(r * k, (r + 1) * k));
  const metrics: Record<string, number> = {
    accuracy: accuracy(y, yp), balancedAccuracy: balancedAccuracy(y, yp),
    precision: prf.macro.precision, recall: prf.macro.recall, f1: prf.macro.f1,
    logLoss: logLoss(y, probaRows),
  };
  if (k === 2 && hasBoth(y)) metrics.rocAuc = rocAuc(y, probaRows.map((p) => p[1]!));
  const cm = confusionMatrix(y, yp, { labels });
  const names = target.classes.map(String);
  const perClass = names.map((label, i) => ({
    label, precision: prf.perClass[i]!.precision, recall: prf.perClass[i]!.recall, f1: prf.perClass[i]!.f1, support: prf.perClass[i]!.support,
  }));
  return { rows: y.length, metrics, confusion: { labels: names, counts: cm.matrix }, perClass };
}

function hasBoth(y: Int32Array): boolean {
  let zero = false;
  let one = false;
  for (let i = 0; i < y.length && !(zero && one); i++) { if (y[i] === 0) zero = true; else one = true; }
  return zero && one;
}

function evaluateRegression(k: number, predicted: Float64Array, actual: Float64Array): Evaluation {
  const rows = actual.length / k;
  const t = targetsOf({ rows, cols: k, data: actual });
  const p = targetsOf({ rows, cols: k, data: predicted });
  const residual = new Float64Array(actual.length);
  for (let i = 0; i < actual.length; i++) residual[i] = actual[i]! - predicted[i]!;
  residual.sort();
  const q = (f: number): number => residual[Math.min(residual.length - 1, Math.floor(f * (residual.length - 1)))]!;
  const m = mse(t, p);
  return {
    rows, metrics: { r2: r2(t, p), rmse: Math.sqrt(m), mae: mae(t, p), mse: m },
    residuals: { min: residual[0]!, q25: q(0.25), median: q(0.5), q75: q(0.75), max: residual[residual.length - 1]! },
  };
}

/** The metric names of quantile τ: `pinball_q0.1`, `coverage_q0.1` (the same suffix as the predictions' columns). */
export const quantileSuffix = (tau: number): string => `_q${tau}`;

/**
 * Quantile regression, in the target's units: `pinball` (the mean pinball loss over every τ, what training
 * minimizes), and for each τ its pinball loss and coverage, the share of rows with y ≤ ŷ_τ (τ when the
 * quantile is right); with τ = ½ among them, the median's MAE.
 */
function evaluateQuantiles(quantiles: readonly number[], predicted: Float64Array, actual: Float64Array): Evaluation {
  const k = quantiles.length;
  const rows = actual.length / k;
  const metrics: Record<string, number> = {};
  let total = 0;
  const each = quantiles.map((tau, j) => {
    let loss = 0;
    let below = 0;
    for (let r = 0; r < rows; r++) {
      const e = actual[r * k + j]! - predicted[r * k + j]!;
      loss += e >= 0 ? tau * e : (tau - 1) * e;
      if (e <= 0) below++;
    }
    total += loss;
    return { tau, pinball: loss / rows, coverage: below / rows };
  });
  metrics.pinball = total / (rows * k);
  const median = quantiles.indexOf(0.5);
  // The pinball loss of τ = ½ is half the absolute error.
  if (median >= 0) metrics.mae = 2 * each[median]!.pinball;
  for (const q of each) {
    metrics[`pinball${quantileSuffix(q.tau)}`] = q.pinball;
    metrics[`coverage${quantileSuffix(q.tau)}`] = q.coverage;
  }
  return { rows, metrics };
}

/** Predictions as a table: written as CSV, TSV, JSON lines, Parquet or Arrow by the table writer. */

import type { Decoded, TargetPlan } from '../src/workflow/preprocessor.js';
import { quantileSuffix } from '../src/workflow/evaluate.js';
import type { PredictionUncertainty } from '../src/workflow/intervals.js';
import { encodeTable } from '../src/io/node/read-table.js';
import { formatOfName } from '../src/table/read.js';

/** Columns of a predictions table. */
export type PredictionColumns = Record<string, Float64Array | string[]>;

/**
 * Predictions as columns: the predicted target(s), then (classification, with `proba`) one probability
 * column per class; with `uncertainty`, each regression target's `lower` and `upper` bounds (named
 * `T_lower`, `T_upper` for several targets), or a classifier's prediction set as labels joined by '|'.
 * Quantile regression gives one column per τ: `y_q0.05`, `y_q0.5`, `y_q0.95`.
 */
export function predictionColumns(target: TargetPlan, pred: Decoded, proba = true, uncertainty?: PredictionUncertainty): PredictionColumns {
  const rows = pred.rows;
  const out: PredictionColumns = {};
  if (target.task === 'regression') {
    const k = target.names.length;
    const pick = (a: Float64Array, j: number): Float64Array => Float64Array.from({ length: rows }, (_, r) => a[r * k + j]!);
    const q = target.quantiles;
    target.names.forEach((n, j) => { out[q === undefined ? n : `${n}${quantileSuffix(q[j]!)}`] = pick(pred.values!, j); });
    if (uncertainty?.kind === 'intervals') {
      target.names.forEach((n, j) => {
        out[k === 1 ? 'lower' : `${n}_lower`] = pick(uncertainty.lower, j);
        out[k === 1 ? 'upper' : `${n}_upper`] = pick(uncertainty.upper, j);
      });
    }
    return out;
  }
  const names = target.classes.map(String);
  const k = names.length;
  out[target.name] = Array.from(pred.classIndex!, (i) => names[i]!);
  if (proba) names.forEach((n, j) => { out[n] = Float64Array.from({ length: rows }, (_, r) => pred.proba![r * k + j]!); });
  if (uncertainty?.kind === 'sets') out.set = uncertainty.sets.map((s) => s.map(String).join('|'));
  return out;
}

/** Predictions as the bytes of a file named `path` (its extension picks the format; CSV by default and for stdout). */
export async function predictionsFile(path: string | null, target: TargetPlan, pred: Decoded, proba = true, uncertainty?: PredictionUncertainty): Promise<string | Uint8Array> {
  return encodeTable(predictionColumns(target, pred, proba, uncertainty), (path === null ? null : formatOfName(path)) ?? 'csv');
}

/** Predictions as a table: written as CSV, TSV, JSON lines, Parquet or Arrow by the table writer. */

import type { Decoded, TargetPlan } from '../src/workflow/preprocessor.js';
import { quantileSuffix } from '../src/workflow/evaluate.js';
import type { PredictionUncertainty } from '../src/workflow/intervals.js';
import { encodeTable } from '../src/io/node/read-table.js';
import { formatOfName } from '../src/table/read.js';
import { takeTableRows } from '../src/table/rows.js';
import type { Table } from '../src/table/types.js';
import type { Pipeline } from '../src/workflow/pipeline.js';
import type { PhaseUpdater } from './progress.js';

/**
 * Rows per step of a prediction that reports its progress: large enough that the steps cost nothing
 * beside the network, and a multiple of its inference batch (1024 rows), so the batches are those of one call.
 */
export const PREDICT_CHUNK = 65536;

/** A pipeline's predictions for a table, made PREDICT_CHUNK rows at a time with `report` told the rows done. */
export function predictWithProgress(p: Pipeline, table: Table, report: PhaseUpdater, chunk = PREDICT_CHUNK): Decoded {
  const parts: Decoded[] = [];
  for (let start = 0; start < table.rows || parts.length === 0; start += chunk) {
    const n = Math.min(chunk, table.rows - start);
    parts.push(n === table.rows ? p.predict(table) : p.predict(takeTableRows(table, Int32Array.from({ length: n }, (_, i) => start + i))));
    report({ rows: start + n, totalRows: table.rows });
  }
  return parts.length === 1 ? parts[0]! : concatDecoded(parts);
}

/** Predictions of consecutive row ranges as one. */
function concatDecoded(parts: readonly Decoded[]): Decoded {
  const join = <A extends Int32Array | Float64Array>(arrays: (A | null)[], make: (n: number) => A): A | null => {
    if (arrays[0] === null) return null;
    const all = make(arrays.reduce((n, a) => n + a!.length, 0));
    let at = 0;
    for (const a of arrays) { all.set(a!, at); at += a!.length; }
    return all;
  };
  return {
    rows: parts.reduce((n, d) => n + d.rows, 0),
    classIndex: join(parts.map((d) => d.classIndex), (n) => new Int32Array(n)),
    labels: parts[0]!.labels === null ? null : parts.flatMap((d) => d.labels!),
    proba: join(parts.map((d) => d.proba), (n) => new Float64Array(n)),
    values: join(parts.map((d) => d.values), (n) => new Float64Array(n)),
  };
}

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

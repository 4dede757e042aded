/**
 * K-fold cross-validation of the one workflow: each fold's rows are held out while a pipeline is trained
 * on the others (preprocessor fitted on them alone), then scored on the fold, as scikit-learn's
 * `cross_val_score` does. A classifier's folds are stratified. Each fold is exactly the run
 * `trainPipeline(takeTableRows(table, fold.train), options)` followed by scoring the fold's rows.
 */

import { kFold, stratifiedKFold } from '../data/splits.js';
import { meanSd } from '../tune/stats.js';
import { takeTableRows } from '../table/rows.js';
import { TableError, type Table } from '../table/types.js';
import type { Evaluation } from './evaluate.js';
import { scoreHeldOut } from './holdout.js';
import { splitRng, stratifyLabels } from './splits.js';
import type { TrainOptions } from './options.js';
import { trainPipeline, type TrainHooks } from './train.js';

/** One fold: the rows it held out (0-based, ascending), how many were trained on, its scores and run. */
export interface FoldResult {
  readonly fold: number;
  readonly testRows: Int32Array;
  readonly trainRows: number;
  readonly metrics: Evaluation['metrics'];
  readonly epochs: number;
  readonly stopReason: string;
}

/** Every fold, and each metric's mean and sample standard deviation over the folds. */
export interface CrossValidation {
  readonly folds: readonly FoldResult[];
  readonly mean: Readonly<Record<string, number>>;
  readonly sd: Readonly<Record<string, number>>;
}

/** Seeds the folds apart from the network's initialization and the validation split of the same seed. */
const FOLD_SALT = 0xc0f0_1d5e;

/** The folds of a table: stratified by the target's classes for a classifier. */
export function foldsOf(table: Table, options: TrainOptions, k: number): { train: Int32Array; test: Int32Array }[] {
  if (!(Number.isInteger(k) && k >= 2)) throw new Error(`crossValidate: folds must be an integer ≥ 2, got ${k}`);
  if (k > table.rows) throw new TableError(`${table.source}: ${k} folds need at least ${k} rows; the table has ${table.rows}`, table.source);
  const labels = stratifyLabels(table, options);
  const rng = splitRng(options, FOLD_SALT);
  return labels === null ? kFold(table.rows, k, rng) : stratifiedKFold(labels, k, rng);
}

/** Train and score the workflow on each of k folds (one after the other; `hooks` apply to every fold's run). */
export async function crossValidate(
  table: Table, options: TrainOptions, k: number, hooks: TrainHooks & { readonly onFold?: (r: FoldResult) => void } = {},
): Promise<CrossValidation> {
  const folds: FoldResult[] = [];
  for (const [i, split] of foldsOf(table, options, k).entries()) {
    const train = takeTableRows(table, split.train);
    const out = await trainPipeline(train, options, hooks);
    const test = takeTableRows(table, split.test, `fold ${i + 1} of ${table.source}`);
    const scored = scoreHeldOut(out.pipeline, test);
    const r: FoldResult = {
      fold: i + 1, testRows: split.test, trainRows: train.rows, metrics: scored.evaluation.metrics,
      epochs: out.history.epochs.length, stopReason: out.history.stopReason,
    };
    folds.push(r);
    hooks.onFold?.(r);
  }
  const names = Object.keys(folds[0]!.metrics).filter((m) => folds.every((f) => Number.isFinite(f.metrics[m])));
  const mean: Record<string, number> = {};
  const sd: Record<string, number> = {};
  for (const m of names) {
    const s = meanSd(folds.map((f) => f.metrics[m]!));
    mean[m] = s.mean;
    sd[m] = s.sd;
  }
  return { folds, mean, sd };
}

/**
 * `mlpkit cv DATA --target Y --folds K [train options]`: k-fold cross-validation of the training run the
 * same flags give to `mlpkit train` — each fold's scores, then mean ± sd (as scikit-learn's cross_val_score).
 */

import { basename } from 'node:path';
import { TableError } from '../src/table/types.js';
import { crossValidate, type CrossValidation, type FoldResult } from '../src/workflow/cross-validate.js';
import { CliError } from './errors.js';
import { readData } from './model-io.js';
import { out } from './output.js';
import { Progress, outputMode } from './progress.js';
import { metricText, workflowOptions, type TrainOptions } from './train.js';

/** The flags of `mlpkit cv`: the training flags and the number of folds. */
export interface CvOptions extends Omit<TrainOptions, 'out'> {
  readonly folds: number;
}

export async function cv(dataPath: string, o: CvOptions): Promise<CrossValidation> {
  const progress = new Progress(outputMode(o));
  const types = Object.fromEntries((o.categorical ?? []).map((c) => [c, 'category' as const]));
  const table = await readData(dataPath, progress, { types, ...(o.decimal === undefined ? {} : { decimal: o.decimal }) });
  const name = basename(dataPath);
  let result: CrossValidation;
  try {
    result = await crossValidate(table, workflowOptions({ ...o, out: '' }), o.folds, {
      onFold: (f) => { if (progress.mode === 'json') out(`${JSON.stringify({ event: 'fold', ...foldRecord(f) })}\n`); else progress.result(foldLine(f, o.folds)); },
    });
  } catch (e) {
    if (e instanceof TableError) throw new CliError(e.message);
    throw new CliError(`cross-validation failed: ${(e as Error).message}`);
  }
  if (progress.mode === 'json') {
    out(`${JSON.stringify({ event: 'done', folds: o.folds, rows: table.rows, mean: result.mean, sd: result.sd })}\n`);
  } else {
    const names = Object.keys(result.mean);
    const w = Math.max(...names.map((n) => n.length));
    progress.result(`${o.folds}-fold cross-validation on ${name} (${table.rows} rows), mean ± sd over the folds:`);
    for (const m of names) progress.result(`  ${m.padEnd(w)}  ${result.mean[m]!.toFixed(4)} ± ${result.sd[m]!.toFixed(4)}`);
  }
  return result;
}

const foldRecord = (f: FoldResult): Record<string, unknown> => ({ fold: f.fold, trainRows: f.trainRows, testRows: f.testRows.length, metrics: f.metrics, epochs: f.epochs, stopReason: f.stopReason });

const foldLine = (f: FoldResult, k: number): string => `fold ${f.fold}/${k}: ${metricText(f.metrics)} on ${f.testRows.length} held-out rows (${f.epochs} epochs, ${f.stopReason})`;

/**
 * The splits of a table's rows the workflow makes (held-out rows, calibration rows, cross-validation
 * folds): seeded from the options' seed with a salt per kind of split, and stratified by the target's
 * classes for a classifier.
 */

import { trainTestSplit, type Split } from '../data/splits.js';
import { Rng } from '../rng.js';
import { TableError, type Table } from '../table/types.js';
import type { TrainOptions } from './options.js';
import { planTargetOf } from './preprocessor.js';

/**
 * The labels a split keeps the shares of: a classifier's target cells, as the file spells them (so a message
 * names a class as the user knows it), or null for a regression.
 */
export function stratifyLabels(table: Table, options: TrainOptions): ArrayLike<number | string> | null {
  const target = planTargetOf(table, options);
  if (target.task === 'regression') return null;
  const c = table.columns.find((x) => x.name === target.name)!;
  if (c.type === 'number') return c.values;
  if (c.type === 'empty') throw new TableError(`${table.source}: the target '${target.name}' has no values`, table.source, null, target.name);
  return Array.from(c.codes, (k) => c.levels[k]!);
}

/** A split's random numbers: the options' seed, salted so each kind of split differs from the others and from the weights'. */
export function splitRng(options: TrainOptions, salt: number): Rng {
  return new Rng(((options.seed ?? 0) ^ salt) >>> 0);
}

/**
 * `testSize` of a table's rows split off, stratified for a classifier; a split that cannot be made is a
 * TableError naming `what` and ending with `hint` (how to change it).
 */
export function splitRows(table: Table, options: TrainOptions, testSize: number, salt: number, what: string, hint = ''): Split {
  const stratify = stratifyLabels(table, options);
  try {
    return trainTestSplit(table.rows, splitRng(options, salt), { testSize, what: `${table.source}: ${what}`, ...(stratify === null ? {} : { stratify }) });
  } catch (e) {
    throw new TableError(`${(e as Error).message}${hint}`, table.source);
  }
}

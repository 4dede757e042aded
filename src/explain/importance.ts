/**
 * Permutation feature importance (Breiman 2001): how much a held-out score drops when one feature's
 * column is shuffled, breaking its link with the target while keeping its distribution. Repeated
 * with fresh permutations, it reports the mean drop and its spread, so a feature whose drop is within
 * the noise is not read as important. Computed on held-out data: on the training set it would
 * reward features the network merely memorized.
 */

import type { Model } from '../graph/model.js';
import type { MatrixInput, NumericMatrix } from '../data/matrix-input.js';
import { Rng } from '../rng.js';
import { asPredictFn, resolveScorer, tableOf, type PredictFn, type ScoreName, type Scorer } from './predictor.js';

/** How permutationImportance shuffles and scores. */
export interface PermutationImportanceOptions {
  /** Shuffles per feature (default 10). */
  readonly repeats?: number;
  readonly seed?: number;
  /** Default: accuracy for a classification model, R² for regression (required for a function). */
  readonly score?: Scorer | ScoreName;
  /** Names for the table (default x1, x2, …). */
  readonly featureNames?: readonly string[];
  /**
   * Columns permuted together, one entry per original feature (the one-hot columns of a category are
   * one feature: shuffling them one by one would make impossible rows). Default: each column alone.
   */
  readonly groups?: readonly { readonly name: string; readonly columns: readonly number[] }[];
}

/** One feature's importance: the mean and standard deviation of the score drop over the shuffles. */
export interface FeatureImportance {
  readonly feature: number;
  readonly name: string;
  /** Mean of baseline − permuted score over the repeats. */
  readonly mean: number;
  /** Standard deviation of the drops (sample, n − 1). */
  readonly std: number;
  readonly drops: number[];
  /** 1 = most important. */
  readonly rank: number;
}

/** Permutation importance: the baseline score and, per feature, the mean and spread of the score lost when it is shuffled. */
export interface PermutationImportance {
  readonly score: string;
  readonly baseline: number;
  readonly repeats: number;
  /** In feature (group) order. */
  readonly features: FeatureImportance[];
  /** Feature (group) indices, most important first. */
  readonly ranking: number[];
}

/** Permutation importance of every feature of `x` for the predictor, against targets `y` (rows × outputs). */
export function permutationImportance(
  predictor: Model | PredictFn, x: MatrixInput, y: MatrixInput, options: PermutationImportanceOptions = {},
): PermutationImportance {
  const X = tableOf(x, 'permutationImportance: x');
  const Y = tableOf(y, 'permutationImportance: y');
  if (Y.rows !== X.rows) throw new Error(`permutationImportance: y has ${Y.rows} rows but x has ${X.rows}`);
  const repeats = options.repeats ?? 10;
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`permutationImportance: repeats must be an integer ≥ 1, got ${repeats}`);
  const names = options.featureNames ?? Array.from({ length: X.cols }, (_, j) => `x${j + 1}`);
  if (names.length !== X.cols) throw new Error(`permutationImportance: ${names.length} feature names for ${X.cols} columns`);
  const groups = options.groups ?? names.map((name, j) => ({ name, columns: [j] }));
  for (const g of groups) {
    if (g.columns.some((c) => !Number.isInteger(c) || c < 0 || c >= X.cols)) throw new Error(`permutationImportance: group '${g.name}' names a column outside 0…${X.cols - 1}`);
  }
  const predict = asPredictFn(predictor);
  const { fn: score, name } = resolveScorer(options.score, predictor, 'permutationImportance');
  const baseline = score(Y, predict(X));
  const rng = new Rng(options.seed ?? 0);
  const work: NumericMatrix = { rows: X.rows, cols: X.cols, data: Float64Array.from(X.data) };
  const perm = new Int32Array(X.rows);
  const features: Omit<FeatureImportance, 'rank'>[] = [];
  groups.forEach((g, gi) => {
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      rng.permutation(X.rows, perm);
      for (const j of g.columns) for (let i = 0; i < X.rows; i++) work.data[i * X.cols + j] = X.data[perm[i]! * X.cols + j]!;
      drops.push(baseline - score(Y, predict(work)));
    }
    for (const j of g.columns) for (let i = 0; i < X.rows; i++) work.data[i * X.cols + j] = X.data[i * X.cols + j]!;
    const mean = drops.reduce((s, v) => s + v, 0) / repeats;
    const std = repeats > 1 ? Math.sqrt(drops.reduce((s, v) => s + (v - mean) ** 2, 0) / (repeats - 1)) : 0;
    features.push({ feature: gi, name: g.name, mean, std, drops });
  });
  const ranking = features.map((f) => f.feature).sort((a, b) => features[b]!.mean - features[a]!.mean || a - b);
  const rankOf = new Map(ranking.map((f, i) => [f, i + 1]));
  return { score: name, baseline, repeats, features: features.map((f) => ({ ...f, rank: rankOf.get(f.feature)! })), ranking };
}

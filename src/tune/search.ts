/**
 * A small hyperparameter search: random or grid search over hidden sizes, activation, learning
 * rate, L2 (scikit-learn's alpha) and dropout, each candidate scored by k-fold cross-validation of
 * the estimators (MLPClassifier: accuracy, MLPRegressor: R²), a ranked table, and the best
 * candidate refitted on all the data (or left to the caller). Answers the lecture's "optimization requires skill": the skill
 * becomes a budgeted search.
 *
 * Candidates are plain JSON jobs and `evaluateCandidate` is a pure function of its job, so a runner
 * may spread them over worker threads (src/node/tune-worker.ts) with results equal to the sequential
 * runner's. The time budget is checked before each candidate starts; candidates not started are
 * reported as skipped.
 */

import type { ActivationName } from '../activations.js';
import { MLPClassifier, MLPRegressor, type MLPOptions } from '../estimators.js';
import { checkLabels, toNumericMatrix, type Label } from '../data/matrix-input.js';
import { kFold, stratifiedKFold } from '../data/splits.js';
import { Rng } from '../rng.js';
import { meanSd } from './stats.js';

/** A continuous range, sampled uniformly (or log-uniformly); a grid takes `gridPoints` of it. */
export interface Range { readonly min: number; readonly max: number; readonly log?: boolean }

/** The values tune() draws or enumerates for each option. */
export interface SearchSpace {
  readonly hiddenLayerSizes?: readonly (readonly number[])[];
  readonly activation?: readonly ('logistic' | ActivationName)[];
  readonly learningRateInit?: readonly number[] | Range;
  /** L2 penalty (scikit-learn's alpha). */
  readonly alpha?: readonly number[] | Range;
  readonly dropout?: readonly number[] | Range;
}

/** The searched options of one candidate (absent: the estimator's default). */
export interface Candidate {
  readonly hiddenLayerSizes?: number[];
  readonly activation?: 'logistic' | ActivationName;
  readonly learningRateInit?: number;
  readonly alpha?: number;
  readonly dropout?: number;
}

/** The search space tune() uses when none is given. */
export const DEFAULT_SPACE: SearchSpace = {
  hiddenLayerSizes: [[16], [64], [100], [32, 32]],
  activation: ['relu', 'tanh'],
  learningRateInit: { min: 1e-4, max: 3e-2, log: true },
  alpha: { min: 1e-6, max: 1e-1, log: true },
  dropout: [0, 0.1, 0.3],
};

export type TuneTask = 'classification' | 'regression';

/** The fixed options of every candidate (the seed is the search's). */
export type BaseOptions = Omit<MLPOptions, 'runner' | 'randomState' | keyof Candidate>;

/** One candidate to score, as a runner receives it. */
export interface TuneJob {
  readonly index: number;
  readonly params: Candidate;
  readonly base: BaseOptions;
  readonly task: TuneTask;
  readonly x: readonly (readonly number[])[];
  readonly y: readonly Label[];
  readonly folds: readonly { readonly train: readonly number[]; readonly test: readonly number[] }[];
  readonly seed: number;
}

/** One candidate's options and its fold scores. */
export interface CandidateResult {
  readonly index: number;
  readonly params: Candidate;
  /** Held-out score of each fold. */
  readonly scores: number[];
  /** Mean held-out score (−∞ when training failed). */
  readonly mean: number;
  readonly std: number;
  readonly seconds: number;
  readonly error?: string;
}

/** Run the jobs that can start before `deadline` (ms since the epoch, or null); null for a job not run. */
export type TuneRunner = (jobs: readonly TuneJob[], deadline: number | null) => Promise<(CandidateResult | null)[]>;

/** What tune() searches, how it scores, and its budget. */
export interface TuneOptions {
  readonly task: TuneTask;
  readonly space?: SearchSpace;
  readonly strategy?: 'random' | 'grid';
  /** Random candidates (default 12); for a grid, a seeded subset of this many if the grid is larger. */
  readonly trials?: number;
  /** Points of a Range in a grid (default 3). */
  readonly gridPoints?: number;
  /** Cross-validation folds (default 3; stratified for classification). */
  readonly folds?: number;
  readonly seed?: number;
  readonly base?: BaseOptions;
  /** Stop starting candidates after this many seconds. */
  readonly timeBudgetSeconds?: number;
  /** Also score the estimator's defaults as candidate 0 (default true). */
  readonly includeDefaults?: boolean;
  readonly runner?: TuneRunner;
  /** Refit the best candidate on all rows as `estimator` (default true; false when the caller trains it its own way). */
  readonly refit?: boolean;
}

/** A scored candidate with its rank (1 = best). */
export interface RankedCandidate extends CandidateResult { readonly rank: number }

/** Every candidate ranked by its cross-validated score, and the best. */
export interface TuneResult {
  readonly score: 'accuracy' | 'r2';
  /** Best first. */
  readonly ranked: RankedCandidate[];
  readonly best: RankedCandidate;
  /** The candidate of the estimator's defaults, if scored. */
  readonly defaults: RankedCandidate | null;
  /** The best candidate refitted on all rows (null with `refit: false`). */
  readonly estimator: MLPClassifier | MLPRegressor | null;
  /** Candidates not started within the time budget. */
  readonly skipped: number;
  readonly seconds: number;
}

const now = (): number => Date.now();

function sample(v: readonly number[] | Range, rng: Rng): number {
  if (Array.isArray(v)) return (v as readonly number[])[rng.int((v as readonly number[]).length)]!;
  const r = v as Range;
  return r.log === true ? Math.exp(rng.range(Math.log(r.min), Math.log(r.max))) : rng.range(r.min, r.max);
}

function gridValues(v: readonly number[] | Range, points: number): number[] {
  if (Array.isArray(v)) return [...(v as readonly number[])];
  const r = v as Range;
  return Array.from({ length: points }, (_, i) => (r.log === true
    ? Math.exp(Math.log(r.min) + ((Math.log(r.max) - Math.log(r.min)) * i) / (points - 1))
    : r.min + ((r.max - r.min) * i) / (points - 1)));
}

function checkSpace(s: SearchSpace): void {
  const bad = (what: string): never => { throw new Error(`tune: search space ${what}`); };
  for (const key of ['learningRateInit', 'alpha', 'dropout'] as const) {
    const v = s[key];
    if (v === undefined) continue;
    if (Array.isArray(v)) { if (v.length === 0) bad(`${key} is an empty list`); continue; }
    const r = v as Range;
    if (!(Number.isFinite(r.min) && Number.isFinite(r.max) && r.min <= r.max)) bad(`${key} needs finite min ≤ max, got ${r.min}, ${r.max}`);
    if (r.log === true && !(r.min > 0)) bad(`${key} is log-scaled, so min must be > 0, got ${r.min}`);
  }
  if (s.hiddenLayerSizes !== undefined && s.hiddenLayerSizes.length === 0) bad('hiddenLayerSizes is an empty list');
  if (s.activation !== undefined && s.activation.length === 0) bad('activation is an empty list');
}

/** The candidates of a search, in order (deterministic in the seed). */
export function candidates(space: SearchSpace, strategy: 'random' | 'grid', trials: number, seed: number, gridPoints = 3): Candidate[] {
  checkSpace(space);
  const rng = new Rng(seed);
  if (strategy === 'random') {
    return Array.from({ length: trials }, () => ({
      ...(space.hiddenLayerSizes === undefined ? {} : { hiddenLayerSizes: [...space.hiddenLayerSizes[rng.int(space.hiddenLayerSizes.length)]!] }),
      ...(space.activation === undefined ? {} : { activation: space.activation[rng.int(space.activation.length)]! }),
      ...(space.learningRateInit === undefined ? {} : { learningRateInit: sample(space.learningRateInit, rng) }),
      ...(space.alpha === undefined ? {} : { alpha: sample(space.alpha, rng) }),
      ...(space.dropout === undefined ? {} : { dropout: sample(space.dropout, rng) }),
    }));
  }
  let grid: Candidate[] = [{}];
  const extend = <K extends keyof Candidate>(key: K, values: readonly Candidate[K][] | undefined): void => {
    if (values === undefined) return;
    grid = grid.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  };
  extend('hiddenLayerSizes', space.hiddenLayerSizes?.map((h) => [...h]));
  extend('activation', space.activation);
  extend('learningRateInit', space.learningRateInit === undefined ? undefined : gridValues(space.learningRateInit, gridPoints));
  extend('alpha', space.alpha === undefined ? undefined : gridValues(space.alpha, gridPoints));
  extend('dropout', space.dropout === undefined ? undefined : gridValues(space.dropout, gridPoints));
  if (grid.length <= trials) return grid;
  const pick = rng.permutation(grid.length).slice(0, trials).sort();
  return Array.from(pick, (i) => grid[i]!);
}

/** Cross-validate one candidate (pure in its job: the same job gives the same scores anywhere). */
export async function evaluateCandidate(job: TuneJob): Promise<CandidateResult> {
  const t0 = now();
  const scores: number[] = [];
  try {
    for (const f of job.folds) {
      const options: MLPOptions = { ...job.base, ...job.params, randomState: job.seed };
      const est = job.task === 'classification' ? new MLPClassifier(options) : new MLPRegressor(options);
      const xs = f.train.map((i) => job.x[i]!);
      const ys = f.train.map((i) => job.y[i]!);
      await est.fit(xs, ys);
      scores.push(est.score(f.test.map((i) => job.x[i]!), f.test.map((i) => job.y[i]!)));
    }
  } catch (e) {
    return { index: job.index, params: job.params, scores, mean: -Infinity, std: 0, seconds: (now() - t0) / 1000, error: e instanceof Error ? e.message : String(e) };
  }
  const { mean, sd: std } = meanSd(scores);
  return { index: job.index, params: job.params, scores, mean, std, seconds: (now() - t0) / 1000 };
}

/** One candidate after another in this thread. */
export const sequentialTuneRunner: TuneRunner = async (jobs, deadline) => {
  const out: (CandidateResult | null)[] = [];
  for (const job of jobs) out.push(deadline !== null && now() >= deadline ? null : await evaluateCandidate(job));
  return out;
};

/** Search, rank, and refit the best candidate on all rows. */
export async function tune(x: readonly (readonly number[])[], y: readonly Label[], options: TuneOptions): Promise<TuneResult> {
  const t0 = now();
  const X = toNumericMatrix(x, { what: 'tune: x' });
  checkLabels(y, { what: 'tune: y', rows: X.rows });
  if (options.task !== 'classification' && options.task !== 'regression') throw new Error(`tune: task must be 'classification' or 'regression', got ${String(options.task)}`);
  const trials = options.trials ?? 12;
  const k = options.folds ?? 3;
  if (!Number.isInteger(trials) || trials < 1) throw new Error(`tune: trials must be an integer ≥ 1, got ${trials}`);
  const seed = options.seed ?? 0;
  const budget = options.timeBudgetSeconds;
  if (budget !== undefined && !(budget > 0)) throw new Error(`tune: timeBudgetSeconds must be > 0, got ${budget}`);
  if (options.task === 'regression' && y.some((v) => typeof v !== 'number')) throw new Error('tune: regression targets must be numbers');
  const rng = new Rng(seed);
  const folds = (options.task === 'classification' ? stratifiedKFold(y, k, rng) : kFold(X.rows, k, rng))
    .map((f) => ({ train: Array.from(f.train), test: Array.from(f.test) }));
  const list = candidates(options.space ?? DEFAULT_SPACE, options.strategy ?? 'random', trials, seed + 1, options.gridPoints ?? 3);
  if (options.includeDefaults ?? true) list.unshift({});
  const rows = x.map((r) => [...r]);
  const base = options.base ?? {};
  const jobs: TuneJob[] = list.map((params, index) => ({ index, params, base, task: options.task, x: rows, y: [...y], folds, seed }));
  const runner = options.runner ?? sequentialTuneRunner;
  const results = await runner(jobs, budget === undefined ? null : t0 + budget * 1000);
  const done = results.filter((r): r is CandidateResult => r !== null);
  if (done.length === 0) throw new Error(`tune: no candidate started within the time budget of ${budget} s`);
  // Best mean first; ties go to the smaller spread, then to the earlier candidate.
  const ranked: RankedCandidate[] = [...done]
    .sort((a, b) => b.mean - a.mean || a.std - b.std || a.index - b.index)
    .map((r, i) => ({ ...r, rank: i + 1 }));
  const best = ranked[0]!;
  if (!Number.isFinite(best.mean)) throw new Error(`tune: every candidate failed; the first error: ${best.error ?? 'unknown'}`);
  let estimator: MLPClassifier | MLPRegressor | null = null;
  if (options.refit ?? true) {
    const fitOptions: MLPOptions = { ...base, ...best.params, randomState: seed };
    estimator = options.task === 'classification' ? new MLPClassifier(fitOptions) : new MLPRegressor(fitOptions);
    await estimator.fit(rows, [...y]);
  }
  const defaults = (options.includeDefaults ?? true) ? ranked.find((r) => r.index === 0) ?? null : null;
  return {
    score: options.task === 'classification' ? 'accuracy' : 'r2',
    ranked, best, defaults, estimator, skipped: results.length - done.length, seconds: (now() - t0) / 1000,
  };
}

function describe(c: Candidate): string {
  if (Object.keys(c).length === 0) return '(defaults)';
  const parts: string[] = [];
  if (c.hiddenLayerSizes !== undefined) parts.push(`hidden=${c.hiddenLayerSizes.join('x')}`);
  if (c.activation !== undefined) parts.push(`act=${c.activation}`);
  if (c.learningRateInit !== undefined) parts.push(`lr=${c.learningRateInit.toPrecision(2)}`);
  if (c.alpha !== undefined) parts.push(`alpha=${c.alpha.toPrecision(2)}`);
  if (c.dropout !== undefined) parts.push(`dropout=${+c.dropout.toFixed(3)}`);
  return parts.join(' ');
}

/** The ranked table as text: rank, mean ± std of the held-out score, seconds, options. */
export function formatTuneTable(r: TuneResult): string {
  const lines = [`rank  ${r.score.padEnd(8)}  ± std    seconds  candidate`];
  for (const c of r.ranked) {
    const score = Number.isFinite(c.mean) ? c.mean.toFixed(4) : 'failed';
    lines.push(`${String(c.rank).padStart(4)}  ${score.padEnd(8)}  ${c.std.toFixed(4)}  ${c.seconds.toFixed(2).padStart(7)}  ${describe(c.params)}${c.error === undefined ? '' : `  (${c.error})`}`);
  }
  if (r.skipped > 0) lines.push(`${r.skipped} candidate(s) not started within the time budget`);
  return lines.join('\n');
}

/**
 * Compare training configurations with figures instead of lore — the lecture's "batch norm: before or
 * after?!" answered by `compare(data, { vary: { batchNorm: ['before', 'after'] }, repeats: 10 })`.
 *
 * Each repeat r draws one held-out split and one initialization seed, and trains every configuration on that
 * same split from that same seed: the per-seed score differences are paired, so the comparison is the
 * paired t-test and the Wilcoxon signed-rank test on them (exact p-values, src/tune/stats.ts), beside each
 * configuration's held-out mean ± sd. The held-out set is also the validation set of every fit (there is no
 * early stopping, so it does not steer training), which gives a learning curve per configuration.
 *
 * Trials are plain data and `runTrial` is a pure function of its trial, so a runner may spread them over
 * worker threads (src/node/compare-worker.ts) with results equal to the sequential runner's.
 */

import { ACTIVATION_NAMES, type ActivationName } from '../activations.js';
import { mlp } from '../graph/builders.js';
import { Model } from '../graph/model.js';
import { INIT_NAMES, type InitName } from '../init.js';
import type { StepRuleSpec } from '../optim/rules.js';
import { checkKeys } from '../options.js';
import { Rng } from '../rng.js';
import { trainTestSplit } from '../data/splits.js';
import { fit } from '../train/fit.js';
import { TASKS, classifierTask, decodeLabels, type Task } from '../workflow/tasks.js';
import { accuracy, r2, targetsOf } from '../metrics.js';
import { StandardScaler } from '../data/scalers.js';
import { LabelEncoder } from '../data/encoders.js';
import type { Label } from '../data/matrix-input.js';
import { meanSd, pairedTTest, wilcoxonSignedRank, type PairedTTest, type WilcoxonTest } from './stats.js';

/** The training options a comparison fixes or varies (the model builder's and the training loop's). */
export interface TrialOptions {
  readonly hidden: readonly number[];
  readonly activation: ActivationName;
  readonly init: InitName | 'default';
  readonly batchNorm: 'before' | 'after' | 'none';
  readonly dropout: number;
  readonly l1: number;
  readonly l2: number;
  readonly optimizer: StepRuleSpec['kind'];
  readonly learningRate: number;
  readonly epochs: number;
  readonly batchSize: number;
}

/** The value of every trial option a comparison neither fixes nor varies. */
export const TRIAL_DEFAULTS: TrialOptions = {
  hidden: [32], activation: 'relu', init: 'default', batchNorm: 'none', dropout: 0, l1: 0, l2: 0,
  optimizer: 'adam', learningRate: 3e-3, epochs: 50, batchSize: 32,
};

/** The names of the trial options, the keys `base` and `vary` may use. */
export const TRIAL_OPTION_NAMES = Object.keys(TRIAL_DEFAULTS) as (keyof TrialOptions)[];

/** Values tried for each varied option; the product of the lists is the set of configurations. */
export type Vary = { readonly [K in keyof TrialOptions]?: readonly TrialOptions[K][] };

/** Rows already encoded for the network: x (N × inputs), y (N × outputs: one-hot, 0/1, or scaled values). */
export interface CompareData {
  readonly x: { readonly rows: number; readonly cols: number; readonly data: Float64Array };
  readonly y: { readonly rows: number; readonly cols: number; readonly data: Float64Array };
  readonly task: Task;
}

/** One run: a configuration on one repeat's split and seed (plain data, so a worker thread can run it). */
export interface Trial {
  readonly config: number;
  readonly repeat: number;
  readonly options: TrialOptions;
  readonly seed: number;
  readonly data: CompareData;
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/** What one run gives: its held-out score, its loss curves and its time (or its error). */
export interface TrialResult {
  readonly config: number;
  readonly repeat: number;
  /** Held-out score (accuracy or R²); NaN when training failed. */
  readonly score: number;
  readonly trainLoss: number[];
  /** Held-out loss after each epoch. */
  readonly heldOutLoss: number[];
  readonly seconds: number;
  readonly error?: string;
}

/** Runs the trials (in order, or on worker threads) and returns one result per trial. */
export type CompareRunner = (trials: readonly Trial[]) => Promise<TrialResult[]>;

/** What compare varies and fixes, how many seeded repeats, the held-out share and the runner. */
export interface CompareOptions {
  readonly base?: Partial<TrialOptions>;
  readonly vary: Vary;
  /** Seeds (paired splits and initializations); default 10. */
  readonly repeats?: number;
  /** Share of the rows held out in each repeat (default 0.25; stratified for classifiers). */
  readonly testFraction?: number;
  readonly seed?: number;
  readonly runner?: CompareRunner;
}

/** One configuration's outcome: its options, its score per repeat, mean ± sd, failures and mean learning curves. */
export interface Configuration {
  readonly label: string;
  readonly options: TrialOptions;
  /** Held-out score per repeat (NaN for a failed run). */
  readonly scores: number[];
  readonly mean: number;
  readonly sd: number;
  readonly failures: number;
  /** Mean over the repeats of the training and held-out loss per epoch. */
  readonly curve: { readonly trainLoss: number[]; readonly heldOutLoss: number[] };
}

/** Two configurations compared on their per-seed score differences: the paired t-test and the Wilcoxon signed-rank test. */
export interface Comparison {
  /** Indices of the two configurations; differences are b − a. */
  readonly a: number;
  readonly b: number;
  readonly pairs: number;
  readonly t: PairedTTest | null;
  readonly wilcoxon: WilcoxonTest;
}

/** What compare gives: every configuration, every pairwise comparison, the score used and the time taken. */
export interface CompareResult {
  readonly score: 'accuracy' | 'r2';
  readonly repeats: number;
  readonly testFraction: number;
  readonly configurations: Configuration[];
  /** Every pair of configurations. */
  readonly comparisons: Comparison[];
  readonly seconds: number;
}

/**
 * Plain rows and labels (or values) as comparison data: inputs standardized, classes one-hot (two classes:
 * one 0/1 column), regression targets standardized. Scaling uses every row: it is the same for every
 * configuration, so it cannot favour one.
 */
export function compareData(x: readonly (readonly number[])[], y: readonly Label[], kind: 'classification' | 'regression'): CompareData {
  const X = new StandardScaler().fitTransform(x as number[][], 'float64');
  const xs = { rows: X.rows, cols: X.cols, data: Float64Array.from(X.data) };
  if (kind === 'regression') {
    const Y = new StandardScaler().fitTransform(y.map((v) => [Number(v)]), 'float64');
    return { task: 'regression', x: xs, y: { rows: Y.rows, cols: 1, data: Float64Array.from(Y.data) } };
  }
  const enc = new LabelEncoder();
  const k = enc.fitTransform(y);
  const task = classifierTask(enc.nClasses);
  const cols = TASKS[task].outputWidth(enc.nClasses);
  const data = new Float64Array(k.length * cols);
  k.forEach((c, i) => { if (cols === 1) data[i] = c; else data[i * cols + c] = 1; });
  return { task, x: xs, y: { rows: k.length, cols, data } };
}

/** Train one configuration on one repeat's split; a failed fit is reported, not thrown. */
export async function runTrial(t: Trial): Promise<TrialResult> {
  const t0 = Date.now();
  const o = t.options;
  const { x, y, task } = t.data;
  const pick = (m: CompareData['x'], idx: Int32Array): { rows: number; cols: number; data: Float64Array } => {
    const data = new Float64Array(idx.length * m.cols);
    idx.forEach((r, i) => data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
    return { rows: idx.length, cols: m.cols, data };
  };
  const xt = pick(x, t.train); const yt = pick(y, t.train);
  const xv = pick(x, t.test); const yv = pick(y, t.test);
  try {
    const spec = mlp({
      inputSize: x.cols, outputSize: y.cols, task, hidden: o.hidden, activation: o.activation, batchNorm: o.batchNorm,
      dropout: o.dropout, l1: o.l1, l2: o.l2, ...(o.init === 'default' ? {} : { init: o.init }),
    });
    const model = new Model(spec, { seed: t.seed });
    const history = await fit(model, { x: xt, y: yt }, {
      epochs: o.epochs, batchSize: Math.min(o.batchSize, xt.rows), seed: t.seed,
      optimizer: { kind: o.optimizer, learningRate: o.learningRate }, validation: { x: xv, y: yv },
    });
    const p = model.predict(xv);
    const score = TASKS[task].classifier ? accuracy(decodeLabels(yv), decodeLabels(p)) : r2(targetsOf(yv), targetsOf(p));
    return {
      config: t.config, repeat: t.repeat, score, seconds: (Date.now() - t0) / 1000,
      trainLoss: history.epochs.map((e) => e.trainLoss), heldOutLoss: history.epochs.map((e) => e.valLoss ?? NaN),
    };
  } catch (e) {
    return { config: t.config, repeat: t.repeat, score: NaN, trainLoss: [], heldOutLoss: [], seconds: (Date.now() - t0) / 1000, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Runs the trials one after the other on this thread. */
export const sequentialCompareRunner: CompareRunner = async (trials) => {
  const out: TrialResult[] = [];
  for (const t of trials) out.push(await runTrial(t));
  return out;
};

/** The configurations: every combination of the varied values over the base options, labelled by what varies. */
export function configurations(base: Partial<TrialOptions>, vary: Vary): { label: string; options: TrialOptions }[] {
  checkKeys(base, TRIAL_OPTION_NAMES, 'compare: base');
  checkKeys(vary, TRIAL_OPTION_NAMES, 'compare: vary');
  const keys = (Object.keys(vary) as (keyof TrialOptions)[]).filter((k) => vary[k] !== undefined);
  if (keys.length === 0) throw new Error(`compare: vary names no option; vary one of ${TRIAL_OPTION_NAMES.join(', ')}`);
  let combos: { label: string[]; options: TrialOptions }[] = [{ label: [], options: { ...TRIAL_DEFAULTS, ...base } }];
  for (const k of keys) {
    const values: readonly unknown[] | undefined = vary[k];
    if (!Array.isArray(values) || values.length === 0) throw new Error(`compare: vary.${k} must be a non-empty list of values`);
    combos = combos.flatMap((c) => values.map((v) => ({ label: [...c.label, `${k}=${formatValue(v)}`], options: { ...c.options, [k]: v } as TrialOptions })));
  }
  return combos.map((c) => ({ label: c.label.join(' '), options: checkTrialOptions(c.options, c.label.join(' ')) }));
}

const formatValue = (v: unknown): string => (Array.isArray(v) ? v.join(',') : String(v));

function oneOf(what: string, v: unknown, known: readonly string[], at: string): void {
  if (typeof v !== 'string' || !known.includes(v)) throw new Error(`compare: ${what} ${JSON.stringify(v)} is not one of ${known.join(', ')} ${at}`);
}

/** Every field of a configuration checked before any training starts, the message naming the configuration. */
function checkTrialOptions(t: TrialOptions, label: string): TrialOptions {
  const at = `(configuration ${label})`;
  for (const k of ['epochs', 'batchSize'] as const) {
    if (!Number.isInteger(t[k]) || t[k] < 1) throw new Error(`compare: ${k} must be an integer ≥ 1, got ${JSON.stringify(t[k])} ${at}`);
  }
  if (!Array.isArray(t.hidden) || t.hidden.some((u) => !Number.isInteger(u) || u < 1)) throw new Error(`compare: hidden must be a list of layer widths ≥ 1, got ${JSON.stringify(t.hidden)} ${at}`);
  for (const k of ['learningRate', 'l1', 'l2', 'dropout'] as const) {
    const v = t[k];
    const ok = typeof v === 'number' && Number.isFinite(v) && (k === 'learningRate' ? v > 0 : v >= 0) && (k !== 'dropout' || v < 1);
    if (!ok) throw new Error(`compare: ${k} ${JSON.stringify(v)} is out of range ${at}`);
  }
  oneOf('activation', t.activation, ACTIVATION_NAMES, at);
  oneOf('batchNorm', t.batchNorm, ['before', 'after', 'none'], at);
  oneOf('optimizer', t.optimizer, STEP_RULES, at);
  oneOf('init', t.init, [...INIT_NAMES, 'default'], at);
  return t;
}

const STEP_RULES: readonly StepRuleSpec['kind'][] = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'];

/** The trials of a comparison: for every repeat one split and one seed, shared by every configuration. */
export function compareTrials(data: CompareData, configs: readonly { options: TrialOptions }[], repeats: number, testFraction: number, seed: number): Trial[] {
  if (!Number.isInteger(repeats) || repeats < 2) throw new Error(`compare: repeats must be an integer ≥ 2 (a paired test needs pairs), got ${repeats}`);
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`compare: testFraction must be in (0, 1), got ${testFraction}`);
  const rng = new Rng([seed >>> 0, 0xc0, 0x3a7e, 7]);
  const labels = TASKS[data.task].classifier ? Array.from(decodeLabels(data.y)) : undefined;
  const trials: Trial[] = [];
  for (let r = 0; r < repeats; r++) {
    const split = trainTestSplit(data.x.rows, rng, { testSize: testFraction, ...(labels === undefined ? {} : { stratify: labels }) });
    const s = rng.int(2 ** 31);
    configs.forEach((c, config) => trials.push({ config, repeat: r, options: c.options, seed: s, data, train: split.train, test: split.test }));
  }
  return trials;
}

/** Mean over the runs of each epoch's value (runs that failed have no curve). */
function meanCurve(curves: readonly number[][]): number[] {
  const ok = curves.filter((c) => c.length > 0);
  const len = Math.min(...ok.map((c) => c.length));
  if (ok.length === 0 || !Number.isFinite(len)) return [];
  return Array.from({ length: len }, (_, e) => ok.reduce((s, c) => s + c[e]!, 0) / ok.length);
}

/** Pairs where both runs succeeded, differences b − a. */
function compareTwo(a: number, b: number, sa: readonly number[], sb: readonly number[]): Comparison {
  const d = sa.map((v, r) => sb[r]! - v).filter((v) => Number.isFinite(v));
  return { a, b, pairs: d.length, t: d.length >= 2 ? pairedTTest(d) : null, wilcoxon: wilcoxonSignedRank(d) };
}

/** Train every configuration on the same seeded splits and initializations and compare their held-out scores. */
export async function compare(data: CompareData, options: CompareOptions): Promise<CompareResult> {
  const t0 = Date.now();
  const configs = configurations(options.base ?? {}, options.vary);
  const repeats = options.repeats ?? 10;
  const testFraction = options.testFraction ?? 0.25;
  const trials = compareTrials(data, configs, repeats, testFraction, options.seed ?? 0);
  const results = await (options.runner ?? sequentialCompareRunner)(trials);
  const configurations_: Configuration[] = configs.map((c, i) => {
    const mine = results.filter((r) => r.config === i).sort((p, q) => p.repeat - q.repeat);
    const scores = mine.map((r) => r.score);
    const { mean, sd } = meanSd(scores.filter((v) => Number.isFinite(v)));
    return {
      label: c.label, options: c.options, scores, mean, sd, failures: scores.filter((v) => !Number.isFinite(v)).length,
      curve: { trainLoss: meanCurve(mine.map((r) => r.trainLoss)), heldOutLoss: meanCurve(mine.map((r) => r.heldOutLoss)) },
    };
  });
  if (configurations_.every((c) => c.failures === repeats)) {
    throw new Error(`compare: every run failed; the first error: ${results.find((r) => r.error !== undefined)?.error ?? 'unknown'}`);
  }
  const comparisons: Comparison[] = [];
  for (let a = 0; a < configs.length; a++) {
    for (let b = a + 1; b < configs.length; b++) comparisons.push(compareTwo(a, b, configurations_[a]!.scores, configurations_[b]!.scores));
  }
  return { score: TASKS[data.task].score, repeats, testFraction, configurations: configurations_, comparisons, seconds: (Date.now() - t0) / 1000 };
}

const f4 = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : '—');
const fp = (p: number): string => (p < 1e-4 ? p.toExponential(1) : p.toPrecision(2));

/** The tables as text: one line per configuration (held-out mean ± sd), one per pair (mean difference, both tests). */
export function formatCompareTable(r: CompareResult): string {
  const w = Math.max(13, ...r.configurations.map((c) => c.label.length));
  const lines = [`${'configuration'.padEnd(w)}  ${r.score} (held-out, ${r.repeats} seeds)   failed`];
  for (const c of r.configurations) lines.push(`${c.label.padEnd(w)}  ${f4(c.mean)} ± ${f4(c.sd)}              ${c.failures}`);
  lines.push('');
  for (const p of r.comparisons) {
    const a = r.configurations[p.a]!.label;
    const b = r.configurations[p.b]!.label;
    const m = p.t === null ? 0 : Math.abs(p.t.meanDifference) < 5e-5 ? 0 : p.t.meanDifference;
    const d = p.t === null ? '—' : `${m >= 0 ? '+' : ''}${f4(m)} ± ${f4(p.t.sdDifference)}`;
    lines.push(`${b} − ${a}: ${d} over ${p.pairs} paired seeds; paired t-test p = ${p.t === null ? '—' : fp(p.t.p)}, Wilcoxon signed-rank p = ${fp(p.wilcoxon.p)}`);
  }
  return lines.join('\n');
}

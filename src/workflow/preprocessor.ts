/**
 * The one fitted preprocessing between a table and a network, as scikit-learn's ColumnTransformer and
 * Keras's preprocessing layers: learned on the training rows, stored in the model file, applied again by
 * every door (`predict`, the estimators, the playground, the ONNX export).
 *
 *   features   every column but the target(s) and the dropped ones, in file order:
 *              number    missing cells imputed (mean, median, most frequent, constant) or refused;
 *                        then z = (x − center)/scale  (standard: mean and sd; min-max: min and range);
 *              category  one 0/1 column per level seen in training (sorted); levels seen fewer than
 *                        `minFrequency` times pooled into '(other)'; a level never seen is refused
 *                        (naming the file, line, column and value), or sent to '(other)' when there is
 *                        one, or to all zeros with `unknown: 'ignore'`.
 *   target     classes (a category or boolean column, or integers with at most 10 distinct values),
 *              or one or more numeric columns standardized for training and mapped back on output.
 *
 * Every error names the table's source, the editor line, the column and the value.
 */

import type { Matrix } from '../matrix.js';
import { checkKeys } from '../options.js';
import type { CategoryColumn, Column, NumberColumn, Table } from '../table/types.js';
import { TableError } from '../table/types.js';
import { compareLabels, type Label } from '../data/matrix-input.js';
import type { FeatureStep } from '../io/features.js';
import { classProbabilities, classifierTask, decodeLabels, type Task } from './tasks.js';
import { cellPlace, showCell } from './cells.js';

/** How missing feature cells are filled. */
export type Impute = 'mean' | 'median' | 'most-frequent' | 'constant';
/** How numeric features are scaled: standardized, min-max to [0, 1], or not at all. */
export type Scaling = 'standard' | 'minmax' | 'none';
/** What a category level never seen in training does at predict time: an error, or all zeros. */
export type UnknownPolicy = 'error' | 'ignore';

/** What the preprocessing is told: the target, the features, imputation, scaling and the unknown-level policy. */
export interface PreprocessorOptions {
  /** The target column, or several numeric columns for multi-output regression. */
  readonly target: string | readonly string[];
  /** The feature columns (default: every other column but `drop`). */
  readonly features?: readonly string[];
  readonly drop?: readonly string[];
  /** Inferred from the target column when absent. */
  readonly task?: 'classification' | 'regression';
  /** How missing feature cells are filled; without it a missing cell is an error. */
  readonly impute?: Impute;
  /** The value `impute: 'constant'` fills in (a number for numeric columns; categories get the level '(missing)' unless a string is given). */
  readonly fillValue?: number | string;
  /** Default 'standard'. */
  readonly scale?: Scaling;
  /** What a category level never seen in training does at predict time. Default 'error'. */
  readonly unknown?: UnknownPolicy;
  /** Levels seen fewer times than this are pooled into '(other)', which also takes unseen levels. Default 0 (no pooling). */
  readonly minFrequency?: number;
  /** Standardize a regression target for training (mapped back on output). Default true. */
  readonly scaleTarget?: boolean;
}

/** Every preprocessing option. */
export const PREPROCESSOR_OPTION_NAMES = ['target', 'features', 'drop', 'task', 'impute', 'fillValue', 'scale', 'unknown', 'minFrequency', 'scaleTarget'] as const;

/** The level that pools rare categories (and takes unseen ones). */
export const OTHER_LEVEL = '(other)';
/** The level a constant imputation gives a category's missing cells. */
export const MISSING_LEVEL = '(missing)';

/** One feature column's fitted plan. */
export type ColumnPlan =
  | { readonly name: string; readonly type: 'number'; readonly fill: number | null; readonly center: number; readonly scale: number }
  | { readonly name: string; readonly type: 'category'; readonly levels: readonly string[]; readonly fill: string | null; readonly other: boolean };

/** The fitted target: its classes, or its columns with the scaling used in training. */
export type TargetPlan =
  | { readonly task: 'binary' | 'multiclass'; readonly name: string; readonly classes: readonly Label[] }
  | RegressionTargetPlan;

/**
 * A regression target: names, mean and scale per network output. Quantile regression has one target
 * column given once per τ (the same name, mean and scale each time), and `quantiles` lists the τ of
 * each output in order.
 */
export interface RegressionTargetPlan {
  readonly task: 'regression';
  readonly names: readonly string[];
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  readonly quantiles?: readonly number[];
}

/** A preprocessor as the model file stores it; `features` is the same transformation as the ONNX export's steps. */
export interface PreprocessorJSON {
  readonly kind: 'preprocessor';
  readonly version: 1;
  readonly columns: readonly ColumnPlan[];
  readonly target: TargetPlan;
  readonly unknown: UnknownPolicy;
  readonly scaling: Scaling;
  readonly impute: Impute | null;
  readonly featureNames: readonly string[];
  /** The same transformation as ONNX-readable steps (one-hot of category codes, then an affine scaling). */
  readonly features: readonly FeatureStep[];
}

/** The model's targets for a table. */
export interface EncodedTarget {
  /** What the network is trained on: a 0/1 column, one-hot rows, or standardized values. */
  readonly y: Matrix;
  /** Classifiers: the class index of each row. */
  readonly classIndex: Int32Array | null;
  /** Regression: the values in the target's own units, rows × targets. */
  readonly values: Float64Array | null;
}

/** Decoded network outputs. */
export interface Decoded {
  readonly rows: number;
  /** Classifiers: class index per row, the labels, and the probabilities (rows × classes). */
  readonly classIndex: Int32Array | null;
  readonly labels: readonly Label[] | null;
  readonly proba: Float64Array | null;
  /** Regression: values in the target's units (rows × targets). */
  readonly values: Float64Array | null;
}

export type MatrixDType = 'float32' | 'float64';

/** The fitted preprocessing of a table: imputation, one-hot encoding, scaling and the target encoding, applied the same at every door. */
export class Preprocessor {
  private constructor(
    readonly columns: readonly ColumnPlan[],
    readonly target: TargetPlan,
    readonly unknown: UnknownPolicy,
    readonly scaling: Scaling,
    readonly impute: Impute | null,
  ) {}

  /** Learn the plan from a training table. */
  static fit(table: Table, options: PreprocessorOptions): Preprocessor {
    checkKeys(options, PREPROCESSOR_OPTION_NAMES, 'preprocessing');
    const targets = typeof options.target === 'string' ? [options.target] : [...options.target];
    if (targets.length === 0) throw new Error('preprocessing: option target names no column');
    const target = planTarget(table, targets, options);
    const columns = featureColumns(table, targets, options).map((c) => planColumn(table, c, options));
    return new Preprocessor(columns, target, options.unknown ?? 'error', options.scale ?? 'standard', options.impute ?? null);
  }

  get task(): Task { return this.target.task; }

  /** The same plan with another policy for category levels never seen in training. */
  withUnknown(unknown: UnknownPolicy): Preprocessor {
    return new Preprocessor(this.columns, this.target, unknown, this.scaling, this.impute);
  }

  /**
   * The same plan predicting the quantiles τ of its one numeric target: the target once per τ, with the
   * same mean and scale, so the network has one output per τ.
   */
  withQuantiles(quantiles: readonly number[]): Preprocessor {
    const t = this.target;
    if (t.task !== 'regression') throw new Error(`train: option loss quantile predicts quantiles of a number: it needs task 'regression' (--task regression), not a classifier of '${t.name}'`);
    if (t.names.length !== 1) throw new Error(`train: option loss quantile takes one target column (option target, --target), got ${t.names.length} (${t.names.join(', ')})`);
    const each = <T>(v: T): T[] => quantiles.map(() => v);
    const target = { task: 'regression' as const, names: each(t.names[0]!), mean: each(t.mean[0]!), scale: each(t.scale[0]!), quantiles: [...quantiles] };
    return new Preprocessor(this.columns, target, this.unknown, this.scaling, this.impute);
  }

  /**
   * Rows of a table holding a category level this plan has never seen (and no '(other)' takes), by
   * column: what `unknown: 'error'` would refuse.
   */
  unseenLevels(table: Table): { readonly column: string; readonly levels: readonly string[]; readonly rows: number }[] {
    const out: { column: string; levels: string[]; rows: number }[] = [];
    for (const plan of this.columns) {
      if (plan.type !== 'category' || plan.other) continue;
      const c = table.columns.find((x) => x.name === plan.name);
      if (c === undefined || (c.type !== 'category' && c.type !== 'boolean')) continue;
      const known = new Set(plan.levels);
      const unseen = c.levels.map((l) => !known.has(l));
      let rows = 0;
      for (let r = 0; r < table.rows; r++) if (c.codes[r]! >= 0 && unseen[c.codes[r]!]) rows++;
      if (rows > 0) out.push({ column: plan.name, levels: c.levels.filter((_, k) => unseen[k]), rows });
    }
    return out;
  }

  /** Number of network inputs. */
  get width(): number { return this.columns.reduce((s, c) => s + widthOf(c), 0); }

  /** Number of network outputs. */
  get outputWidth(): number {
    const t = this.target;
    return t.task === 'regression' ? t.names.length : t.task === 'binary' ? 1 : t.classes.length;
  }

  /** The input columns' names after encoding ('colour=red', …). */
  get featureNames(): string[] {
    return this.columns.flatMap((c) => (c.type === 'number' ? [c.name] : levelsOut(c).map((l) => `${c.name}=${l}`)));
  }

  /**
   * The features in a line for people: a number column by its name, a category by its name and its one-hot
   * levels ('region (one-hot: east, north, south)'; past eight levels their count and the first few), so
   * that a column of a thousand levels is one entry, not a thousand.
   */
  get featureSummary(): string {
    return this.columns.map((c) => {
      if (c.type === 'number') return c.name;
      const levels = levelsOut(c);
      return levels.length <= 8 ? `${c.name} (one-hot: ${levels.join(', ')})` : `${c.name} (${levels.length} one-hot levels: ${levels.slice(0, 3).join(', ')}, …)`;
    }).join(', ');
  }

  /** The raw columns a table must have, with the types to read them as (a zip code stays a category). */
  get readTypes(): Record<string, 'number' | 'category'> {
    const out: Record<string, 'number' | 'category'> = {};
    for (const c of this.columns) out[c.name] = c.type;
    return out;
  }

  /** For each original feature column, the network inputs it becomes (one-hot columns stay together). */
  get groups(): { readonly name: string; readonly columns: readonly number[] }[] {
    let off = 0;
    return this.columns.map((c) => {
      const w = widthOf(c);
      const cols = Array.from({ length: w }, (_, k) => off + k);
      off += w;
      return { name: c.name, columns: cols };
    });
  }

  /** The features of a table as network inputs, rows × width. */
  transform(table: Table, dtype: MatrixDType = 'float64'): Matrix {
    const width = this.width;
    const data = dtype === 'float32' ? new Float32Array(table.rows * width) : new Float64Array(table.rows * width);
    let off = 0;
    const writers = this.columns.map((plan) => {
      const c = findColumn(table, plan.name, 'a feature the model was trained on');
      const w = plan.type === 'number' ? numberWriter(table, c, plan, data, off, width, this.impute) : categoryWriter(table, c, plan, data, off, width, this.unknown);
      off += widthOf(plan);
      return w;
    });
    // A tile of rows at a time, every column into it: the rows being written stay in the cache.
    for (let r0 = 0; r0 < table.rows; r0 += TILE_ROWS) {
      const r1 = Math.min(table.rows, r0 + TILE_ROWS);
      for (const w of writers) w(r0, r1);
    }
    return { rows: table.rows, cols: width, data };
  }

  /**
   * The target column(s) of a table as the network's targets. `columns` names the table's columns that
   * hold them when they are named otherwise than in training.
   */
  transformTarget(table: Table, dtype: MatrixDType = 'float64', columns?: readonly string[]): EncodedTarget {
    const t = this.renamedTarget(columns);
    const rows = table.rows;
    const alloc = (n: number): Float32Array | Float64Array => (dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
    if (t.task === 'regression') {
      const k = t.names.length;
      const values = new Float64Array(rows * k);
      const y = alloc(rows * k);
      t.names.forEach((name, j) => {
        const c = numericTarget(table, name);
        for (let r = 0; r < rows; r++) {
          const v = c.values[r]!;
          values[r * k + j] = v;
          y[r * k + j] = (v - t.mean[j]!) / t.scale[j]!;
        }
      });
      return { y: { rows, cols: k, data: y }, classIndex: null, values };
    }
    const c = findColumn(table, t.name, 'the target (option target, --target)');
    refuseMissingTarget(table, c);
    const classIndex = classIndices(table, c, t.classes);
    const cols = t.task === 'binary' ? 1 : t.classes.length;
    const y = alloc(rows * cols);
    for (let r = 0; r < rows; r++) {
      if (cols === 1) y[r] = classIndex[r]!;
      else y[r * cols + classIndex[r]!] = 1;
    }
    return { y: { rows, cols, data: y }, classIndex, values: null };
  }

  /** The target plan with its columns renamed (same classes and scaling). */
  private renamedTarget(columns: readonly string[] | undefined): TargetPlan {
    const t = this.target;
    if (columns === undefined) return t;
    const want = t.task === 'regression' ? (t.quantiles === undefined ? t.names.length : 1) : 1;
    if (columns.length !== want) throw new Error(`preprocessing: the model predicts ${want} target column${want === 1 ? '' : 's'}, ${columns.length} named`);
    if (t.task !== 'regression') return { ...t, name: columns[0]! };
    return { ...t, names: t.quantiles === undefined ? [...columns] : t.names.map(() => columns[0]!) };
  }

  /** Network outputs as labels and probabilities, or values in the target's units. */
  decode(out: Matrix): Decoded {
    const t = this.target;
    const rows = out.rows;
    if (t.task === 'regression') {
      const k = t.names.length;
      const values = new Float64Array(rows * k);
      for (let i = 0; i < rows * k; i++) values[i] = out.data[i]! * t.scale[i % k]! + t.mean[i % k]!;
      return { rows, classIndex: null, labels: null, proba: null, values };
    }
    // One sigmoid output is p(second class): probabilities [1 − p, p], label p ≥ 0.5; softmax outputs: argmax.
    const proba = classProbabilities(out);
    const classIndex = decodeLabels(out);
    const labels = Array.from(classIndex, (i) => t.classes[i]!);
    return { rows, classIndex, labels, proba, values: null };
  }

  /** The transformation as ONNX-readable steps: one-hot of the category codes, then the affine scaling. */
  featureSteps(): FeatureStep[] {
    const steps: FeatureStep[] = [];
    const cat = this.columns.map((c, i) => [c, i] as const).filter(([c]) => c.type === 'category');
    if (cat.length > 0) {
      steps.push({ kind: 'oneHot', columns: cat.map(([, i]) => i), categories: cat.map(([c]) => Array.from({ length: widthOf(c) }, (_, k) => k)) });
    }
    const mean: number[] = [];
    const scale: number[] = [];
    for (const c of this.columns) {
      if (c.type === 'number') { mean.push(c.center); scale.push(c.scale); } else for (let k = 0; k < widthOf(c); k++) { mean.push(0); scale.push(1); }
    }
    if (mean.some((m) => m !== 0) || scale.some((s) => s !== 1)) steps.push({ kind: 'standard', withMean: true, withStd: true, mean, scale });
    return steps;
  }

  toJSON(): PreprocessorJSON {
    return {
      kind: 'preprocessor', version: 1, columns: this.columns, target: this.target, unknown: this.unknown,
      scaling: this.scaling, impute: this.impute, featureNames: this.featureNames, features: this.featureSteps(),
    };
  }

  /** Rebuild from `toJSON()` output that `parsePreprocessor` has validated. */
  static fromPlan(p: Pick<PreprocessorJSON, 'columns' | 'target' | 'unknown' | 'scaling' | 'impute'>): Preprocessor {
    return new Preprocessor(p.columns, p.target, p.unknown, p.scaling, p.impute);
  }
}

// ---------------------------------------------------------------------------------------------
// Fitting

export function findColumn(table: Table, name: string, role: string): Column {
  const c = table.columns.find((x) => x.name === name);
  if (c === undefined) {
    const names = table.columns.map((x) => `'${x.name}'`);
    throw new TableError(`${table.source}: no column '${name}' for ${role}; the columns are ${names.slice(0, 30).join(', ')}${names.length > 30 ? ', …' : ''}`, table.source, null, name);
  }
  return c;
}

function featureColumns(table: Table, targets: readonly string[], o: PreprocessorOptions): Column[] {
  for (const t of targets) findColumn(table, t, 'the target (option target, --target)');
  for (const d of o.drop ?? []) findColumn(table, d, 'drop (option drop, --drop)');
  const chosen = o.features === undefined
    ? table.columns.filter((c) => !targets.includes(c.name) && !(o.drop ?? []).includes(c.name))
    : o.features.map((f) => findColumn(table, f, 'a feature'));
  const clash = chosen.find((c) => targets.includes(c.name));
  if (clash !== undefined) throw new Error(`preprocessing: column '${clash.name}' is both a feature and the target`);
  if (chosen.length === 0) throw new TableError(`${table.source}: no feature columns besides the target ${targets.map((t) => `'${t}'`).join(', ')}`, table.source);
  return chosen;
}

function planColumn(table: Table, c: Column, o: PreprocessorOptions): ColumnPlan {
  if (c.type === 'empty' || c.missing === table.rows) {
    throw new TableError(`${table.source}: column '${c.name}' (column ${c.index + 1}) has no values at all; drop it (drop: ['${c.name}'], --drop '${c.name}')`, table.source, null, c.name);
  }
  if (c.missing > 0 && o.impute === undefined) refuseMissing(table, c, '');
  if (c.type === 'number') return planNumber(c, o);
  return planCategory(c, o);
}

function planNumber(c: NumberColumn, o: PreprocessorOptions): ColumnPlan {
  const present = presentValues(c.values);
  let fill: number | null = null;
  if (c.missing > 0) {
    switch (o.impute) {
      case 'mean': fill = meanOf(present); break;
      case 'median': fill = medianOf(present); break;
      case 'most-frequent': fill = mostFrequentNumber(present); break;
      case 'constant': fill = typeof o.fillValue === 'number' ? o.fillValue : 0; break;
      case undefined: break;
    }
  }
  // Statistics over the column as the network sees it (missing cells filled).
  const filled = fill === null ? present : withFill(c.values, fill);
  const scaling = o.scale ?? 'standard';
  if (scaling === 'none') return { name: c.name, type: 'number', fill, center: 0, scale: 1 };
  if (scaling === 'minmax') {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < filled.length; i++) { const v = filled[i]!; if (v < lo) lo = v; if (v > hi) hi = v; }
    return { name: c.name, type: 'number', fill, center: lo, scale: hi > lo ? hi - lo : 1 };
  }
  const mean = meanOf(filled);
  let ss = 0;
  for (let i = 0; i < filled.length; i++) ss += (filled[i]! - mean) ** 2;
  const sd = Math.sqrt(ss / filled.length);
  return { name: c.name, type: 'number', fill, center: mean, scale: sd > 0 ? sd : 1 };
}

function planCategory(c: CategoryColumn, o: PreprocessorOptions): ColumnPlan {
  const min = o.minFrequency ?? 0;
  const kept = c.levels.filter((_, k) => c.counts[k]! >= min).sort();
  const other = kept.length < c.levels.length;
  let fill: string | null = null;
  if (c.missing > 0) {
    if (o.impute === 'constant') fill = typeof o.fillValue === 'string' ? o.fillValue : MISSING_LEVEL;
    else fill = mostFrequentLevel(c, kept);
  }
  // A constant fill is a level of its own; a most-frequent fill is a kept level (or '(other)' when all are rare).
  const levels = fill !== null && fill !== OTHER_LEVEL && !kept.includes(fill) ? [...kept, fill].sort() : kept;
  return { name: c.name, type: 'category', levels, fill, other };
}

/** The target plan the options give on a table (its task, classes or scaling), without fitting the features. */
export function planTargetOf(table: Table, options: PreprocessorOptions): TargetPlan {
  return planTarget(table, typeof options.target === 'string' ? [options.target] : [...options.target], options);
}

function planTarget(table: Table, names: readonly string[], o: PreprocessorOptions): TargetPlan {
  const cols = names.map((n) => findColumn(table, n, 'the target (option target, --target)'));
  cols.forEach((c) => refuseMissingTarget(table, c));
  if (cols.length > 1) {
    if (o.task === 'classification') throw new Error(`preprocessing: several targets (${names.join(', ')}) are a multi-output regression; a classifier takes one target column`);
    cols.forEach((c) => numericTarget(table, c.name, `; several targets (${names.join(', ')}) are a multi-output regression, so each must be numeric`));
  }
  const first = cols[0]!;
  const classes = cols.length === 1 ? targetClasses(table, first, o.task) : null;
  if (classes !== null) {
    if (classes.length < 2) {
      throw new TableError(`${table.source}: the target '${first.name}' has a single class (${showCell(String(classes[0]))}) in all ${table.rows} rows; a classifier needs at least two`, table.source, null, first.name);
    }
    return { task: classifierTask(classes.length), name: first.name, classes };
  }
  const mean: number[] = [];
  const scale: number[] = [];
  for (const c of cols) {
    const v = numericTarget(table, c.name).values;
    if ((o.scaleTarget ?? true) === false) { mean.push(0); scale.push(1); continue; }
    const m = meanOf(v);
    let ss = 0;
    for (let i = 0; i < v.length; i++) ss += (v[i]! - m) ** 2;
    const sd = Math.sqrt(ss / v.length);
    mean.push(m);
    scale.push(sd > 0 ? sd : 1);
  }
  return { task: 'regression', names: [...names], mean, scale };
}

/** The classes of a target column, or null for a regression target. */
function targetClasses(table: Table, c: Column, task: PreprocessorOptions['task']): Label[] | null {
  if (c.type === 'empty') throw new TableError(`${table.source}: the target '${c.name}' has no values`, table.source, null, c.name);
  if (c.type === 'number') {
    const distinct = distinctNumbers(c.values);
    const integral = distinct.every((v) => Number.isInteger(v));
    if (task === 'classification' || (task === undefined && integral && distinct.length <= 10)) return distinct;
    return null;
  }
  if (task === 'regression') numericTarget(table, c.name);
  return [...c.levels].sort(compareLabels);
}

function numericTarget(table: Table, name: string, why = ''): NumberColumn {
  const c = findColumn(table, name, 'the target (option target, --target)');
  if (c.type === 'number') return c;
  if (c.type === 'empty') throw new TableError(`${table.source}: the target '${name}' has no values`, table.source, null, name);
  const r = c.codes.findIndex((k) => k >= 0);
  const line = table.lines[r] ?? null;
  throw new TableError(`${cellPlace(table, line, c)}: regression needs a numeric target, but ${showCell(c.levels[c.codes[r]!]!)} is not a number${why}`, table.source, line, name);
}

function refuseMissingTarget(table: Table, c: Column): void {
  if (c.missing === 0) return;
  const m = c.firstMissing!;
  throw new TableError(`${cellPlace(table, m.line, c)}: the target is missing (${showCell(m.value)}); every training row needs a target (${c.missing} missing)`, table.source, m.line, c.name);
}

function refuseMissing(table: Table, c: Column, why: string): never {
  const m = c.firstMissing!;
  throw new TableError(`${cellPlace(table, m.line, c)}: missing value ${showCell(m.value)}${why}; fill it in, or impute it (option impute, --impute mean|median|most-frequent|constant) (${c.missing} missing in this column)`, table.source, m.line, c.name);
}

// ---------------------------------------------------------------------------------------------
// Applying

function widthOf(c: ColumnPlan): number {
  return c.type === 'number' ? 1 : c.levels.length + (c.other ? 1 : 0);
}

function levelsOut(c: Extract<ColumnPlan, { type: 'category' }>): string[] {
  return c.other ? [...c.levels, OTHER_LEVEL] : [...c.levels];
}

type Out = Float32Array | Float64Array;

/** Rows encoded together, every column into them, before the next rows (a tile of a 30-column table is 120 KB). */
const TILE_ROWS = 1024;

/** Writes the rows [r0, r1) of one column into the encoded rows. */
type ColumnWriter = (r0: number, r1: number) => void;

function numberWriter(table: Table, c: Column, plan: Extract<ColumnPlan, { type: 'number' }>, data: Out, off: number, width: number, impute: Impute | null): ColumnWriter {
  if (c.type !== 'number' && c.type !== 'empty') {
    const r = c.codes.findIndex((k) => k >= 0);
    throw new TableError(`${cellPlace(table, table.lines[r] ?? null, c)}: ${showCell(c.levels[c.codes[r]!]!)} is not a number, but the model was trained on this column as numbers`, table.source, table.lines[r] ?? null, c.name);
  }
  const { center, scale, fill } = plan;
  if (c.type === 'empty') {
    return (r0, r1) => {
      if (fill === null) refuseMissingAt(table, c, r0, impute);
      for (let r = r0, o = r0 * width + off; r < r1; r++, o += width) data[o] = (fill - center) / scale;
    };
  }
  const values = c.values;
  return (r0, r1) => {
    for (let r = r0, o = r0 * width + off; r < r1; r++, o += width) {
      let v = values[r]!;
      if (v !== v) {
        if (fill === null) refuseMissingAt(table, c, r, impute);
        v = fill;
      }
      data[o] = (v - center) / scale;
    }
  };
}

function categoryWriter(table: Table, c: Column, plan: Extract<ColumnPlan, { type: 'category' }>, data: Out, off: number, width: number, unknown: UnknownPolicy): ColumnWriter {
  const index = new Map(plan.levels.map((l, k) => [l, k]));
  const otherCode = plan.other ? plan.levels.length : -1;
  const fill = plan.fill === null ? -1 : index.get(plan.fill) ?? otherCode;
  // The table's own codes translated once to the plan's (−2: a level the model never saw).
  const levels: readonly string[] = c.type === 'category' || c.type === 'boolean' ? c.levels : [];
  const map = Int32Array.from(levels, (l) => index.get(l) ?? (plan.other ? otherCode : -2));
  return (r0, r1) => {
    for (let r = r0; r < r1; r++) {
      let k: number;
      let raw: string | null = null;
      if (c.type === 'category' || c.type === 'boolean') {
        const code = c.codes[r]!;
        k = code < 0 ? fill : map[code]!;
        if (k === -2) raw = levels[code]!;
      } else if (c.type === 'number') {
        const v = c.values[r]!;
        raw = Number.isNaN(v) ? null : String(v);
        k = raw === null ? fill : index.get(raw) ?? (plan.other ? otherCode : -2);
        if (k !== -2) raw = null;
      } else k = fill;
      if (k === -1) refuseMissingAt(table, c, r, null);
      if (k === -2) {
        if (unknown === 'ignore') continue;
        const known = plan.levels.slice(0, 12).map((l) => `'${l}'`).join(', ');
        throw new TableError(`${cellPlace(table, table.lines[r] ?? null, c)}: category ${showCell(raw!)} was not in the training data; known: ${known}${plan.levels.length > 12 ? ', …' : ''}; train with unknown: 'ignore' (--unknown ignore) to map unseen levels to all zeros, or with minFrequency (--min-frequency N) to pool rare levels into '${OTHER_LEVEL}'`, table.source, table.lines[r] ?? null, c.name);
      }
      if (k >= 0) data[r * width + off + k] = 1;
    }
  };
}

function refuseMissingAt(table: Table, c: Column, r: number, impute: Impute | null): never {
  const line = table.lines[r]!;
  const spelled = c.firstMissing !== null && c.firstMissing.line === line ? ` ${showCell(c.firstMissing.value)}` : '';
  const why = impute === null ? 'the model was trained without imputation' : 'the model saw no missing value in this column, so it has no fill value';
  const retrain = impute === null ? ', or train the model with imputation (option impute, --impute mean|median|most-frequent|constant)' : '';
  throw new TableError(`${cellPlace(table, line, c)}: missing value${spelled} (${why}); fill the cell in${retrain}`, table.source, line, c.name);
}

function classIndices(table: Table, c: Column, classes: readonly Label[]): Int32Array {
  const index = new Map<string, number>(classes.map((l, k) => [String(l), k]));
  const out = new Int32Array(table.rows);
  for (let r = 0; r < table.rows; r++) {
    const text = c.type === 'number' ? String(c.values[r]!) : c.type === 'empty' ? '' : c.levels[c.codes[r]!]!;
    const k = index.get(text);
    if (k === undefined) {
      throw new TableError(`${cellPlace(table, table.lines[r] ?? null, c)}: class ${showCell(text)} is not one the model knows (${classes.map((x) => `'${x}'`).join(', ')})`, table.source, table.lines[r] ?? null, c.name);
    }
    out[r] = k;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Statistics (loops, not spreads: a column may hold millions of rows)

function presentValues(v: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i]!)) n++;
  if (n === v.length) return v;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i]!)) out[j++] = v[i]!;
  return out;
}

function withFill(v: Float64Array, fill: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Number.isNaN(v[i]!) ? fill : v[i]!;
  return out;
}

function meanOf(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return s / v.length;
}

function medianOf(v: Float64Array): number {
  const s = Float64Array.from(v).sort();
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function mostFrequentNumber(v: Float64Array): number {
  const counts = new Map<number, number>();
  let best = v[0]!;
  let bestN = 0;
  for (let i = 0; i < v.length; i++) {
    const n = (counts.get(v[i]!) ?? 0) + 1;
    counts.set(v[i]!, n);
    // Ties go to the smaller value, so the result does not depend on row order.
    if (n > bestN || (n === bestN && v[i]! < best)) { best = v[i]!; bestN = n; }
  }
  return best;
}

function mostFrequentLevel(c: CategoryColumn, kept: readonly string[]): string {
  let best: string | null = null;
  let bestN = -1;
  for (const l of kept) {
    const n = c.counts[c.levels.indexOf(l)]!;
    if (n > bestN) { best = l; bestN = n; }
  }
  return best ?? OTHER_LEVEL;
}

function distinctNumbers(v: Float64Array): number[] {
  const seen = new Set<number>();
  for (let i = 0; i < v.length && seen.size <= 1000; i++) seen.add(v[i]!);
  return [...seen].sort((a, b) => a - b);
}

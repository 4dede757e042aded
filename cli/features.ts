/**
 * From a table's columns to the model's inputs and targets, and back.
 *
 * The plan is learned on the training file and stored in the model file's `preprocessing` section, so
 * `predict` and `evaluate` apply exactly the same steps:
 *   columns  raw columns in input order: numeric, or categorical with its levels (→ code 0…L−1),
 *            each with the value that fills its missing cells (when --impute was given);
 *   features the pipeline the ONNX exporter also reads: one-hot of the category codes, then
 *            standardization z = (x − μ)/σ of the numeric inputs (one-hot columns pass unchanged);
 *   target   the class labels in output order, or the regression target's μ and σ.
 */

import { StandardScaler } from '../src/data/scalers.js';
import { featurePipeline, type FeatureStep, type OneHotStep, type StandardStep } from '../src/io/features.js';
import type { JsonObject } from '../src/io/json-check.js';
import { findColumn, parseNumber, type CategoricalColumn, type Column, type ColumnKind, type Table } from './csv.js';
import { CliError, cellPlace, showValue } from './errors.js';

export type Impute = 'mean' | 'median' | 'most-frequent';

export type ColumnPlan =
  | { readonly name: string; readonly kind: 'numeric'; readonly impute: number | null }
  | { readonly name: string; readonly kind: 'categorical'; readonly levels: readonly string[]; readonly impute: string | null };

export type TargetPlan =
  | { readonly name: string; readonly task: 'binary' | 'multiclass'; readonly classes: readonly string[] }
  | { readonly name: string; readonly task: 'regression'; readonly mean: number; readonly scale: number };

export interface Preprocessing {
  readonly columns: readonly ColumnPlan[];
  readonly featureNames: readonly string[];
  readonly features: readonly FeatureStep[];
  readonly target: TargetPlan;
}

export interface Encoded { readonly rows: number; readonly cols: number; readonly data: Float64Array }

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const m = values.length >> 1;
  return values.length % 2 === 1 ? values[m]! : (values[m - 1]! + values[m]!) / 2;
}

function mostFrequent(c: CategoricalColumn): string {
  let best = 0;
  c.counts.forEach((n, k) => { if (n > c.counts[best]!) best = k; });
  return c.levels[best]!;
}

function refuseMissing(table: Table, c: Column, what: string): never {
  const m = c.firstMissing!;
  throw new CliError(`${cellPlace(table.file, m.line, c.name, c.index)}: missing value ${showValue(m.value)}${what}; fill it in, or pass --impute mean|median|most-frequent (${c.missing} missing in this column)`);
}

/** The raw-column plan learned from the training table: every column but the target, in file order. */
export function planColumns(table: Table, target: string, impute: Impute | null, drop: readonly string[] = []): ColumnPlan[] {
  const plans: ColumnPlan[] = [];
  for (const name of drop) findColumn(table, name, '--drop');
  for (const c of table.columns) {
    if (c.name === target || drop.includes(c.name)) continue;
    if (c.missing === table.rows) {
      throw new CliError(`${table.file}: column '${c.name}' (column ${c.index + 1}) has no values at all; drop it with --drop '${c.name}'`);
    }
    if (c.missing > 0 && impute === null) refuseMissing(table, c, '');
    if (c.kind === 'numeric') {
      let fill: number | null = null;
      if (c.missing > 0) {
        const present = Array.from(c.values).filter((v) => !Number.isNaN(v));
        fill = impute === 'median' ? median(present) : impute === 'mean' ? present.reduce((s, v) => s + v, 0) / present.length : mostFrequentNumber(present);
      }
      plans.push({ name: c.name, kind: 'numeric', impute: fill });
    } else {
      plans.push({ name: c.name, kind: 'categorical', levels: [...c.levels].sort(), impute: c.missing > 0 ? mostFrequent(c) : null });
    }
  }
  if (plans.length === 0) throw new CliError(`${table.file}: no feature columns besides the target '${target}'`);
  return plans;
}

function mostFrequentNumber(values: number[]): number {
  const counts = new Map<number, number>();
  let best = values[0]!;
  for (const v of values) {
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (n > counts.get(best)!) best = v;
  }
  return best;
}

/** The kinds a table must be read with to match a plan (a zip code stays categorical). */
export function kindsOf(columns: readonly ColumnPlan[]): Map<string, ColumnKind> {
  return new Map(columns.map((c) => [c.name, c.kind]));
}

export function featureNames(columns: readonly ColumnPlan[]): string[] {
  return columns.flatMap((c) => (c.kind === 'numeric' ? [c.name] : c.levels.map((l) => `${c.name}=${l}`)));
}

/**
 * The table's columns as a rows × features matrix: categories one-hot, missing cells imputed.
 * Errors name the cell: a missing value without imputation, a category the model never saw.
 */
export function encodeColumns(table: Table, columns: readonly ColumnPlan[]): Encoded {
  const width = columns.reduce((s, c) => s + (c.kind === 'numeric' ? 1 : c.levels.length), 0);
  const rows = table.rows;
  const data = new Float64Array(rows * width);
  let off = 0;
  for (const plan of columns) {
    const c = findColumn(table, plan.name, 'a feature the model was trained on');
    if (plan.kind === 'numeric') {
      if (c.kind !== 'numeric') throw new CliError(`${table.file}: column '${c.name}' holds text, but the model was trained on it as a number`);
      for (let r = 0; r < rows; r++) {
        let v = c.values[r]!;
        if (Number.isNaN(v)) {
          if (plan.impute === null) refuseMissing(table, c, ' (the model was trained without imputation)');
          v = plan.impute;
        }
        data[r * width + off] = v;
      }
      off += 1;
    } else {
      const index = new Map(plan.levels.map((l, k) => [l, k]));
      // The table's own codes, translated once to the plan's levels (−2: unknown level).
      const levels: readonly string[] = c.kind === 'categorical' ? c.levels : [];
      const map = levels.map((l) => index.get(l) ?? -2);
      const fill = plan.impute === null ? -1 : index.get(plan.impute)!;
      for (let r = 0; r < rows; r++) {
        let k: number;
        if (c.kind === 'categorical') {
          const code = c.codes[r]!;
          k = code === -1 ? fill : map[code]!;
          if (k === -2) {
            const value = levels[code]!;
            throw new CliError(`${cellPlace(table.file, table.lines[r]!, c.name, c.index)}: category ${showValue(value)} was not in the training data; known: ${plan.levels.slice(0, 12).map((l) => `'${l}'`).join(', ')}${plan.levels.length > 12 ? ', …' : ''}`);
          }
        } else {
          const v = c.values[r]!;
          k = Number.isNaN(v) ? fill : index.get(String(v)) ?? -2;
          if (k === -2) throw new CliError(`${cellPlace(table.file, table.lines[r]!, c.name, c.index)}: category '${v}' was not in the training data`);
        }
        if (k === -1) refuseMissing(table, c, ' (the model was trained without imputation)');
        data[r * width + off + k] = 1;
      }
      off += plan.levels.length;
    }
  }
  return { rows, cols: width, data };
}

/** The ONNX-readable pipeline for these columns: one-hot of the category codes, then standardization. */
export function planFeatureSteps(columns: readonly ColumnPlan[], encoded: Encoded, standardize: boolean): FeatureStep[] {
  const steps: FeatureStep[] = [];
  const cat = columns.map((c, i) => [c, i] as const).filter(([c]) => c.kind === 'categorical');
  if (cat.length > 0) {
    const oneHot: OneHotStep = {
      kind: 'oneHot', columns: cat.map(([, i]) => i),
      categories: cat.map(([c]) => (c.kind === 'categorical' ? c.levels.map((_, k) => k) : [])),
    };
    steps.push(oneHot);
  }
  if (standardize) {
    const json = new StandardScaler().fit(encoded).toJSON();
    const mean = [...json.mean!];
    const scale = [...json.scale!];
    // One-hot columns stay 0/1.
    let off = 0;
    for (const c of columns) {
      if (c.kind === 'categorical') { for (let k = 0; k < c.levels.length; k++) { mean[off + k] = 0; scale[off + k] = 1; } off += c.levels.length; } else off += 1;
    }
    const step: StandardStep = { kind: 'standard', withMean: true, withStd: true, mean, scale };
    steps.push(step);
  }
  return steps;
}

/** Apply the standardization step (if any) in place. */
export function standardizeInPlace(x: Encoded, steps: readonly FeatureStep[]): void {
  const s = steps.find((t): t is StandardStep => t.kind === 'standard');
  if (s === undefined) return;
  for (let r = 0; r < x.rows; r++) {
    for (let j = 0; j < x.cols; j++) {
      const i = r * x.cols + j;
      x.data[i] = (x.data[i]! - s.mean[j]!) / s.scale[j]!;
    }
  }
}

/**
 * The target's plan: classes for a text column or a numeric column of at most 10 distinct integers,
 * else regression (unless --task says otherwise). A single class, or a missing target, is refused.
 */
export function planTarget(table: Table, name: string, task: 'classification' | 'regression' | null): TargetPlan {
  const c = findColumn(table, name, 'the target (--target)');
  if (c.missing > 0) {
    const m = c.firstMissing!;
    throw new CliError(`${cellPlace(table.file, m.line, c.name, c.index)}: the target is missing (${showValue(m.value)}); every training row needs a target (${c.missing} missing)`);
  }
  let classes: string[] | null = null;
  if (c.kind === 'categorical') {
    if (task === 'regression') {
      const bad = c.levels.find((l) => parseNumber(l) === null)!;
      const r = Array.from(c.codes).findIndex((k) => c.levels[k] === bad);
      throw new CliError(`${cellPlace(table.file, table.lines[r]!, c.name, c.index)}: --task regression needs a numeric target, but ${showValue(bad)} is not a number`);
    }
    classes = [...c.levels].sort();
  } else {
    const distinct = [...new Set(c.values)].sort((a, b) => a - b);
    const integral = distinct.every((v) => Number.isInteger(v));
    if (task === 'classification' || (task === null && integral && distinct.length <= 10)) classes = distinct.map(String);
  }
  if (classes !== null) {
    if (classes.length < 2) {
      throw new CliError(`${table.file}: the target '${name}' has a single class ('${classes[0]}') in all ${table.rows} rows; a classifier needs at least two`);
    }
    return { name, task: classes.length === 2 ? 'binary' : 'multiclass', classes };
  }
  const v = (c as Extract<Column, { kind: 'numeric' }>).values;
  let mean = 0;
  for (const x of v) mean += x;
  mean /= v.length;
  let ss = 0;
  for (const x of v) ss += (x - mean) ** 2;
  const sd = Math.sqrt(ss / v.length);
  return { name, task: 'regression', mean, scale: sd > 0 ? sd : 1 };
}

/** Targets as the model's outputs (0/1 column, one-hot rows, or standardized values) and class indices. */
export function encodeTarget(table: Table, plan: TargetPlan): { y: Encoded; labels: Int32Array | null } {
  const c = findColumn(table, plan.name, 'the target (--target)');
  const rows = table.rows;
  if (c.missing > 0) {
    const m = c.firstMissing!;
    throw new CliError(`${cellPlace(table.file, m.line, c.name, c.index)}: the target is missing (${showValue(m.value)})`);
  }
  if (plan.task === 'regression') {
    if (c.kind !== 'numeric') throw new CliError(`${table.file}: the target '${c.name}' holds text, but the model is a regression`);
    const data = new Float64Array(rows);
    for (let r = 0; r < rows; r++) data[r] = (c.values[r]! - plan.mean) / plan.scale;
    return { y: { rows, cols: 1, data }, labels: null };
  }
  const index = new Map(plan.classes.map((l, k) => [l, k]));
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const text = c.kind === 'categorical' ? c.levels[c.codes[r]!]! : String(c.values[r]!);
    const k = index.get(text);
    if (k === undefined) {
      throw new CliError(`${cellPlace(table.file, table.lines[r]!, c.name, c.index)}: class ${showValue(text)} is not one the model knows (${plan.classes.map((x) => `'${x}'`).join(', ')})`);
    }
    labels[r] = k;
  }
  const k = plan.classes.length;
  const cols = k === 2 ? 1 : k;
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    if (cols === 1) data[r] = labels[r]!;
    else data[r * cols + labels[r]!] = 1;
  }
  return { y: { rows, cols, data }, labels };
}

export function preprocessingToJson(p: Preprocessing): JsonObject {
  return JSON.parse(JSON.stringify({ columns: p.columns, featureNames: p.featureNames, features: p.features, target: p.target })) as JsonObject;
}

/** Read the CLI's plan back from a model file's preprocessing section. */
export function preprocessingFromJson(json: JsonObject | undefined, file: string): Preprocessing {
  const bad = (what: string): never => { throw new CliError(`${file}: preprocessing.${what} is missing or malformed; was this model trained with the mlpkit command?`); };
  if (json === undefined) return bad('columns');
  const columns = json.columns;
  if (!Array.isArray(columns)) return bad('columns');
  const cols: ColumnPlan[] = columns.map((c, i) => {
    if (typeof c !== 'object' || c === null || Array.isArray(c)) return bad(`columns[${i}]`);
    const o = c as Record<string, unknown>;
    if (typeof o.name !== 'string') return bad(`columns[${i}].name`);
    if (o.kind === 'numeric') return { name: o.name, kind: 'numeric', impute: typeof o.impute === 'number' ? o.impute : null };
    if (o.kind === 'categorical' && Array.isArray(o.levels) && o.levels.every((l) => typeof l === 'string')) {
      return { name: o.name, kind: 'categorical', levels: o.levels as string[], impute: typeof o.impute === 'string' ? o.impute : null };
    }
    return bad(`columns[${i}].kind`);
  });
  const t = json.target;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) return bad('target');
  const to = t as Record<string, unknown>;
  if (typeof to.name !== 'string') return bad('target.name');
  let target: TargetPlan;
  if (to.task === 'regression' && typeof to.mean === 'number' && typeof to.scale === 'number') target = { name: to.name, task: 'regression', mean: to.mean, scale: to.scale };
  else if ((to.task === 'binary' || to.task === 'multiclass') && Array.isArray(to.classes)) target = { name: to.name, task: to.task, classes: to.classes.map(String) };
  else return bad('target');
  const features = featurePipeline(json, `${file}: preprocessing`);
  return { columns: cols, featureNames: featureNames(cols), features, target };
}

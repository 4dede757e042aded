/**
 * Reading a stored preprocessor back: every field checked (its JSON path in the message), and the two
 * older dialects of mlpkit 0.1.0 model files upgraded — the command's `{ columns, features, target }` and
 * the estimators' `{ nFeatures, scaler }` — so files written by 0.1.0 still load and predict the same.
 */

import type { Label } from '../data/matrix-input.js';
import type { Task } from '../graph/builders.js';
import { lossName, QUANTILE_TAU } from '../losses.js';
import type { ModelSpec } from '../spec.js';
import { checkQuantileList } from './options.js';
import { featurePipeline, type StandardStep } from '../io/features.js';
import {
  checkArray, checkBoolean, checkFinite, checkJsonObject, checkNumberArray, checkObject, checkOneOf, checkString, childPath, fail, isPlainObject, show,
} from '../io/json-check.js';
import { Preprocessor, type ColumnPlan, type Impute, type PreprocessorJSON, type TargetPlan } from './preprocessor.js';

/** What the rest of the model file says, to check the preprocessor against it. */
export interface PreprocessorContext {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly task?: Task;
  readonly classes?: readonly Label[];
  /** The network's loss as the spec names it, with its quantiles: a quantile target must match them. */
  readonly loss?: Pick<ModelSpec, 'loss' | 'quantiles'>;
}

const KEYS = ['kind', 'version', 'columns', 'target', 'unknown', 'scaling', 'impute', 'featureNames', 'features'];

/** Validate a stored preprocessor (any dialect) and rebuild it. */
export function parsePreprocessor(v: unknown, path: string, ctx: PreprocessorContext): Preprocessor {
  const o = checkObject(v, path);
  let p: Preprocessor;
  if (o.kind === 'preprocessor') p = parseCurrent(o, path);
  else if (Array.isArray(o.columns)) p = upgradeCommandDialect(o, path);
  else if ('nFeatures' in o) p = upgradeEstimatorDialect(o, path, ctx);
  else if ('features' in o || 'oneHot' in o || 'scaler' in o) p = upgradePipelineDialect(o, path, ctx);
  else fail(path, 'is not an mlpkit preprocessor (expected kind: "preprocessor")');
  if (p.width !== ctx.inputSize) fail(path, `gives ${p.width} network inputs, but the network takes ${ctx.inputSize}`);
  if (p.outputWidth !== ctx.outputSize) fail(`${path}.target`, `gives ${p.outputWidth} network outputs, but the network has ${ctx.outputSize}`);
  if (ctx.task !== undefined && ctx.task !== p.task) fail(`${path}.target.task`, `is ${p.task}, but the file's task is ${ctx.task}`);
  const t = p.target;
  if (ctx.classes !== undefined && t.task !== 'regression' && (ctx.classes.length !== t.classes.length || ctx.classes.some((c, i) => String(c) !== String(t.classes[i])))) {
    fail(`${path}.target.classes`, `do not match the file's classes (${ctx.classes.map((c) => JSON.stringify(c)).join(', ')})`);
  }
  if (t.task === 'regression' && t.quantiles !== undefined && ctx.loss !== undefined) checkQuantileTarget(t.quantiles, ctx.loss, `${path}.target.quantiles`);
  return p;
}

/** A quantile target's τ are the network's: its loss is 'quantile' with the same τ per output. */
function checkQuantileTarget(q: readonly number[], spec: Pick<ModelSpec, 'loss' | 'quantiles'>, path: string): void {
  const name = lossName(spec.loss);
  if (name !== 'quantile') fail(path, `give the τ of a quantile loss, but the network's loss is '${name}'`);
  const tau = (j: number): number => (spec.quantiles === undefined ? QUANTILE_TAU : spec.quantiles[spec.quantiles.length === 1 ? 0 : j]!);
  const j = q.findIndex((t, k) => t !== tau(k));
  if (j >= 0) fail(childPath(path, j), `is ${q[j]}, but the network's output ${j} is trained for τ = ${tau(j)} ($.spec.quantiles)`);
}

function parseCurrent(o: Record<string, unknown>, path: string): Preprocessor {
  checkObject(o, path, KEYS);
  if (o.version !== 1) fail(`${path}.version`, `expected 1, got ${show(o.version)}`);
  const columns = checkArray(o.columns, `${path}.columns`, true).map((c, i) => parseColumn(c, childPath(`${path}.columns`, i)));
  uniqueNames(columns.map((c) => c.name), `${path}.columns`);
  const target = parseTarget(o.target, `${path}.target`);
  const unknown = checkOneOf(o.unknown, `${path}.unknown`, ['error', 'ignore'] as const);
  const scaling = checkOneOf(o.scaling, `${path}.scaling`, ['standard', 'minmax', 'none'] as const);
  const impute = o.impute === null ? null : checkOneOf(o.impute, `${path}.impute`, ['mean', 'median', 'most-frequent', 'constant'] as const);
  return Preprocessor.fromPlan({ columns, target, unknown, scaling, impute });
}

function parseColumn(v: unknown, path: string): ColumnPlan {
  const o = checkObject(v, path);
  const type = checkOneOf(o.type, `${path}.type`, ['number', 'category'] as const);
  const name = checkString(o.name, `${path}.name`);
  if (type === 'number') {
    checkObject(v, path, ['name', 'type', 'fill', 'center', 'scale']);
    const fill = o.fill === null ? null : checkFinite(o.fill, `${path}.fill`);
    const center = checkFinite(o.center, `${path}.center`);
    const scale = checkFinite(o.scale, `${path}.scale`);
    if (!(scale > 0)) fail(`${path}.scale`, `expected a positive number, got ${scale}`);
    return { name, type, fill, center, scale };
  }
  checkObject(v, path, ['name', 'type', 'levels', 'fill', 'other']);
  const levels = checkArray(o.levels, `${path}.levels`).map((l, i) => checkString(l, childPath(`${path}.levels`, i), false));
  uniqueNames(levels, `${path}.levels`);
  const other = checkBoolean(o.other, `${path}.other`);
  if (levels.length === 0 && !other) fail(`${path}.levels`, 'a category column needs at least one level');
  const fill = o.fill === null ? null : checkString(o.fill, `${path}.fill`, false);
  return { name, type, levels, fill, other };
}

function parseTarget(v: unknown, path: string): TargetPlan {
  const o = checkObject(v, path);
  const task = checkOneOf(o.task, `${path}.task`, ['regression', 'binary', 'multiclass'] as const);
  if (task === 'regression') {
    checkObject(v, path, ['task', 'names', 'mean', 'scale', 'quantiles']);
    const names = checkArray(o.names, `${path}.names`, true).map((n, i) => checkString(n, childPath(`${path}.names`, i)));
    const mean = checkNumberArray(o.mean, `${path}.mean`, names.length);
    const scale = checkNumberArray(o.scale, `${path}.scale`, names.length);
    scale.forEach((s, j) => { if (!(s > 0)) fail(`${path}.scale[${j}]`, `expected a positive number, got ${s}`); });
    if (o.quantiles === undefined) return { task, names, mean, scale };
    return { task, names, mean, scale, quantiles: parseQuantiles(o.quantiles, `${path}`, names, mean, scale) };
  }
  checkObject(v, path, ['task', 'name', 'classes']);
  const name = checkString(o.name, `${path}.name`);
  const classes = parseClasses(o.classes, `${path}.classes`);
  if (task === 'binary' ? classes.length !== 2 : classes.length < 3) fail(`${path}.classes`, `a ${task} target has ${task === 'binary' ? 'exactly 2' : 'at least 3'} classes, got ${classes.length}`);
  return { task, name, classes };
}

/** A quantile target: distinct τ in (0, 1), one per output, each output the same column with the same scaling. */
function parseQuantiles(v: unknown, path: string, names: readonly string[], mean: readonly number[], scale: readonly number[]): number[] {
  const q = checkNumberArray(v, `${path}.quantiles`, names.length);
  checkQuantileList(q, `${path}.quantiles`);
  for (const [key, list] of [['names', names], ['mean', mean], ['scale', scale]] as const) {
    const j = list.findIndex((x) => x !== list[0]);
    if (j >= 0) fail(childPath(`${path}.${key}`, j), `a quantile target is one column given once per τ, but ${JSON.stringify(list[j])} differs from ${JSON.stringify(list[0])}`);
  }
  return q;
}

function parseClasses(v: unknown, path: string): Label[] {
  const a = checkArray(v, path, true);
  const out = a.map((c, i) => {
    if (typeof c === 'number') return checkFinite(c, childPath(path, i));
    return checkString(c, childPath(path, i), false);
  });
  uniqueNames(out.map(String), path);
  return out;
}

function uniqueNames(names: readonly string[], path: string): void {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) fail(childPath(path, i), `duplicate name ${JSON.stringify(n)}`);
    seen.add(n);
  });
}

// ---------------------------------------------------------------------------------------------
// mlpkit 0.1.0 dialects

/** The command's 0.1.0 section: raw columns (numeric | categorical with levels, impute), feature steps, target. */
function upgradeCommandDialect(o: Record<string, unknown>, path: string): Preprocessor {
  const steps = featurePipeline(checkJsonObject(o, path), path);
  const standard = steps.find((s): s is StandardStep => s.kind === 'standard');
  let off = 0;
  let impute: Impute | null = null;
  const columns = checkArray(o.columns, `${path}.columns`, true).map((c, i): ColumnPlan => {
    const p = childPath(`${path}.columns`, i);
    const co = checkObject(c, p);
    const name = checkString(co.name, `${p}.name`);
    const kind = checkOneOf(co.kind, `${p}.kind`, ['numeric', 'categorical'] as const);
    if (co.impute !== null && co.impute !== undefined) impute = 'most-frequent';
    if (kind === 'numeric') {
      const at = off++;
      const center = standard === undefined ? 0 : standard.mean[at] ?? fail(`${path}.features`, `the scaling has no entry for column ${at}`);
      const scale = standard === undefined ? 1 : standard.scale[at]!;
      return { name, type: 'number', fill: co.impute === null || co.impute === undefined ? null : checkFinite(co.impute, `${p}.impute`), center, scale };
    }
    const levels = checkArray(co.levels, `${p}.levels`, true).map((l, j) => checkString(l, childPath(`${p}.levels`, j), false));
    off += levels.length;
    return { name, type: 'category', levels, fill: co.impute === null || co.impute === undefined ? null : checkString(co.impute, `${p}.impute`, false), other: false };
  });
  const t = checkObject(o.target, `${path}.target`);
  const tname = checkString(t.name, `${path}.target.name`);
  const task = checkOneOf(t.task, `${path}.target.task`, ['regression', 'binary', 'multiclass'] as const);
  const target: TargetPlan = task === 'regression'
    ? { task, names: [tname], mean: [checkFinite(t.mean, `${path}.target.mean`)], scale: [checkFinite(t.scale, `${path}.target.scale`)] }
    : { task, name: tname, classes: parseClasses(t.classes, `${path}.target.classes`) };
  return Preprocessor.fromPlan({ columns, target, unknown: 'error', scaling: standard === undefined ? 'none' : 'standard', impute });
}

/** The estimators' 0.1.0 section: `nFeatures` numeric inputs and an optional StandardScaler; targets unscaled. */
function upgradeEstimatorDialect(o: Record<string, unknown>, path: string, ctx: PreprocessorContext): Preprocessor {
  const n = o.nFeatures;
  if (typeof n !== 'number' || !Number.isInteger(n) || n !== ctx.inputSize) fail(`${path}.nFeatures`, `must be ${ctx.inputSize}, got ${show(n)}`);
  let mean: number[] = new Array<number>(n).fill(0);
  let scale: number[] = new Array<number>(n).fill(1);
  if (isPlainObject(o.scaler)) {
    mean = checkNumberArray(o.scaler.mean, `${path}.scaler.mean`, n);
    scale = checkNumberArray(o.scaler.scale, `${path}.scaler.scale`, n);
  } else if (o.scaler !== null && o.scaler !== undefined) fail(`${path}.scaler`, `expected a fitted StandardScaler or null, got ${show(o.scaler)}`);
  const columns: ColumnPlan[] = mean.map((m, j) => ({ name: `x${j + 1}`, type: 'number', fill: null, center: m, scale: scale[j]! > 0 ? scale[j]! : 1 }));
  return Preprocessor.fromPlan({ columns, target: bareTarget(path, ctx), unknown: 'error', scaling: o.scaler === null ? 'none' : 'standard', impute: null });
}

/**
 * A bare feature pipeline of 0.1.0 (`features`, or `oneHot` then `scaler`) over unnamed inputs: numeric
 * inputs become columns x1…, one-hot inputs categories whose levels are their codes ('0', '1', …).
 */
function upgradePipelineDialect(o: Record<string, unknown>, path: string, ctx: PreprocessorContext): Preprocessor {
  const steps = featurePipeline(checkJsonObject(o, path), path);
  const oneHot = steps.find((s) => s.kind === 'oneHot');
  const scaling = steps.find((s) => s.kind !== 'oneHot');
  if (steps.length > 2 || (oneHot !== undefined && steps[0] !== oneHot)) fail(path, 'a 0.1.0 pipeline is read as one-hot, then one scaling; this one has another order');
  const hot = new Map(oneHot === undefined ? [] : oneHot.columns.map((c, i) => [c, oneHot.categories[i]!] as const));
  const raw = ctx.inputSize - [...hot.values()].reduce((a, c) => a + c.length - 1, 0);
  const affine = (j: number): { center: number; scale: number } => {
    if (scaling === undefined) return { center: 0, scale: 1 };
    if (scaling.kind === 'standard') return { center: scaling.withMean ? scaling.mean[j]! : 0, scale: scaling.withStd ? scaling.scale[j]! : 1 };
    const [lo, hi] = scaling.featureRange;
    const range = scaling.dataMax[j]! - scaling.dataMin[j]! || 1;
    return { center: scaling.dataMin[j]! - (lo * range) / (hi - lo), scale: range / (hi - lo) };
  };
  let out = 0;
  const columns: ColumnPlan[] = [];
  for (let i = 0; i < raw; i++) {
    const cats = hot.get(i);
    if (cats === undefined) { columns.push({ name: `x${i + 1}`, type: 'number', fill: null, ...affine(out) }); out++; continue; }
    for (let k = 0; k < cats.length; k++) {
      const a = affine(out + k);
      if (a.center !== 0 || a.scale !== 1) fail(path, `the scaling changes one-hot column ${out + k} (input ${i + 1}); a 0.1.0 pipeline that scales one-hot columns cannot be read`);
    }
    columns.push({ name: `x${i + 1}`, type: 'category', levels: cats.map(String), fill: null, other: false });
    out += cats.length;
  }
  return Preprocessor.fromPlan({ columns, target: bareTarget(path, ctx), unknown: 'ignore', scaling: scaling === undefined ? 'none' : 'standard', impute: null });
}

/** The unscaled target of a file whose preprocessing names no target. */
function bareTarget(path: string, ctx: PreprocessorContext): TargetPlan {
  const task = ctx.task ?? (ctx.classes === undefined ? 'regression' : ctx.classes.length === 2 ? 'binary' : 'multiclass');
  if (task === 'regression') {
    const k = ctx.outputSize;
    return { task, names: Array.from({ length: k }, (_, j) => (k === 1 ? 'y' : `y${j + 1}`)), mean: new Array<number>(k).fill(0), scale: new Array<number>(k).fill(1) };
  }
  return { task, name: 'y', classes: [...(ctx.classes ?? fail(path, 'a classifier file needs $.classes'))] };
}

export type { PreprocessorJSON };

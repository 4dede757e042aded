/**
 * The feature transforms stored in a model file's `preprocessing` section, as an ordered pipeline that
 * turns raw numeric features into the model's inputs. The ONNX exporter compiles it into operators so that
 * an exported file takes raw features.
 *
 * Where it is read from (in this order of precedence):
 *   preprocessing.features: FeatureStep[]              an explicit pipeline, applied in order;
 *   preprocessing.oneHot, then preprocessing.scaler     the usual pair (either may be absent).
 * Other keys of the section (label encoders, notes) are left to their owners.
 *
 * Steps:
 *   { kind: 'standard', withMean, withStd, mean, scale }     z = (x − mean)/scale  (StandardScaler's JSON)
 *   { kind: 'minmax', featureRange: [lo, hi], dataMin, dataMax }
 *                                       z = (x − min)·(hi − lo)/(max − min) + lo, max − min taken as 1 if 0
 *   { kind: 'oneHot', columns, categories }   each listed column (a numeric category code) is replaced, in
 *                                       place, by one 0/1 column per category in `categories[i]`; a value
 *                                       that is no category gives all zeros.
 */

import {
  checkArray, checkBoolean, checkFinite, checkInt, checkNumberArray, checkObject, checkOneOf, childPath, fail,
  type JsonObject,
} from './json-check.js';

/** Standardization z = (x − mean)/scale per column. */
export interface StandardStep {
  readonly kind: 'standard';
  readonly withMean: boolean;
  readonly withStd: boolean;
  readonly mean: readonly number[];
  readonly scale: readonly number[];
}

/** Min-max scaling of each column onto featureRange. */
export interface MinMaxStep {
  readonly kind: 'minmax';
  readonly featureRange: readonly [number, number];
  readonly dataMin: readonly number[];
  readonly dataMax: readonly number[];
}

/** One-hot encoding of category-code columns. */
export interface OneHotStep {
  readonly kind: 'oneHot';
  /** Input columns holding category codes, increasing. */
  readonly columns: readonly number[];
  /** categories[i]: the codes of columns[i], in output order. */
  readonly categories: readonly (readonly number[])[];
}

/** One step of the feature pipeline stored in a model file, told apart by `kind`. */
export type FeatureStep = StandardStep | MinMaxStep | OneHotStep;

/** The pipeline stored in a preprocessing section (empty when there is none). */
export function featurePipeline(preprocessing: JsonObject | undefined, path = '$.preprocessing'): FeatureStep[] {
  if (preprocessing === undefined) return [];
  if (preprocessing.features !== undefined) {
    return checkArray(preprocessing.features, `${path}.features`).map((s, i) => checkStep(s, childPath(`${path}.features`, i)));
  }
  const steps: FeatureStep[] = [];
  if (preprocessing.oneHot !== undefined) steps.push(checkStep(preprocessing.oneHot, `${path}.oneHot`, 'oneHot'));
  if (preprocessing.scaler !== undefined) steps.push(checkStep(preprocessing.scaler, `${path}.scaler`));
  return steps;
}

export function checkStep(v: unknown, path: string, expect?: FeatureStep['kind']): FeatureStep {
  const o = checkObject(v, path);
  const kind = checkOneOf(o.kind, `${path}.kind`, expect === undefined ? ['standard', 'minmax', 'oneHot'] as const : [expect]);
  switch (kind) {
    case 'standard': {
      const withMean = o.withMean === undefined ? true : checkBoolean(o.withMean, `${path}.withMean`);
      const withStd = o.withStd === undefined ? true : checkBoolean(o.withStd, `${path}.withStd`);
      if (o.mean === null || o.scale === null) fail(path, 'the scaler was never fitted (mean/scale are null)');
      const mean = checkNumberArray(o.mean, `${path}.mean`);
      const scale = checkNumberArray(o.scale, `${path}.scale`, mean.length);
      scale.forEach((s, j) => { if (!(s > 0)) fail(`${path}.scale[${j}]`, `expected a positive number, got ${s}`); });
      return { kind, withMean, withStd, mean, scale };
    }
    case 'minmax': {
      const range = checkNumberArray(o.featureRange ?? [0, 1], `${path}.featureRange`, 2);
      if (!(range[0]! < range[1]!)) fail(`${path}.featureRange`, `expected [lo, hi] with lo < hi, got [${range.join(', ')}]`);
      if (o.dataMin === null || o.dataMax === null) fail(path, 'the scaler was never fitted (dataMin/dataMax are null)');
      const dataMin = checkNumberArray(o.dataMin, `${path}.dataMin`);
      const dataMax = checkNumberArray(o.dataMax, `${path}.dataMax`, dataMin.length);
      return { kind, featureRange: [range[0]!, range[1]!], dataMin, dataMax };
    }
    case 'oneHot': {
      const columns = checkArray(o.columns, `${path}.columns`, true).map((c, i) => checkInt(c, `${path}.columns[${i}]`, 0));
      columns.forEach((c, i) => { if (i > 0 && c <= columns[i - 1]!) fail(`${path}.columns[${i}]`, 'columns must be increasing'); });
      const cats = checkArray(o.categories, `${path}.categories`);
      if (cats.length !== columns.length) fail(`${path}.categories`, `expected one list per column (${columns.length}), got ${cats.length}`);
      const categories = cats.map((c, i) => {
        const list = checkArray(c, `${path}.categories[${i}]`, true).map((x, j) => checkFinite(x, `${path}.categories[${i}][${j}]`));
        if (new Set(list).size !== list.length) fail(`${path}.categories[${i}]`, 'categories must be distinct');
        return list;
      });
      return { kind, columns, categories };
    }
  }
}

/** Output width of the pipeline for `width` raw features; fails naming the step that does not fit. */
export function pipelineWidth(steps: readonly FeatureStep[], width: number): number {
  let w = width;
  steps.forEach((s, i) => {
    const where = `preprocessing step ${i} (${s.kind})`;
    if (s.kind === 'oneHot') {
      const last = s.columns[s.columns.length - 1]!;
      if (last >= w) throw new Error(`${where}: column ${last} does not exist in ${w} features`);
      w += s.categories.reduce((a, c) => a + c.length - 1, 0);
      return;
    }
    const n = s.kind === 'standard' ? s.mean.length : s.dataMin.length;
    if (n !== w) throw new Error(`${where}: fitted on ${n} features, but ${w} reach it`);
  });
  return w;
}

/** Per-column z = (x − shift)/divisor + offset of a scaling step. */
export function affineOf(s: StandardStep | MinMaxStep): { shift: number[]; divisor: number[]; offset: number } {
  if (s.kind === 'standard') {
    return {
      shift: s.mean.map((m) => (s.withMean ? m : 0)),
      divisor: s.scale.map((c) => (s.withStd ? c : 1)),
      offset: 0,
    };
  }
  const [lo, hi] = s.featureRange;
  return {
    shift: [...s.dataMin],
    divisor: s.dataMin.map((mn, j) => (s.dataMax[j]! - mn === 0 ? 1 : s.dataMax[j]! - mn) / (hi - lo)),
    offset: lo,
  };
}

/** The pipeline applied to rows of raw features (in float64), e.g. to compare with an exported file. */
export function applyFeaturePipeline(steps: readonly FeatureStep[], rows: readonly (readonly number[])[]): number[][] {
  let out = rows.map((r) => [...r]);
  for (const s of steps) {
    if (s.kind === 'oneHot') {
      out = out.map((r) => r.flatMap((v, j) => {
        const c = s.columns.indexOf(j);
        return c < 0 ? [v] : s.categories[c]!.map((cat) => (v === cat ? 1 : 0));
      }));
      continue;
    }
    const { shift, divisor, offset } = affineOf(s);
    out = out.map((r) => r.map((v, j) => (v - shift[j]!) / divisor[j]! + offset));
  }
  return out;
}

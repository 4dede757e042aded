/**
 * Categorical encodings: class labels to indices (and one-hot targets), categorical feature
 * columns to indicator columns. Categories are kept in canonical order (numbers ascending, strings
 * by code unit), so the encoding depends on the set of values seen in training, not on row order.
 */

import type { DType } from '../kernels/backend.js';
import { checkLabels, compareLabels, describeValue, formatLabel, sortedUniqueLabels } from './matrix-input.js';
import type { Label, LabelKind, NumericMatrix } from './matrix-input.js';

function labelArray(json: unknown, owner: string, fieldName: string): Label[] {
  if (!Array.isArray(json) || json.length === 0) throw new Error(`${owner}.${fieldName}: expected a non-empty array of labels`);
  checkLabels(json, { what: `${owner}.${fieldName}` });
  const labels = json as Label[];
  for (let i = 1; i < labels.length; i++) {
    if (compareLabels(labels[i - 1]!, labels[i]!) >= 0) {
      throw new Error(`${owner}.${fieldName}: must be sorted and distinct, but entry ${i} is ${formatLabel(labels[i]!)}`);
    }
  }
  return labels;
}

function objectField(json: unknown, key: string, owner: string): unknown {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${owner}: expected an object`);
  return (json as Record<string, unknown>)[key];
}

/** A LabelEncoder as JSON (its classes; null before fit). */
export interface LabelEncoderJSON {
  readonly kind: 'label';
  readonly classes: readonly Label[] | null;
}

/** Class labels (numbers or strings, not a mix) ↔ indices 0..k−1 in canonical label order. */
export class LabelEncoder {
  private cls: Label[] | null = null;
  private index = new Map<Label, number>();

  get fitted(): boolean { return this.cls !== null; }
  /** The classes in index order (copy). */
  get classes(): Label[] { return [...this.need('classes')]; }
  get nClasses(): number { return this.cls?.length ?? 0; }
  get labelKind(): LabelKind { return typeof this.need('labelKind')[0] === 'number' ? 'number' : 'string'; }

  fit(y: ArrayLike<Label>): this {
    checkLabels(y, { what: 'LabelEncoder.fit: y' });
    this.setClasses(sortedUniqueLabels(y));
    return this;
  }

  /** Class indices; a label not seen in fit is an error naming its row. */
  transform(y: ArrayLike<Label>, what = 'y'): Int32Array {
    const cls = this.need('transform');
    const kind = checkLabels(y, { what });
    const expected = typeof cls[0] === 'number' ? 'number' : 'string';
    if (kind !== expected) {
      throw new Error(`${what}: labels are ${kind}s but the classes seen in training are ${expected}s (${cls.map(formatLabel).join(', ')})`);
    }
    const out = new Int32Array(y.length);
    for (let i = 0; i < y.length; i++) {
      const k = this.index.get(y[i]!);
      if (k === undefined) {
        throw new Error(`${what}: row ${i} has class ${formatLabel(y[i]!)}, not seen in training (known: ${cls.map(formatLabel).join(', ')})`);
      }
      out[i] = k;
    }
    return out;
  }

  fitTransform(y: ArrayLike<Label>): Int32Array {
    return this.fit(y).transform(y);
  }

  /** Labels of class indices. */
  inverseTransform(indices: ArrayLike<number>): Label[] {
    const cls = this.need('inverseTransform');
    const out: Label[] = [];
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i]!;
      const c = Number.isInteger(k) ? cls[k] : undefined;
      if (c === undefined) throw new Error(`LabelEncoder.inverseTransform: row ${i} is ${describeValue(k)}, not a class index in 0..${cls.length - 1}`);
      out.push(c);
    }
    return out;
  }

  /** One-hot targets: an n × k matrix with a 1 in each row's class column (the softmax output's target). */
  oneHot(y: ArrayLike<Label>, dtype: DType = 'float64', what = 'y'): NumericMatrix {
    const idx = this.transform(y, what);
    const k = this.nClasses;
    const data = dtype === 'float64' ? new Float64Array(idx.length * k) : new Float32Array(idx.length * k);
    for (let i = 0; i < idx.length; i++) data[i * k + idx[i]!] = 1;
    return { rows: idx.length, cols: k, data };
  }

  toJSON(): LabelEncoderJSON {
    return { kind: 'label', classes: this.cls && [...this.cls] };
  }

  static fromJSON(json: unknown): LabelEncoder {
    if (objectField(json, 'kind', 'LabelEncoder') !== 'label') throw new Error('LabelEncoder.kind: expected "label"');
    const enc = new LabelEncoder();
    const classes = objectField(json, 'classes', 'LabelEncoder');
    if (classes !== null) enc.setClasses(labelArray(classes, 'LabelEncoder', 'classes'));
    return enc;
  }

  private setClasses(classes: Label[]): void {
    this.cls = classes;
    this.index = new Map(classes.map((c, i) => [c, i]));
  }

  private need(op: string): Label[] {
    if (this.cls === null) throw new Error(`LabelEncoder.${op}: call fit first`);
    return this.cls;
  }
}

/** A table cell before encoding: a number, or a category given as a string. */
export type Cell = number | string;

/** What an encoder does with a category it did not see in fit: 'error' (throw, naming it) or 'ignore' (all zeros). */
export type HandleUnknown = 'error' | 'ignore';

/** Which columns a OneHotEncoder encodes and what it does with a category it did not see in fit. */
export interface OneHotEncoderOptions {
  /**
   * The columns to encode (0-based). Default: every column that holds a string in some row.
   * The other columns pass through unchanged and must be finite numbers.
   */
  readonly columns?: readonly number[];
  /** A category not seen in training: 'error' (default) or 'ignore' (all its indicators are 0). */
  readonly handleUnknown?: HandleUnknown;
}

/** A OneHotEncoder as JSON (its options and fitted categories). */
export interface OneHotEncoderJSON {
  readonly kind: 'onehot';
  readonly handleUnknown: HandleUnknown;
  readonly nFeaturesIn: number | null;
  /** For each encoded column, its index in the input and its categories in indicator order. */
  readonly categories: readonly { readonly column: number; readonly values: readonly Label[] }[] | null;
}

/**
 * One-hot encoding of categorical feature columns, in place: each encoded column is replaced by
 * one indicator column per training category, in the column's position; numeric columns pass through.
 */
export class OneHotEncoder {
  readonly handleUnknown: HandleUnknown;
  private readonly requested: readonly number[] | undefined;
  private nIn: number | null = null;
  private cats: Map<number, Label[]> | null = null;

  constructor(options: OneHotEncoderOptions = {}) {
    this.handleUnknown = options.handleUnknown ?? 'error';
    if (this.handleUnknown !== 'error' && this.handleUnknown !== 'ignore') {
      throw new Error(`OneHotEncoder: handleUnknown must be 'error' or 'ignore', got ${describeValue(this.handleUnknown)}`);
    }
    this.requested = options.columns && [...options.columns];
  }

  get fitted(): boolean { return this.cats !== null; }
  get nFeaturesIn(): number { return this.nIn ?? 0; }
  /** Width of the encoded table. */
  get nFeaturesOut(): number {
    const [nIn, cats] = this.need('nFeaturesOut');
    let w = nIn;
    for (const v of cats.values()) w += v.length - 1;
    return w;
  }
  /** The categories of each encoded column, by input column index (copy). */
  get categories(): Map<number, Label[]> {
    return new Map([...this.need('categories')[1]].map(([c, v]) => [c, [...v]]));
  }

  fit(x: readonly (readonly Cell[])[]): this {
    const cols = checkTable(x, 'OneHotEncoder.fit: x');
    const columns = this.requested ?? stringColumns(x, cols);
    for (const c of columns) {
      if (!Number.isInteger(c) || c < 0 || c >= cols) throw new Error(`OneHotEncoder: column ${c} is out of range 0..${cols - 1}`);
    }
    const cats = new Map<number, Label[]>();
    for (const c of [...new Set(columns)].sort((a, b) => a - b)) {
      const column = x.map((r) => r[c]!);
      checkLabels(column, { what: `OneHotEncoder.fit: x column ${c}` });
      cats.set(c, sortedUniqueLabels(column));
    }
    this.nIn = cols;
    this.cats = cats;
    return this;
  }

  transform(x: readonly (readonly Cell[])[], dtype: DType = 'float64', what = 'x'): NumericMatrix {
    const [nIn, cats] = this.need('transform');
    checkTable(x, what, nIn);
    const index = new Map([...cats].map(([c, v]) => [c, new Map(v.map((label, k) => [label, k]))]));
    const width = this.nFeaturesOut;
    const rows = x.length;
    const data = dtype === 'float64' ? new Float64Array(rows * width) : new Float32Array(rows * width);
    for (let i = 0; i < rows; i++) {
      const r = x[i]!;
      let o = i * width;
      for (let j = 0; j < nIn; j++) {
        const v = r[j]!;
        const idx = index.get(j);
        if (idx === undefined) {
          if (typeof v !== 'number' || !Number.isFinite(v)) {
            throw new Error(`${what}: row ${i}, column ${j} is ${describeValue(v)}; a numeric column must hold finite numbers (list it in 'columns' to encode it)`);
          }
          data[o++] = v;
          continue;
        }
        const k = idx.get(v);
        if (k !== undefined) data[o + k] = 1;
        else if (this.handleUnknown === 'error') {
          const known = cats.get(j)!.map(formatLabel).join(', ');
          throw new Error(`${what}: row ${i}, column ${j} has category ${formatLabel(v)}, not seen in training (known: ${known}); pass handleUnknown: 'ignore' to encode it as all zeros`);
        }
        o += idx.size;
      }
    }
    return { rows, cols: width, data };
  }

  fitTransform(x: readonly (readonly Cell[])[], dtype: DType = 'float64'): NumericMatrix {
    return this.fit(x).transform(x, dtype);
  }

  /**
   * Back to cells. An all-zero indicator group (an ignored unknown category) becomes null;
   * otherwise the category of the largest indicator.
   */
  inverseTransform(z: NumericMatrix): (Cell | null)[][] {
    const [nIn, cats] = this.need('inverseTransform');
    const width = this.nFeaturesOut;
    if (z.cols !== width) throw new Error(`OneHotEncoder.inverseTransform: expected ${width} columns, got ${z.cols}`);
    const out: (Cell | null)[][] = [];
    for (let i = 0; i < z.rows; i++) {
      const row: (Cell | null)[] = [];
      let o = i * width;
      for (let j = 0; j < nIn; j++) {
        const values = cats.get(j);
        if (values === undefined) { row.push(z.data[o++]!); continue; }
        let best = -1;
        for (let k = 0; k < values.length; k++) if (z.data[o + k]! > 0 && (best < 0 || z.data[o + k]! > z.data[o + best]!)) best = k;
        row.push(best < 0 ? null : values[best]!);
        o += values.length;
      }
      out.push(row);
    }
    return out;
  }

  /** Names of the encoded columns: `name=category` for indicators, the input name otherwise. */
  featureNamesOut(inputNames?: readonly string[]): string[] {
    const [nIn, cats] = this.need('featureNamesOut');
    if (inputNames !== undefined && inputNames.length !== nIn) {
      throw new Error(`OneHotEncoder.featureNamesOut: got ${inputNames.length} names for ${nIn} columns`);
    }
    const names: string[] = [];
    for (let j = 0; j < nIn; j++) {
      const base = inputNames?.[j] ?? `x${j}`;
      const values = cats.get(j);
      if (values === undefined) names.push(base);
      else for (const v of values) names.push(`${base}=${v}`);
    }
    return names;
  }

  toJSON(): OneHotEncoderJSON {
    return {
      kind: 'onehot', handleUnknown: this.handleUnknown, nFeaturesIn: this.nIn,
      categories: this.cats && [...this.cats].map(([column, values]) => ({ column, values: [...values] })),
    };
  }

  static fromJSON(json: unknown): OneHotEncoder {
    const owner = 'OneHotEncoder';
    if (objectField(json, 'kind', owner) !== 'onehot') throw new Error(`${owner}.kind: expected "onehot"`);
    const handleUnknown = objectField(json, 'handleUnknown', owner);
    if (handleUnknown !== 'error' && handleUnknown !== 'ignore') throw new Error(`${owner}.handleUnknown: expected "error" or "ignore"`);
    const nIn = objectField(json, 'nFeaturesIn', owner);
    const categories = objectField(json, 'categories', owner);
    const enc = new OneHotEncoder({ handleUnknown });
    if (nIn === null && categories === null) return enc;
    if (typeof nIn !== 'number' || !Number.isInteger(nIn) || nIn < 1) throw new Error(`${owner}.nFeaturesIn: expected a positive integer`);
    if (!Array.isArray(categories)) throw new Error(`${owner}.categories: expected an array`);
    const cats = new Map<number, Label[]>();
    categories.forEach((entry: unknown, i) => {
      const where = `${owner}.categories[${i}]`;
      const column = objectField(entry, 'column', where);
      if (typeof column !== 'number' || !Number.isInteger(column) || column < 0 || column >= nIn) {
        throw new Error(`${where}.column: expected an integer in 0..${nIn - 1}`);
      }
      if (cats.has(column)) throw new Error(`${where}.column: column ${column} is listed twice`);
      cats.set(column, labelArray(objectField(entry, 'values', where), where, 'values'));
    });
    enc.nIn = nIn;
    enc.cats = new Map([...cats].sort((a, b) => a[0] - b[0]));
    return enc;
  }

  private need(op: string): [number, Map<number, Label[]>] {
    if (this.nIn === null || this.cats === null) throw new Error(`OneHotEncoder.${op}: call fit first`);
    return [this.nIn, this.cats];
  }
}

/** Check that x is a non-empty rectangular table; returns its width. */
function checkTable(x: readonly (readonly Cell[])[], what: string, cols?: number): number {
  if (!Array.isArray(x)) throw new Error(`${what}: expected an array of rows, got ${describeValue(x)}`);
  if (x.length === 0) throw new Error(`${what}: no rows (empty data)`);
  const width = cols ?? (Array.isArray(x[0]) ? x[0].length : 0);
  if (width === 0) throw new Error(`${what}: row 0 has no values`);
  x.forEach((r: unknown, i) => {
    if (!Array.isArray(r)) throw new Error(`${what}: row ${i} is ${describeValue(r)}, expected an array`);
    if (r.length !== width) {
      throw new Error(`${what}: row ${i} has ${r.length} values, expected ${width}${cols === undefined ? ' as in row 0 (ragged rows)' : ' (the width seen in training)'}`);
    }
  });
  return width;
}

function stringColumns(x: readonly (readonly Cell[])[], cols: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < cols; j++) if (x.some((r) => typeof r[j] === 'string')) out.push(j);
  return out;
}

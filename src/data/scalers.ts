/**
 * Feature scaling, fitted on training data only and stored with the model.
 *
 * The lecture: "Standardization of features makes gradient descent converge faster". Both scalers
 * are affine per column, z = (x − shift)/divisor, so that transform and inverseTransform are one
 * loop each and their state is two plain number arrays that survive JSON exactly.
 */

import type { DType } from '../kernels/backend.js';
import { toNumericMatrix } from './matrix-input.js';
import type { MatrixInput, NumericMatrix } from './matrix-input.js';

/** A StandardScaler as JSON (its options and fitted means and scales; null before fit). */
export interface StandardScalerJSON {
  readonly kind: 'standard';
  readonly withMean: boolean;
  readonly withStd: boolean;
  /** Per-column mean of the training data (kept even when withMean is false, for inspection). */
  readonly mean: readonly number[] | null;
  /** Per-column divisor: the population standard deviation, 1 for a constant column. */
  readonly scale: readonly number[] | null;
}

/** A MinMaxScaler as JSON (its range and fitted minima and maxima; null before fit). */
export interface MinMaxScalerJSON {
  readonly kind: 'minmax';
  readonly featureRange: readonly [number, number];
  readonly dataMin: readonly number[] | null;
  readonly dataMax: readonly number[] | null;
}

/** Either scaler's JSON, told apart by `kind`. */
export type ScalerJSON = StandardScalerJSON | MinMaxScalerJSON;

/** Apply z = (x − shift)/divisor (or x = z·divisor + shift) column by column, into a new matrix. */
function affine(
  x: NumericMatrix, shift: Float64Array, divisor: Float64Array, inverse: boolean, dtype: DType,
): NumericMatrix {
  const { rows, cols, data } = x;
  const out = dtype === 'float64' ? new Float64Array(rows * cols) : new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      out[o + j] = inverse ? data[o + j]! * divisor[j]! + shift[j]! : (data[o + j]! - shift[j]!) / divisor[j]!;
    }
  }
  return { rows, cols, data: out };
}

function outputDType(x: MatrixInput, dtype: DType | undefined): DType {
  if (dtype !== undefined) return dtype;
  return !Array.isArray(x) && 'data' in x && x.data instanceof Float32Array ? 'float32' : 'float64';
}

function numberArray(json: unknown, field: string, owner: string, cols?: number): number[] {
  if (!Array.isArray(json)) throw new Error(`${owner}.${field}: expected an array of numbers`);
  json.forEach((v: unknown, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${owner}.${field}[${i}]: expected a finite number`);
  });
  if (cols !== undefined && json.length !== cols) throw new Error(`${owner}.${field}: has ${json.length} values, expected ${cols}`);
  return json as number[];
}

function field(json: unknown, key: string, owner: string): unknown {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${owner}: expected an object`);
  return (json as Record<string, unknown>)[key];
}

export interface StandardScalerOptions {
  /** Subtract the column mean (default true). */
  readonly withMean?: boolean;
  /** Divide by the column standard deviation (default true). */
  readonly withStd?: boolean;
}

/**
 * z = (x − μ)/σ per column, with μ and σ the training mean and population standard deviation
 * (divisor n, as scikit-learn). A constant column has σ = 0; it is left unscaled (σ taken as 1)
 * so it maps to 0 instead of NaN.
 */
export class StandardScaler {
  readonly withMean: boolean;
  readonly withStd: boolean;
  private mean: Float64Array | null = null;
  private scale: Float64Array | null = null;

  constructor(options: StandardScalerOptions = {}) {
    this.withMean = options.withMean ?? true;
    this.withStd = options.withStd ?? true;
  }

  get fitted(): boolean { return this.mean !== null; }
  get nFeatures(): number { return this.mean?.length ?? 0; }

  /** Per-column means (copy). */
  get means(): number[] { return Array.from(this.need('means')[0]); }
  /** Per-column divisors (copy): σ, or 1 where σ = 0. */
  get scales(): number[] { return Array.from(this.need('scales')[1]); }

  fit(x: MatrixInput): this {
    const m = toNumericMatrix(x, { what: 'StandardScaler.fit: x' });
    const { rows, cols, data } = m;
    const mean = new Float64Array(cols);
    const scale = new Float64Array(cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j]! += data[i * cols + j]!;
    for (let j = 0; j < cols; j++) mean[j]! /= rows;
    // Two passes (mean first, then squared deviations) avoid the cancellation of E[x²] − E[x]².
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) { const d = data[i * cols + j]! - mean[j]!; scale[j]! += d * d; }
    }
    for (let j = 0; j < cols; j++) {
      const sd = Math.sqrt(scale[j]! / rows);
      // A column constant up to rounding (σ tiny against |μ|) is constant: scaling it would amplify noise.
      scale[j] = sd <= 10 * Number.EPSILON * Math.max(1, Math.abs(mean[j]!)) ? 1 : sd;
    }
    this.mean = mean;
    this.scale = scale;
    return this;
  }

  transform(x: MatrixInput, dtype?: DType): NumericMatrix {
    const [shift, divisor] = this.affineParams('transform');
    const m = toNumericMatrix(x, { what: 'StandardScaler.transform: x', cols: shift.length });
    return affine(m, shift, divisor, false, outputDType(x, dtype));
  }

  fitTransform(x: MatrixInput, dtype?: DType): NumericMatrix {
    return this.fit(x).transform(x, dtype);
  }

  inverseTransform(z: MatrixInput, dtype?: DType): NumericMatrix {
    const [shift, divisor] = this.affineParams('inverseTransform');
    const m = toNumericMatrix(z, { what: 'StandardScaler.inverseTransform: z', cols: shift.length });
    return affine(m, shift, divisor, true, outputDType(z, dtype));
  }

  toJSON(): StandardScalerJSON {
    return {
      kind: 'standard', withMean: this.withMean, withStd: this.withStd,
      mean: this.mean && Array.from(this.mean), scale: this.scale && Array.from(this.scale),
    };
  }

  static fromJSON(json: unknown): StandardScaler {
    const owner = 'StandardScaler';
    if (field(json, 'kind', owner) !== 'standard') throw new Error(`${owner}.kind: expected "standard"`);
    const withMean = field(json, 'withMean', owner);
    const withStd = field(json, 'withStd', owner);
    if (typeof withMean !== 'boolean') throw new Error(`${owner}.withMean: expected a boolean`);
    if (typeof withStd !== 'boolean') throw new Error(`${owner}.withStd: expected a boolean`);
    const s = new StandardScaler({ withMean, withStd });
    const mean = field(json, 'mean', owner);
    const scale = field(json, 'scale', owner);
    if (mean === null && scale === null) return s;
    const mu = numberArray(mean, 'mean', owner);
    const sd = numberArray(scale, 'scale', owner, mu.length);
    sd.forEach((v, j) => { if (v <= 0) throw new Error(`${owner}.scale[${j}]: must be positive, got ${v}`); });
    s.mean = Float64Array.from(mu);
    s.scale = Float64Array.from(sd);
    return s;
  }

  private need(op: string): [Float64Array, Float64Array] {
    if (this.mean === null || this.scale === null) throw new Error(`StandardScaler.${op}: call fit first`);
    return [this.mean, this.scale];
  }

  private affineParams(op: string): [Float64Array, Float64Array] {
    const [mean, scale] = this.need(op);
    const shift = this.withMean ? mean : new Float64Array(mean.length);
    const divisor = this.withStd ? scale : new Float64Array(scale.length).fill(1);
    return [shift, divisor];
  }
}

export interface MinMaxScalerOptions {
  /** The target interval [lo, hi] of every column (default [0, 1]). */
  readonly featureRange?: readonly [number, number];
}

/**
 * z = lo + (x − min)·(hi − lo)/(max − min) per column, with min and max from the training data.
 * A constant column (max = min) maps to lo. Values outside the training range map outside [lo, hi]:
 * no clipping, so inverseTransform stays exact.
 */
export class MinMaxScaler {
  readonly featureRange: readonly [number, number];
  private dataMin: Float64Array | null = null;
  private dataMax: Float64Array | null = null;

  constructor(options: MinMaxScalerOptions = {}) {
    const [lo, hi] = options.featureRange ?? [0, 1];
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
      throw new Error(`MinMaxScaler: featureRange must be [lo, hi] with finite lo < hi, got [${lo}, ${hi}]`);
    }
    this.featureRange = [lo, hi];
  }

  get fitted(): boolean { return this.dataMin !== null; }
  get nFeatures(): number { return this.dataMin?.length ?? 0; }
  get mins(): number[] { return Array.from(this.need('mins')[0]); }
  get maxs(): number[] { return Array.from(this.need('maxs')[1]); }

  fit(x: MatrixInput): this {
    const { rows, cols, data } = toNumericMatrix(x, { what: 'MinMaxScaler.fit: x' });
    const lo = new Float64Array(cols).fill(Infinity);
    const hi = new Float64Array(cols).fill(-Infinity);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const v = data[i * cols + j]!;
        if (v < lo[j]!) lo[j] = v;
        if (v > hi[j]!) hi[j] = v;
      }
    }
    this.dataMin = lo;
    this.dataMax = hi;
    return this;
  }

  transform(x: MatrixInput, dtype?: DType): NumericMatrix {
    const [shift, divisor, lo] = this.affineParams('transform');
    const m = toNumericMatrix(x, { what: 'MinMaxScaler.transform: x', cols: shift.length });
    const out = affine(m, shift, divisor, false, outputDType(x, dtype));
    for (let k = 0; k < out.data.length; k++) out.data[k]! += lo;
    return out;
  }

  fitTransform(x: MatrixInput, dtype?: DType): NumericMatrix {
    return this.fit(x).transform(x, dtype);
  }

  inverseTransform(z: MatrixInput, dtype?: DType): NumericMatrix {
    const [shift, divisor, lo] = this.affineParams('inverseTransform');
    const m = toNumericMatrix(z, { what: 'MinMaxScaler.inverseTransform: z', cols: shift.length });
    const centred = new Float64Array(m.data.length);
    for (let k = 0; k < centred.length; k++) centred[k] = m.data[k]! - lo;
    return affine({ rows: m.rows, cols: m.cols, data: centred }, shift, divisor, true, outputDType(z, dtype));
  }

  toJSON(): MinMaxScalerJSON {
    return {
      kind: 'minmax', featureRange: [this.featureRange[0], this.featureRange[1]],
      dataMin: this.dataMin && Array.from(this.dataMin), dataMax: this.dataMax && Array.from(this.dataMax),
    };
  }

  static fromJSON(json: unknown): MinMaxScaler {
    const owner = 'MinMaxScaler';
    if (field(json, 'kind', owner) !== 'minmax') throw new Error(`${owner}.kind: expected "minmax"`);
    const range = numberArray(field(json, 'featureRange', owner), 'featureRange', owner, 2);
    const s = new MinMaxScaler({ featureRange: [range[0]!, range[1]!] });
    const dataMin = field(json, 'dataMin', owner);
    const dataMax = field(json, 'dataMax', owner);
    if (dataMin === null && dataMax === null) return s;
    const lo = numberArray(dataMin, 'dataMin', owner);
    const hi = numberArray(dataMax, 'dataMax', owner, lo.length);
    hi.forEach((v, j) => { if (v < lo[j]!) throw new Error(`${owner}.dataMax[${j}]: ${v} is below dataMin[${j}] = ${lo[j]}`); });
    s.dataMin = Float64Array.from(lo);
    s.dataMax = Float64Array.from(hi);
    return s;
  }

  private need(op: string): [Float64Array, Float64Array] {
    if (this.dataMin === null || this.dataMax === null) throw new Error(`MinMaxScaler.${op}: call fit first`);
    return [this.dataMin, this.dataMax];
  }

  /** shift = min, divisor = (max − min)/(hi − lo), with max − min taken as 1 for a constant column. */
  private affineParams(op: string): [Float64Array, Float64Array, number] {
    const [mn, mx] = this.need(op);
    const [lo, hi] = this.featureRange;
    const divisor = mn.map((v, j) => (mx[j]! - v === 0 ? 1 : mx[j]! - v) / (hi - lo));
    return [mn, divisor, lo];
  }
}

/** Either scaler. */
export type Scaler = StandardScaler | MinMaxScaler;

/** Rebuild either scaler from its JSON, dispatching on `kind`. */
export function scalerFromJSON(json: unknown): Scaler {
  const kind = field(json, 'kind', 'scaler');
  if (kind === 'standard') return StandardScaler.fromJSON(json);
  if (kind === 'minmax') return MinMaxScaler.fromJSON(json);
  throw new Error(`scaler.kind: expected "standard" or "minmax", got ${JSON.stringify(kind)}`);
}

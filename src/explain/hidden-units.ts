/**
 * The hidden-unit view: each neuron's output O_j over a grid of the input plane. A first-layer
 * neuron computes f(b + w₁x₁ + w₂x₂), so its map is a ramp across the line b + w·x = 0 and it
 * "selects" the half-space b + w·x ≥ 0 (the lecture's picture); neurons of later layers combine
 * those half-spaces into polygons and unions of polygons.
 */

import type { Model } from '../graph/model.js';
import { isIdentity, type CompiledActivation } from '../layers/act.js';
import { zeros } from '../matrix.js';

/** Which two features span the grid, where the others are held, its ranges and its resolution. */
export interface HiddenUnitOptions {
  /** The two input features on the axes (default [0, 1]). */
  readonly features?: readonly [number, number];
  /** Values of the other inputs (default 0 each: the mean of standardized data). */
  readonly base?: readonly number[];
  readonly xRange?: readonly [number, number];
  readonly yRange?: readonly [number, number];
  /** Grid points per axis (default 41). */
  readonly resolution?: number;
}

/** One unit's output over the grid. */
export interface UnitMap {
  readonly unit: number;
  /** O_j at each grid point, row-major: values[iy · nx + ix]. */
  readonly values: Float64Array;
  readonly min: number;
  readonly max: number;
  /**
   * For a neuron reading the inputs directly: its line b + w₁x + w₂y = 0 in the plane (the other
   * inputs at their base values folded into b).
   */
  readonly line: { readonly w1: number; readonly w2: number; readonly b: number } | null;
}

/** The maps of one layer's units. */
export interface LayerMaps {
  readonly layer: string;
  readonly activation: string;
  readonly isOutput: boolean;
  readonly units: UnitMap[];
}

/** Every hidden unit's output over a grid of two input features. */
export interface HiddenUnitMaps {
  readonly features: readonly [number, number];
  readonly xs: number[];
  readonly ys: number[];
  readonly layers: LayerMaps[];
}

function axis(r: readonly [number, number], n: number): number[] {
  return Array.from({ length: n }, (_, i) => r[0] + ((r[1] - r[0]) * i) / (n - 1));
}

/** Every dense or activation layer's unit outputs over a grid of two inputs. */
export function hiddenUnitMaps(model: Model, options: HiddenUnitOptions = {}): HiddenUnitMaps {
  const d = model.inputSize;
  const [fa, fb] = options.features ?? [0, 1];
  if (d < 2) throw new Error(`hiddenUnitMaps: the model has ${d} input; the plane view needs two`);
  for (const f of [fa, fb]) if (!(Number.isInteger(f) && f >= 0 && f < d)) throw new Error(`hiddenUnitMaps: feature ${f} is not an input index in [0, ${d - 1}]`);
  if (fa === fb) throw new Error('hiddenUnitMaps: the two features must differ');
  const base = options.base ?? new Array<number>(d).fill(0);
  if (base.length !== d) throw new Error(`hiddenUnitMaps: base has ${base.length} values for ${d} inputs`);
  const res = options.resolution ?? 41;
  if (!Number.isInteger(res) || res < 2) throw new Error(`hiddenUnitMaps: resolution must be an integer ≥ 2, got ${res}`);
  const xs = axis(options.xRange ?? [-1, 1], res);
  const ys = axis(options.yRange ?? [-1, 1], res);
  const X = zeros(res * res, d, model.dtype);
  for (let iy = 0; iy < res; iy++) {
    for (let ix = 0; ix < res; ix++) {
      const r = (iy * res + ix) * d;
      for (let j = 0; j < d; j++) X.data[r + j] = base[j]!;
      X.data[r + fa] = xs[ix]!;
      X.data[r + fb] = ys[iy]!;
    }
  }
  model.forward(X, { mode: 'eval' });
  const m = res * res;
  const layers: LayerMaps[] = [];
  for (const node of model.live) {
    if (node.activation === null) continue;
    const isOutput = node === model.output;
    // A dense layer without a non-linearity feeding batch norm or an activation layer is not a neuron's output.
    if (node.kind === 'dense' && !isOutput && isIdentity(node.act)) continue;
    const w = node.width;
    const O = node.O.a;
    const readsInputs = node.kind === 'dense' && node.inputs[0] === model.input;
    const units: UnitMap[] = [];
    for (let j = 0; j < w; j++) {
      const values = new Float64Array(m);
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < m; i++) {
        const v = O[i * w + j]!;
        values[i] = v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      let line: UnitMap['line'] = null;
      if (readsInputs) {
        const Wa = node.W.value.a;
        let b = node.b === null ? 0 : node.b.value.a[j]!;
        for (let k = 0; k < d; k++) if (k !== fa && k !== fb) b += Wa[k * w + j]! * base[k]!;
        line = { w1: Wa[fa * w + j]!, w2: Wa[fb * w + j]!, b };
      }
      units.push({ unit: j, values, min, max, line });
    }
    layers.push({ layer: node.name, activation: activationName(node.activation.act), isOutput, units });
  }
  return { features: [fa, fb], xs, ys, layers };
}

function activationName(a: CompiledActivation): string {
  return a.type === 'uniform' ? a.f.name : a.type === 'perUnit' ? 'mixed' : 'softmax';
}

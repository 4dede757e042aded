/**
 * Gradient checking: backpropagation's ∂L/∂w against central finite differences, in float64.
 *
 * The numeric derivative uses the fourth-order central stencil
 *   L′ ≈ (−L(w + 2h) + 8L(w + h) − 8L(w − h) + L(w − 2h)) / 12h,   h = 1e-3,
 * whose truncation error (O(h⁴)) and rounding error (≈ 18ε|L|/12h) are both near 1e-13, so the
 * comparison measures the implementation, not the stencil. The error of a component is
 *   |analytic − numeric| / max(|analytic|, |numeric|, 1e-6).
 *
 * Kinks (ReLU at 0, hard sigmoid at ±3, |w| in L1): when a perturbation crosses one, the loss is not
 * differentiable inside the stencil and no finite difference is meaningful. Such components are found
 * by evaluating the stencil at h and at h/2: a smooth function gives the same value at both (to ~1e-13),
 * a kink does not. They are counted in `skippedAtKinks` and left out, never silently passed.
 *
 * Stochastic layers (dropout, noise) see the same random draws in every evaluation: the generator is
 * re-seeded before each forward pass.
 */

import type { Mode } from './layers/node.js';
import type { Model } from './graph/model.js';
import { toMatrix, type MatrixLike } from './matrix.js';
import { Rng } from './rng.js';

/** What gradCheck perturbs and how: mode, seed, step size, inputs, sample weights. */
export interface GradCheckOptions {
  /** 'train' (dropout, noise and batch statistics on) or 'eval'. Default 'train'. */
  readonly mode?: Mode;
  /** Seed for dropout masks and noise. */
  readonly seed?: number;
  /** Step of the stencil. Default 1e-3. */
  readonly h?: number;
  /** Check the parameters (default true) and/or ∂L/∂x (default true). */
  readonly params?: boolean;
  readonly inputs?: boolean;
  /** Check at most this many parameter components, spread evenly over the buffer. Default: all. */
  readonly maxComponents?: number;
  readonly sampleWeights?: readonly number[];
}

/** One checked component: where it is, the backpropagated and the finite-difference value, and their relative error. */
export interface GradCheckEntry {
  /** 'layer.W[i,j]', 'layer.b[j]', 'input[i,j]'. */
  readonly where: string;
  readonly analytic: number;
  readonly numeric: number;
  readonly relError: number;
}

/** The outcome of a gradient check: components checked, the largest relative error, the worst entry, and every entry. */
export interface GradCheckResult {
  readonly checked: number;
  readonly maxRelError: number;
  readonly worst: GradCheckEntry | null;
  readonly skippedAtKinks: number;
  readonly entries: readonly GradCheckEntry[];
}

/** Relative error with a floor, so that two tiny numbers that agree to 1e-12 are not reported as different. */
export function relativeError(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-6);
}

/** Compare every gradient of a float64 model (and of its inputs, if asked) with fourth-order central finite differences of the loss; returns the largest relative error and the worst component. */
export function gradCheck(model: Model, x: MatrixLike, y: MatrixLike, options: GradCheckOptions = {}): GradCheckResult {
  if (model.dtype !== 'float64') {
    throw new Error(`gradCheck: the model must be float64 (build it with dtype: 'float64'); got ${model.dtype}`);
  }
  const mode = options.mode ?? 'train';
  const seed = options.seed ?? 1;
  const h = options.h ?? 1e-3;
  const X = toMatrix(x, 'float64', 'x', model.inputSize);
  const Y = toMatrix(y, 'float64', 'y', model.outputSize);
  const w = options.sampleWeights;
  // Batch-norm running statistics change with every training forward pass; keep them fixed.
  const state = model.getState();
  const lossAt = (): number => {
    model.setState(state);
    model.forward(X, { mode, rng: new Rng(seed) });
    return model.loss(Y, w);
  };
  lossAt();
  model.zeroGrad();
  model.backward({ inputGradient: options.inputs ?? true });
  const grads = model.gradBuffer.a.slice();
  const inputGrad = model.inputGradient().data.slice();

  const entries: GradCheckEntry[] = [];
  let skipped = 0;
  const stencil = (set: (delta: number) => void, step: number): number => {
    set(2 * step); const a = lossAt();
    set(step); const b = lossAt();
    set(-step); const c = lossAt();
    set(-2 * step); const d = lossAt();
    set(0);
    return (-a + 8 * b - 8 * c + d) / (12 * step);
  };
  const check = (where: string, analytic: number, set: (delta: number) => void): void => {
    const n1 = stencil(set, h);
    const n2 = stencil(set, h / 2);
    // Rounding noise is ~1e-13; a kink inside the stencil shifts the estimate by ~h·(jump in slope).
    if (Math.abs(n1 - n2) > 1e-6 * Math.max(Math.abs(n1), Math.abs(n2), 1e-4)) { skipped++; return; }
    entries.push({ where, analytic, numeric: n1, relError: relativeError(analytic, n1) });
  };

  if (options.params ?? true) {
    const P = model.paramBuffer.a;
    // Element ties: the tied weights are one parameter; perturb them together.
    const tieOf = new Map<number, number[]>();
    for (const g of model.ties) {
      const idx = g.members.map((t) => t.dense.W.value.offset - model.paramBuffer.offset + t.index);
      for (const i of idx) tieOf.set(i, idx);
    }
    const masked = new Set<number>();
    for (const d of model.dense) {
      if (d.spec.shareWeightsWith !== undefined) continue;
      const base = d.W.value.offset - model.paramBuffer.offset;
      d.maskRows?.forEach((r, i) => r.forEach((v, j) => { if (v === 0) masked.add(base + i * d.units + j); }));
      if (d.b !== null && d.biasMaskRow !== null) {
        const bb = d.b.value.offset - model.paramBuffer.offset;
        d.biasMaskRow.forEach((v, j) => { if (v === 0) masked.add(bb + j); });
      }
    }
    const names = describeIndices(model);
    const total = P.length;
    const limit = Math.min(total, options.maxComponents ?? total);
    const stride = total / limit;
    const done = new Set<number>();
    for (let c = 0; c < limit; c++) {
      const i = Math.floor(c * stride);
      if (masked.has(i) || done.has(i)) continue;
      const group = tieOf.get(i) ?? [i];
      group.forEach((g) => done.add(g));
      const base = group.map((g) => P[g]!);
      check(names(i), grads[i]!, (delta) => { group.forEach((g, k) => { P[g] = base[k]! + delta; }); });
    }
  }
  if (options.inputs ?? true) {
    for (let i = 0; i < X.data.length; i++) {
      const base = X.data[i]!;
      const r = Math.floor(i / X.cols);
      const col = i % X.cols;
      check(`input[${r},${col}]`, inputGrad[i]!, (delta) => { X.data[i] = base + delta; });
    }
  }
  model.setState(state);
  let worst: GradCheckEntry | null = null;
  for (const e of entries) if (worst === null || e.relError > worst.relError) worst = e;
  return { checked: entries.length, maxRelError: worst?.relError ?? 0, worst, skippedAtKinks: skipped, entries };
}

/** 'layer.W[i,j]' for a flat parameter index. */
function describeIndices(model: Model): (i: number) => string {
  const ranges = model.params.map((p) => ({ p, start: p.value.offset - model.paramBuffer.offset }));
  return (i) => {
    const r = ranges.find(({ p, start }) => i >= start && i < start + p.rows * p.cols);
    if (r === undefined) return `param[${i}]`;
    const k = i - r.start;
    return r.p.rows === 1 ? `${r.p.layer}.${r.p.name}[${k}]` : `${r.p.layer}.${r.p.name}[${Math.floor(k / r.p.cols)},${k % r.p.cols}]`;
  };
}

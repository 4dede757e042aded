/**
 * A layer's activation, compiled from its spec: one f for every unit, softmax over the row,
 * or per-unit activations (the lecture's f_j) grouped so that each distinct f runs as one kernel call
 * over its columns.
 */

import { ACTIVATIONS, type Activation, type ActivationName } from '../activations.js';
import type { Kernels, Vec } from '../kernels/backend.js';
import type { ActivationSpec } from '../spec.js';

export type CompiledActivation =
  | { readonly type: 'uniform'; readonly f: Activation }
  | { readonly type: 'softmax' }
  | { readonly type: 'perUnit'; readonly names: readonly ActivationName[]; readonly groups: readonly { f: Activation; cols: Int32Array }[] };

export function compileActivation(spec: ActivationSpec): CompiledActivation {
  if (typeof spec === 'string') {
    return spec === 'softmax' ? { type: 'softmax' } : { type: 'uniform', f: ACTIVATIONS[spec] };
  }
  const distinct = [...new Set(spec)];
  if (distinct.length === 1) return { type: 'uniform', f: ACTIVATIONS[distinct[0]!] };
  const groups = distinct.map((name) => ({
    f: ACTIVATIONS[name],
    cols: Int32Array.from(spec.flatMap((n, j) => (n === name ? [j] : []))),
  }));
  return { type: 'perUnit', names: [...spec], groups };
}

export function isIdentity(a: CompiledActivation): boolean {
  return a.type === 'uniform' && a.f.name === 'identity';
}

/** The activation of unit j (softmax reported as such). */
export function unitActivationName(a: CompiledActivation, j: number): ActivationName | 'softmax' {
  switch (a.type) {
    case 'uniform': return a.f.name;
    case 'softmax': return 'softmax';
    case 'perUnit': return a.names[j]!;
  }
}

export function activationLabel(a: CompiledActivation): string {
  switch (a.type) {
    case 'uniform': return a.f.name;
    case 'softmax': return 'softmax';
    case 'perUnit': return `per-unit[${a.groups.map((g) => `${g.f.name}×${g.cols.length}`).join(', ')}]`;
  }
}

/** Units whose activation cannot be differentiated (the step function), for the trainability check. */
export function nonDifferentiable(a: CompiledActivation): string | null {
  switch (a.type) {
    case 'uniform': return a.f.differentiable ? null : a.f.name;
    case 'softmax': return null;
    case 'perUnit': {
      const g = a.groups.find((x) => !x.f.differentiable);
      return g === undefined ? null : g.f.name;
    }
  }
}

/** O = f(I) over an m×n matrix. */
export function activate(k: Kernels, a: CompiledActivation, I: Vec, O: Vec, m: number, n: number): void {
  switch (a.type) {
    case 'uniform': k.map(a.f, I, O, m * n); return;
    case 'softmax': k.softmaxRows(I, O, m, n); return;
    case 'perUnit': for (const g of a.groups) k.mapCols(g.f, I, O, m, n, g.cols); return;
  }
}

/** dI = β·dI + ∂L/∂I given dO = ∂L/∂O: the lecture's δ = ∂L/∂O · f′(I), or softmax's Jacobian product. */
export function activateBackward(k: Kernels, a: CompiledActivation, I: Vec, O: Vec, dO: Vec, dI: Vec,
                                 m: number, n: number, beta: number): void {
  switch (a.type) {
    case 'uniform': k.mapGrad(a.f, I, O, dO, dI, m * n, beta); return;
    case 'softmax': k.softmaxRowsGrad(O, dO, dI, m, n, beta); return;
    case 'perUnit': for (const g of a.groups) k.mapGradCols(g.f, I, O, dO, dI, m, n, g.cols, beta); return;
  }
}

/**
 * Σ |f′(I)| over an m×n matrix, through the kernels: f′ as the backward pass computes it (dO = `ones`,
 * written into `scratch`), then one Σ|·|. Softmax counts the diagonal of its Jacobian, Σ O(1 − O) =
 * Σ O − Σ O² (every O is ≥ 0).
 */
export function sumAbsDerivative(k: Kernels, a: CompiledActivation, I: Vec, O: Vec, m: number, n: number,
                                 ones: Vec, scratch: Vec): number {
  const len = m * n;
  if (a.type === 'softmax') return k.sumAbs(O, len) - k.sumSq(O, len);
  activateBackward(k, a, I, O, ones, scratch, m, n, 0);
  return k.sumAbs(scratch, len);
}

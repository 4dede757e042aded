/**
 * Weight constraints (the lecture: "weights may be constrained: non-negative, equal weights, etc."),
 * applied as projections after every update, and element ties, whose gradient is the sum over their uses.
 *
 * - non-negative: w ← max(w, 0), on a whole layer or where a 0/1 matrix says so (non-positive: w ← min(w, 0));
 * - max-norm: each unit's incoming weight vector is rescaled to norm ≤ c;
 * - masks: absent connections stay exactly 0;
 * - ties: a group of weights is one parameter used several times. Backward gives each member the
 *   sum of the group's gradients, so every member takes the same step; the projection re-averages
 *   them in case another constraint moved them apart.
 */

import type { Arena } from '../kernels/backend.js';
import type { Dense } from '../layers/dense.js';
import type { WeightRef } from '../spec.js';

export interface TieGroup {
  readonly members: readonly { readonly dense: Dense; readonly index: number; readonly ref: WeightRef }[];
}

export function compileTies(ties: readonly (readonly WeightRef[])[], dense: readonly Dense[]): TieGroup[] {
  const seen = new Map<string, number>();
  return ties.map((group, g) => {
    if (!Array.isArray(group) || group.length < 2) throw new Error(`ties[${g}]: a tie group needs at least two weights, got ${Array.isArray(group) ? group.length : typeof group}`);
    const members = group.map((ref) => {
      const where = `ties[${g}] weight ${JSON.stringify(ref)}`;
      const d = dense.find((x) => x.name === ref.layer);
      if (d === undefined) throw new Error(`${where}: '${ref.layer}' is not a dense layer of this model (dense layers: ${dense.map((x) => x.name).join(', ')})`);
      if (!Number.isInteger(ref.row) || ref.row < 0 || ref.row >= d.fanIn) throw new Error(`${where}: row must be an integer in [0, ${d.fanIn}) (inputs of '${d.name}'), got ${ref.row}`);
      if (!Number.isInteger(ref.col) || ref.col < 0 || ref.col >= d.units) throw new Error(`${where}: col must be an integer in [0, ${d.units}) (units of '${d.name}'), got ${ref.col}`);
      if (d.maskRows !== null && d.maskRows[ref.row]![ref.col] === 0) throw new Error(`${where}: this connection is masked out, so it cannot be tied`);
      const owner = d.spec.shareWeightsWith ?? d.name;
      const key = `${owner}:${ref.row}:${ref.col}`;
      const prev = seen.get(key);
      if (prev !== undefined) throw new Error(`${where}: this weight is already in tie group ${prev}; merge the groups`);
      seen.set(key, g);
      return { dense: d, index: ref.row * d.units + ref.col, ref };
    });
    return { members };
  });
}

/** Each member of a tie group receives the sum of the group's gradients (one parameter, several uses). */
export function sumTiedGradients(ties: readonly TieGroup[]): void {
  for (const g of ties) {
    let s = 0;
    for (const t of g.members) s += t.dense.W.grad.a[t.index]!;
    for (const t of g.members) t.dense.W.grad.a[t.index] = s;
  }
}

interface Plan { readonly nonNegative: Int32Array | 'all' | null; readonly nonPositive: Int32Array | 'all' | null; readonly maxNorm: number | null }

/** The weights a sign constraint covers: all of them, the listed indices, or none. */
function signPlan(spec: boolean | readonly (readonly number[])[] | undefined, units: number): Int32Array | 'all' | null {
  if (spec === true) return 'all';
  if (spec === undefined || spec === false) return null;
  const idx: number[] = [];
  spec.forEach((r, i) => r.forEach((v, j) => { if (v === 1) idx.push(i * units + j); }));
  return Int32Array.from(idx);
}

/** w ← max(w, 0) (sign +1) or w ← min(w, 0) (sign −1) on the planned weights. */
function projectSign(W: Float32Array | Float64Array, plan: Int32Array | 'all' | null, n: number, sign: 1 | -1): void {
  if (plan === 'all') {
    for (let i = 0; i < n; i++) if (sign * W[i]! < 0) W[i] = 0;
  } else if (plan !== null) {
    for (const i of plan) if (sign * W[i]! < 0) W[i] = 0;
  }
}
const plans = new WeakMap<Dense, Plan>();

function planFor(d: Dense): Plan {
  let p = plans.get(d);
  if (p === undefined) {
    p = { nonNegative: signPlan(d.spec.nonNegative, d.units), nonPositive: signPlan(d.spec.nonPositive, d.units), maxNorm: d.spec.maxNorm ?? null };
    plans.set(d, p);
  }
  return p;
}

/** Whether applyConstraints has anything to do for `d`: a sign or max-norm constraint, or a connection mask. */
export function isConstrained(d: Dense): boolean {
  const p = planFor(d);
  return p.nonNegative !== null || p.nonPositive !== null || p.maxNorm !== null || d.maskSlot !== null || d.biasMaskSlot !== null;
}

/** Project the dense layers' weights onto their constraints, then re-average every tie group. */
export function applyConstraints(dense: readonly Dense[], ties: readonly TieGroup[], arena: Arena): void {
  for (const d of dense) {
    const plan = planFor(d);
    const W = d.W.value.a;
    projectSign(W, plan.nonNegative, d.fanIn * d.units, 1);
    projectSign(W, plan.nonPositive, d.fanIn * d.units, -1);
    if (plan.maxNorm !== null) {
      const c = plan.maxNorm;
      for (let j = 0; j < d.units; j++) {
        let s = 0;
        for (let i = 0; i < d.fanIn; i++) { const w = W[i * d.units + j]!; s += w * w; }
        const norm = Math.sqrt(s);
        if (norm > c) {
          const f = c / norm;
          for (let i = 0; i < d.fanIn; i++) W[i * d.units + j]! *= f;
        }
      }
    }
    d.applyMaskToWeights(arena);
  }
  for (const g of ties) {
    let s = 0;
    for (const t of g.members) s += t.dense.W.value.a[t.index]!;
    const mean = s / g.members.length;
    for (const t of g.members) t.dense.W.value.a[t.index] = mean;
  }
}

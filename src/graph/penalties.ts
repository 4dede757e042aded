/**
 * Weight penalties: L2, the lecture's L(w) + λΣ_i w_i², and L1, λ₁Σ_i |w_i|. They apply to dense
 * weights (not biases, not batch-norm scales); a layer's own l1/l2 overrides the model's. The value
 * added to the loss and the gradient added to ∂L/∂w come from the same λ, so a gradient check of
 * loss + penalty holds. L1's derivative at w = 0 is taken as 0.
 *
 * Tied weights are one parameter, penalized once:
 * - a shared weight matrix (`shareWeightsWith`) is one tensor, listed once (under its owner);
 * - an element tie group of k weights holds k copies of one value w. The penalty counts it once,
 *   λ₂w² + λ₁|w|, so the value subtracts the k − 1 extra copies; and the group's gradient is the sum of
 *   its members' data gradients plus the penalty's derivative once (`sumTiedGradients` runs first, then
 *   every member receives λ′(w) of its own copy, which is the same for all). All members of a group must
 *   therefore carry the same coefficients (checked when the model is compiled).
 */

import type { Kernels } from '../kernels/backend.js';
import type { Dense } from '../layers/dense.js';
import type { Param } from '../layers/node.js';
import type { TieGroup } from './constraints.js';

/** A penalized weight tensor with its coefficients. */
export interface PenaltyTerm { readonly W: Param; readonly l1: number; readonly l2: number }

/** The copies of a tied value beyond the first: counted k − 1 times by the terms, to be taken back out. */
export interface TiedCopies { readonly W: Param; readonly index: number; readonly copies: number; readonly l1: number; readonly l2: number }

export interface Penalties { readonly terms: readonly PenaltyTerm[]; readonly tied: readonly TiedCopies[] }

export function penaltyValue(p: Penalties, k: Kernels): number {
  let s = 0;
  for (let i = 0; i < p.terms.length; i++) {
    const { W, l1, l2 } = p.terms[i]!;
    if (l2 !== 0) s += l2 * k.sumSq(W.value.a, W.value.length);
    if (l1 !== 0) s += l1 * k.sumAbs(W.value.a, W.value.length);
  }
  for (let i = 0; i < p.tied.length; i++) {
    const { W, index, copies, l1, l2 } = p.tied[i]!;
    const w = W.value.a[index]!;
    s -= copies * (l2 * w * w + l1 * Math.abs(w));
  }
  return s;
}

/** Add each term's derivative to the gradients; call after `sumTiedGradients` (see above). */
export function addPenaltyGradients(p: Penalties, k: Kernels): void {
  for (let t = 0; t < p.terms.length; t++) {
    const { W, l1, l2 } = p.terms[t]!;
    const w = W.value.a;
    const g = W.grad.a;
    const len = W.value.length;
    if (l2 !== 0) k.axpy(len, 2 * l2, w, g);
    if (l1 !== 0) for (let i = 0; i < len; i++) g[i]! += l1 * Math.sign(w[i]!);
  }
  // Masked weights are zero, so their penalty gradient is zero too: masks stay exact.
}

/**
 * The penalty plan: one term per dense layer owning a weight matrix with a nonzero coefficient (its own
 * l1/l2, else the model's), and the tied copies to take back out.
 */
export function planPenalties(dense: readonly Dense[], ties: readonly TieGroup[], model: { readonly l1?: number; readonly l2?: number }): Penalties {
  const coefficients = (d: Dense): { l1: number; l2: number } => ({ l1: d.spec.l1 ?? model.l1 ?? 0, l2: d.spec.l2 ?? model.l2 ?? 0 });
  const owners = new Map(dense.map((d) => [d.name, d]));
  const ownerOf = (d: Dense): Dense => owners.get(d.spec.shareWeightsWith ?? d.name)!;
  const terms = dense
    .filter((d) => d.spec.shareWeightsWith === undefined)
    .map((d) => ({ W: d.W, ...coefficients(d) }))
    .filter((t) => t.l1 !== 0 || t.l2 !== 0);
  const tied: TiedCopies[] = [];
  ties.forEach((g, i) => {
    const first = g.members[0]!;
    const c = coefficients(ownerOf(first.dense));
    for (const t of g.members) {
      const o = ownerOf(t.dense);
      const ct = coefficients(o);
      if (ct.l1 !== c.l1 || ct.l2 !== c.l2) {
        throw new Error(`ties[${i}]: a tied weight is one parameter with one penalty, but '${ownerOf(first.dense).name}' has l1 ${c.l1}, l2 ${c.l2} and '${o.name}' has l1 ${ct.l1}, l2 ${ct.l2}; give the tied layers the same l1 and l2`);
      }
    }
    if (c.l1 !== 0 || c.l2 !== 0) tied.push({ W: first.dense.W, index: first.index, copies: g.members.length - 1, ...c });
  });
  return { terms, tied };
}

/**
 * Weight penalties: L2, the lecture's L(w) + λΣ_i w_i², and L1, λ₁Σ_i |w_i|. They apply to dense
 * weights (not biases, not batch-norm scales); a layer's own l1/l2 overrides the model's. The value
 * added to the loss and the gradient added to ∂L/∂w come from the same λ, so a gradient check of
 * loss + penalty holds. A shared (tied) weight matrix is penalized once.
 * L1's derivative at w = 0 is taken as 0.
 */

import type { Dense } from '../layers/dense.js';
import type { Model } from './model.js';

function lambdas(model: Model, d: Dense): { l1: number; l2: number } {
  return { l1: d.spec.l1 ?? model.spec.l1 ?? 0, l2: d.spec.l2 ?? model.spec.l2 ?? 0 };
}

function owners(model: Model): Dense[] {
  return model.dense.filter((d) => d.spec.shareWeightsWith === undefined && model.live.includes(d));
}

export function penaltyValue(model: Model): number {
  let s = 0;
  const k = model.arena.kernels;
  for (const d of owners(model)) {
    const { l1, l2 } = lambdas(model, d);
    const W = d.W.value;
    if (l2 !== 0) s += l2 * k.sumSq(W.a, W.length);
    if (l1 !== 0) s += l1 * k.sumAbs(W.a, W.length);
  }
  return s;
}

export function addPenaltyGradients(model: Model): void {
  const k = model.arena.kernels;
  for (const d of owners(model)) {
    const { l1, l2 } = lambdas(model, d);
    const W = d.W.value.a;
    const G = d.W.grad.a;
    const len = d.W.value.length;
    if (l2 !== 0) k.axpy(len, 2 * l2, W, G);
    if (l1 !== 0) for (let i = 0; i < len; i++) G[i]! += l1 * Math.sign(W[i]!);
  }
  // Masked weights are zero, so their penalty gradient is zero too: masks stay exact.
}

/**
 * Weight penalties: L2, the lecture's L(w) + λΣ_i w_i², and L1, λ₁Σ_i |w_i|. They apply to dense
 * weights (not biases, not batch-norm scales); a layer's own l1/l2 overrides the model's. The value
 * added to the loss and the gradient added to ∂L/∂w come from the same λ, so a gradient check of
 * loss + penalty holds. A shared (tied) weight matrix is penalized once.
 * L1's derivative at w = 0 is taken as 0.
 */

import type { Model } from './model.js';

export function penaltyValue(model: Model): number {
  let s = 0;
  const k = model.arena.kernels;
  const list = model.penalized;
  for (let i = 0; i < list.length; i++) {
    const { dense, l1, l2 } = list[i]!;
    const W = dense.W.value;
    if (l2 !== 0) s += l2 * k.sumSq(W.a, W.length);
    if (l1 !== 0) s += l1 * k.sumAbs(W.a, W.length);
  }
  return s;
}

export function addPenaltyGradients(model: Model): void {
  const k = model.arena.kernels;
  const list = model.penalized;
  for (let p = 0; p < list.length; p++) {
    const { dense, l1, l2 } = list[p]!;
    const W = dense.W.value.a;
    const G = dense.W.grad.a;
    const len = dense.W.value.length;
    if (l2 !== 0) k.axpy(len, 2 * l2, W, G);
    if (l1 !== 0) for (let i = 0; i < len; i++) G[i]! += l1 * Math.sign(W[i]!);
  }
  // Masked weights are zero, so their penalty gradient is zero too: masks stay exact.
}

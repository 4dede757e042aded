/**
 * Optimizers as small rules over flat buffers: `init(rule, n) → state`, then
 * `apply(rule, state, params, grads, lr, t)` once per step (t = 1, 2, … counts steps).
 *
 * params and grads are the model's `paramBuffer.a` and `gradBuffer.a` (one flat loop each); the state
 * is a few Float64Arrays of the same length plus the step count, so a step allocates nothing and the
 * state survives JSON (`optimizerStateToJSON`) for checkpoints. After a step the caller projects the
 * parameters back onto their constraints (`model.applyConstraints()`).
 *
 * Every rule follows PyTorch's `torch.optim` update equations (written out on each case below), so
 * that the first steps can be compared with it number for number. Notation: θ parameters, g gradient,
 * η learning rate, t the step (from 1).
 */

import type { Arena, Kernels, Slot, Vec } from '../kernels/backend.js';
import { tsKernels } from '../kernels/ts.js';

/**
 * Plain gradient descent (momentum 0) — the lecture's w_{k+1} = w_k − α ∇L(w_k) — or SGD with
 * (heavy-ball or Nesterov) momentum μ, as `torch.optim.SGD` (dampening 0):
 *
 *   v ← μ v + g                      (v₀ = 0, so v₁ = g)
 *   θ ← θ − η v                      (classical momentum)
 *   θ ← θ − η (g + μ v)              (Nesterov)
 *
 * scikit-learn writes the same method as v ← μ v − η g, θ ← θ + v; with a constant η the two agree.
 */
export interface SgdSpec { readonly kind: 'sgd'; readonly learningRate: number; readonly momentum?: number; readonly nesterov?: boolean }

/**
 * Adam (Kingma & Ba), bias-corrected, ε outside the square root as `torch.optim.Adam`:
 *
 *   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
 *   m̂ = m / (1 − β₁ᵗ),       v̂ = v / (1 − β₂ᵗ)
 *   θ ← θ − η m̂ / (√v̂ + ε)
 *
 * Defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8. (scikit-learn puts ε next to the uncorrected √v, which
 * differs only while v is tiny.)
 */
export interface AdamSpec { readonly kind: 'adam'; readonly learningRate: number; readonly beta1?: number; readonly beta2?: number; readonly epsilon?: number }

/**
 * AdamW (Loshchilov & Hutter): decoupled weight decay composed with Adam, as `torch.optim.AdamW`:
 *
 *   θ ← θ (1 − η λ)      then the Adam step above.
 *
 * Default λ = 0.01. Unlike an L2 penalty the decay does not pass through Adam's scaling, and it
 * applies to every parameter of the flat buffer (biases included, as PyTorch with a single group).
 */
export interface AdamWSpec { readonly kind: 'adamw'; readonly learningRate: number; readonly beta1?: number; readonly beta2?: number; readonly epsilon?: number; readonly weightDecay?: number }

/**
 * RMSprop (Tieleman & Hinton), as `torch.optim.RMSprop` (not centered):
 *
 *   s ← ρ s + (1 − ρ) g²
 *   θ ← θ − η g / (√s + ε)                        (momentum 0)
 *   b ← μ b + g / (√s + ε),  θ ← θ − η b           (momentum μ)
 *
 * Defaults ρ = 0.99 (PyTorch's `alpha`), ε = 1e-8.
 */
export interface RmspropSpec { readonly kind: 'rmsprop'; readonly learningRate: number; readonly rho?: number; readonly epsilon?: number; readonly momentum?: number }

/**
 * Adagrad (Duchi et al.), as `torch.optim.Adagrad` (lr_decay 0):
 *
 *   s ← s + g²,   θ ← θ − η g / (√s + ε)
 *
 * Defaults: s₀ = initialAccumulator = 0, ε = 1e-10.
 */
export interface AdagradSpec { readonly kind: 'adagrad'; readonly learningRate: number; readonly epsilon?: number; readonly initialAccumulator?: number }

/** A rule that updates parameters from one gradient at a time (everything but L-BFGS). */
export type StepRuleSpec = SgdSpec | AdamSpec | AdamWSpec | RmspropSpec | AdagradSpec;

/**
 * A rule's state: the step count and its moment buffers, one per moment: Float64Arrays, or slots of a
 * model's arena (so that a WebAssembly backend updates them in place; `buffers` then holds the slots'
 * current views, refreshed at every step because an arena that grows moves its memory).
 */
export interface OptimizerState {
  readonly kind: StepRuleSpec['kind'];
  t: number;
  readonly buffers: Vec[];
  readonly slots?: readonly Slot[];
}

const positive = (what: string, v: number): void => {
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`${what} must be a finite number > 0, got ${v}`);
};
const inUnit = (what: string, v: number): void => {
  if (!(Number.isFinite(v) && v >= 0 && v < 1)) throw new Error(`${what} must be in [0, 1), got ${v}`);
};

/** Check a rule's hyperparameters; errors name the option and the bad value. */
export function validateRule(rule: StepRuleSpec): void {
  positive(`optimizer '${rule.kind}': learningRate`, rule.learningRate);
  switch (rule.kind) {
    case 'sgd':
      inUnit("optimizer 'sgd': momentum", rule.momentum ?? 0);
      if (rule.nesterov === true && (rule.momentum ?? 0) === 0) throw new Error("optimizer 'sgd': nesterov needs momentum > 0");
      return;
    case 'adam':
    case 'adamw':
      inUnit(`optimizer '${rule.kind}': beta1`, rule.beta1 ?? 0.9);
      inUnit(`optimizer '${rule.kind}': beta2`, rule.beta2 ?? 0.999);
      positive(`optimizer '${rule.kind}': epsilon`, rule.epsilon ?? 1e-8);
      if (rule.kind === 'adamw') {
        const wd = rule.weightDecay ?? 0.01;
        if (!(Number.isFinite(wd) && wd >= 0)) throw new Error(`optimizer 'adamw': weightDecay must be ≥ 0, got ${wd}`);
      }
      return;
    case 'rmsprop':
      inUnit("optimizer 'rmsprop': rho", rule.rho ?? 0.99);
      positive("optimizer 'rmsprop': epsilon", rule.epsilon ?? 1e-8);
      inUnit("optimizer 'rmsprop': momentum", rule.momentum ?? 0);
      return;
    case 'adagrad':
      positive("optimizer 'adagrad': epsilon", rule.epsilon ?? 1e-10);
      if (!((rule.initialAccumulator ?? 0) >= 0)) throw new Error(`optimizer 'adagrad': initialAccumulator must be ≥ 0, got ${rule.initialAccumulator}`);
      return;
  }
}

/** How many moment buffers a rule keeps, and their initial value. */
function moments(rule: StepRuleSpec): { count: number; fill: number } {
  switch (rule.kind) {
    case 'sgd': return { count: (rule.momentum ?? 0) > 0 ? 1 : 0, fill: 0 };
    case 'adam':
    case 'adamw': return { count: 2, fill: 0 };
    case 'rmsprop': return { count: (rule.momentum ?? 0) > 0 ? 2 : 1, fill: 0 };
    case 'adagrad': return { count: 1, fill: rule.initialAccumulator ?? 0 };
  }
}

/**
 * Fresh state for n parameters: Float64Array moments, or, given the model's arena, moments in it
 * (the arena's dtype), which the arena's kernels update in place.
 */
export function init(rule: StepRuleSpec, n: number, arena?: Arena): OptimizerState {
  validateRule(rule);
  const { count, fill } = moments(rule);
  if (arena === undefined) {
    return { kind: rule.kind, t: 0, buffers: Array.from({ length: count }, () => new Float64Array(n).fill(fill)) };
  }
  const slots = Array.from({ length: count }, () => { const s = arena.alloc(n); s.a.fill(fill); return s; });
  return { kind: rule.kind, t: 0, buffers: slots.map((s) => s.a), slots };
}

/**
 * One step of `rule` with learning rate `lr` (the schedule's current value); `t` is the step number
 * from 1. With `kernels` (the model's arena's), SGD and Adam run as one kernel call. `keep` (if given)
 * receives θ before the step (Adam: in the step's own pass). Returns whether every θ after it is finite.
 */
export function apply(rule: StepRuleSpec, state: OptimizerState, params: Vec, grads: Vec, lr: number, t: number,
                      kernels?: Kernels, keep: Vec | null = null): boolean {
  const n = params.length;
  const k = kernels ?? tsKernels;
  state.t = t;
  if (state.slots !== undefined) for (let i = 0; i < state.slots.length; i++) state.buffers[i] = state.slots[i]!.a;
  if (rule.kind === 'adam') return Number.isFinite(adam(rule, state, params, grads, lr, t, k, keep));
  keep?.set(params);
  switch (rule.kind) {
    case 'sgd': {
      const mu = rule.momentum ?? 0;
      k.sgdStep(n, params, grads, mu === 0 ? null : state.buffers[0]!, lr, mu, rule.nesterov ?? false);
      break;
    }
    case 'adamw':
      decoupledDecay(params, lr * (rule.weightDecay ?? 0.01));
      return Number.isFinite(adam(rule, state, params, grads, lr, t, k, null));
    case 'rmsprop': rmsprop(rule, state, params, grads, lr); break;
    case 'adagrad': {
      const eps = rule.epsilon ?? 1e-10;
      const s = state.buffers[0]!;
      for (let i = 0; i < n; i++) {
        const g = grads[i]!;
        const si = s[i]! + g * g;
        s[i] = si;
        params[i]! -= lr * g / (Math.sqrt(si) + eps);
      }
      break;
    }
  }
  // Σ|θ| in float64 is finite exactly when every θ is (one SIMD pass on an arena).
  return Number.isFinite(k.sumAbs(params, n));
}

function rmsprop(rule: RmspropSpec, state: OptimizerState, params: Vec, grads: Vec, lr: number): void {
  const rho = rule.rho ?? 0.99;
  const eps = rule.epsilon ?? 1e-8;
  const mu = rule.momentum ?? 0;
  const s = state.buffers[0]!;
  const b = state.buffers[1];
  for (let i = 0; i < params.length; i++) {
    const g = grads[i]!;
    const si = rho * s[i]! + (1 - rho) * g * g;
    s[i] = si;
    const u = g / (Math.sqrt(si) + eps);
    if (b === undefined) params[i]! -= lr * u;
    else { const bi = mu * b[i]! + u; b[i] = bi; params[i]! -= lr * bi; }
  }
}

/** θ ← θ (1 − η λ): the decoupled weight decay that AdamW composes with Adam. */
function decoupledDecay(params: Vec, rate: number): void {
  if (rate === 0) return;
  const c = 1 - rate;
  for (let i = 0; i < params.length; i++) params[i]! *= c;
}

/** Adam's step (the kernel's); returns the largest |θ| after it. */
function adam(rule: AdamSpec | AdamWSpec, state: OptimizerState, params: Vec, grads: Vec, lr: number, t: number, kernels: Kernels, keep: Vec | null): number {
  const b1 = rule.beta1 ?? 0.9;
  const b2 = rule.beta2 ?? 0.999;
  const eps = rule.epsilon ?? 1e-8;
  const m = state.buffers[0]!;
  const v = state.buffers[1]!;
  // PyTorch's arrangement: θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε), equal to η m̂ / (√v̂ + ε).
  const c1 = 1 - b1 ** t;
  const sqrtC2 = Math.sqrt(1 - b2 ** t);
  const stepSize = lr / c1;
  return kernels.adamStep(params.length, params, grads, m, v, stepSize, b1, b2, eps, sqrtC2, keep);
}

/** The state as plain JSON (numbers round-trip exactly through JSON as shortest decimal doubles). */
export interface OptimizerStateJSON { readonly kind: string; readonly t: number; readonly buffers: number[][] }

/** An optimizer's state as plain JSON, for checkpoints. */
export function optimizerStateToJSON(s: OptimizerState): OptimizerStateJSON {
  // Arena-resident moments: read the slots' current views (the arena may have moved since the last step).
  const buffers = s.slots === undefined ? s.buffers : s.slots.map((slot) => slot.a);
  return { kind: s.kind, t: s.t, buffers: buffers.map((b) => Array.from(b)) };
}

/** The optimizer state of optimizerStateToJSON, checked against the rule and the parameter count. */
export function optimizerStateFromJSON(json: OptimizerStateJSON, rule: StepRuleSpec, n: number, arena?: Arena): OptimizerState {
  const fresh = init(rule, n, arena);
  if (json.kind !== rule.kind) throw new Error(`optimizer state: kind '${json.kind}' does not match the optimizer '${rule.kind}'`);
  if (!Number.isInteger(json.t) || json.t < 0) throw new Error(`optimizer state: t must be a non-negative integer, got ${json.t}`);
  if (json.buffers.length !== fresh.buffers.length) throw new Error(`optimizer state: expected ${fresh.buffers.length} buffers, got ${json.buffers.length}`);
  json.buffers.forEach((b, i) => {
    if (b.length !== n) throw new Error(`optimizer state: buffers[${i}] has ${b.length} values, expected ${n}`);
    fresh.buffers[i]!.set(b);
  });
  fresh.t = json.t;
  return fresh;
}

/** Any optimizer `fit` accepts: a per-step rule, or L-BFGS (full batch, one iteration per epoch). */
export type OptimizerSpec = StepRuleSpec | import('./lbfgs.js').LbfgsSpec;

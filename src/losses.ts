/**
 * Losses L(ŷ, y), averaged over the batch, each with its value and gradient side by side.
 *
 * Notation (the lecture's): for the output layer, I is the pre-activation and O = f(I) the output.
 * `gradWrt` says what `grad` differentiates with respect to: 'O' writes ∂L/∂O; 'I' (the three losses
 * fused with their output activation: binary cross-entropy with sigmoid, categorical cross-entropy with
 * softmax, Poisson with exp) writes δ = ∂L/∂I directly, δ = (O − y)/N. The fused forms are computed from
 * I, so there is no log(0) and no overflow even at |I| ≥ 100.
 *
 * A loss with a parameter (Huber's δ) is named in a spec by an object, `{ name: 'huber', delta: 0.5 }`;
 * a bare name takes the defaults. The quantile loss's τ, one per output, is the model spec's `quantiles`.
 * `LOSS_TABLE` holds one entry per loss: its constructor from the spec's options and the options it
 * accepts, so a new loss is one entry.
 *
 * Optional per-sample weights w (class weights) multiply each sample's term; the mean stays over N.
 *
 * Dimension legend: m samples in the batch, k outputs.
 */

import type { Vec } from './kernels/backend.js';

/** The losses' names: regression (mse, halfSquaredError, mae, huber), counts (poisson), quantiles (quantile) and classification (binary and categorical cross-entropy). */
export const LOSS_NAMES = [
  'mse', 'halfSquaredError', 'mae', 'huber', 'binaryCrossEntropy', 'categoricalCrossEntropy', 'poisson', 'quantile',
] as const;
/** The name of a loss (one of LOSS_NAMES). */
export type LossName = (typeof LOSS_NAMES)[number];

interface LossFunctions {
  readonly name: LossName;
  value(O: Vec, I: Vec, Y: Vec, m: number, k: number, w?: Vec): number;
  /** ∂L/∂O (gradWrt 'O') or δ = ∂L/∂I (gradWrt 'I') into `dst`. */
  grad(O: Vec, I: Vec, Y: Vec, m: number, k: number, dst: Vec, w?: Vec): void;
}

/** A loss differentiates with respect to the output O, or (fused with its activation) the pre-activation I. */
export type Loss = LossFunctions & (
  | { readonly gradWrt: 'O'; readonly fusedWith: null }
  | { readonly gradWrt: 'I'; readonly fusedWith: 'sigmoid' | 'softmax' | 'exp' }
);

const weight = (w: Vec | undefined, i: number): number => (w === undefined ? 1 : w[i]!);

/**
 * δ = ∂L/∂I = w·(O − Y)/(NK): the gradient of every loss that is the negative log-likelihood of its
 * output's exponential family under the canonical link — the cross-entropy of a sigmoid, the Poisson loss
 * of an exp — so the loss is differentiated with respect to I, where it is this simple and stable.
 */
function meanResidual(O: Vec, _I: Vec, Y: Vec, m: number, k: number, dst: Vec, w?: Vec): void {
  const c = 1 / (m * k);
  for (let i = 0; i < m; i++) {
    const wi = c * weight(w, i);
    for (let j = i * k; j < (i + 1) * k; j++) dst[j] = wi * (O[j]! - Y[j]!);
  }
}

/**
 * A loss that is a sum of one term per output, ℓ(r) of the residual r = ŷ − y, with ℓ and ℓ′ side by
 * side, divided by N·K (a mean over samples and outputs) or by N (summed over outputs, mean over samples).
 */
function residualLoss(name: LossName, term: (r: number) => number, dterm: (r: number) => number, perOutput: boolean): Loss {
  return {
    name, gradWrt: 'O', fusedWith: null,
    value(O, _I, Y, m, k, w) {
      let s = 0;
      for (let i = 0; i < m; i++) {
        let r = 0;
        for (let j = i * k; j < (i + 1) * k; j++) r += term(O[j]! - Y[j]!);
        s += weight(w, i) * r;
      }
      return s / (perOutput ? m * k : m);
    },
    grad(O, _I, Y, m, k, dst, w) {
      const c = 1 / (perOutput ? m * k : m);
      for (let i = 0; i < m; i++) {
        const wi = c * weight(w, i);
        for (let j = i * k; j < (i + 1) * k; j++) dst[j] = wi * dterm(O[j]! - Y[j]!);
      }
    },
  };
}

/** The lecture's regression loss, 1/(NK) Σ_n Σ_k (ŷ_nk − y_nk)². */
const mse = residualLoss('mse', (r) => r * r, (r) => 2 * r, true);

/** The lecture's backpropagation example, L = ½ Σ_j (O_j − y_j)², summed over outputs and averaged over samples. */
const halfSquaredError = residualLoss('halfSquaredError', (r) => 0.5 * r * r, (r) => r, false);

/** Mean absolute error; its derivative at a zero residual is taken as 0. */
const mae = residualLoss('mae', Math.abs, Math.sign, true);

/** Huber's threshold when the spec names none. */
export const HUBER_DELTA = 1;

/** Huber loss with threshold δ: ½r² for |r| ≤ δ, δ(|r| − ½δ) beyond (quadratic near 0, linear in the tails). */
export function huberLoss(delta: number = HUBER_DELTA): Loss {
  if (!(Number.isFinite(delta) && delta > 0)) throw new Error(`loss 'huber': delta must be a finite number > 0, got ${delta}`);
  return residualLoss(
    'huber',
    (r) => { const a = Math.abs(r); return a <= delta ? 0.5 * a * a : delta * (a - 0.5 * delta); },
    (r) => (Math.abs(r) <= delta ? r : delta * Math.sign(r)),
    true,
  );
}

/**
 * The lecture's two-class log-likelihood, negated and averaged: −[y log σ(I) + (1 − y) log(1 − σ(I))].
 * Written from the logit as max(I, 0) − I·y + log(1 + e^(−|I|)), which never takes log(0) or overflows.
 * δ = ∂L/∂I = (σ(I) − y)/(NK).
 */
const binaryCrossEntropy: Loss = {
  name: 'binaryCrossEntropy', gradWrt: 'I', fusedWith: 'sigmoid',
  value(_O, I, Y, m, k, w) {
    let s = 0;
    for (let i = 0; i < m; i++) {
      let r = 0;
      for (let j = i * k; j < (i + 1) * k; j++) {
        const x = I[j]!;
        r += Math.max(x, 0) - x * Y[j]! + Math.log1p(Math.exp(-Math.abs(x)));
      }
      s += weight(w, i) * r;
    }
    return s / (m * k);
  },
  grad: meanResidual,
};

/**
 * The lecture's C-class log-likelihood, negated and averaged: −Σ_c y_c log softmax(I)_c
 * = Σ_c y_c (logΣexp(I) − I_c), with logΣexp read off the output O = softmax(I) at the row maximum.
 * δ_c = ∂L/∂I_c = (O_c·Σ_c′ y_c′ − y_c)/N, which is (O − y)/N for one-hot targets.
 */
const categoricalCrossEntropy: Loss = {
  name: 'categoricalCrossEntropy', gradWrt: 'I', fusedWith: 'softmax',
  value(O, I, Y, m, k, w) {
    let s = 0;
    for (let i = 0; i < m; i++) {
      const r = i * k;
      let top = r;
      for (let j = r + 1; j < r + k; j++) if (I[j]! > I[top]!) top = j;
      // logΣexp(I) = max I − log O at the maximum: O there is 1/Σexp(I − max) ≥ 1/k, so its log never
      // underflows, and the forward pass's softmax saves the k exponentials a row would cost again.
      const lse = I[top]! - Math.log(O[top]!);
      let li = 0;
      for (let j = 0; j < k; j++) { const y = Y[r + j]!; if (y !== 0) li += y * (lse - I[r + j]!); }
      s += weight(w, i) * li;
    }
    return s / m;
  },
  grad(O, _I, Y, m, k, dst, w) {
    for (let i = 0; i < m; i++) {
      const r = i * k;
      let sy = 0;
      for (let j = 0; j < k; j++) sy += Y[r + j]!;
      const wi = weight(w, i) / m;
      for (let j = 0; j < k; j++) dst[r + j] = wi * (O[r + j]! * sy - Y[r + j]!);
    }
  },
};

/**
 * Poisson negative log-likelihood with the log link (counts, rates): the output is O = exp(I), the predicted
 * mean, and L = 1/(NK) Σ (exp(I) − y·I), dropping the constant log(y!) (as PyTorch's PoissonNLLLoss with
 * log_input and scikit-learn's half Poisson loss). Computed from I, so a mean that underflows to 0 never
 * takes log(0). δ = ∂L/∂I = (O − y)/(NK). Targets are non-negative (counts need not be integers).
 */
const poisson: Loss = {
  name: 'poisson', gradWrt: 'I', fusedWith: 'exp',
  value(O, I, Y, m, k, w) {
    let s = 0;
    for (let i = 0; i < m; i++) {
      let r = 0;
      for (let j = i * k; j < (i + 1) * k; j++) r += O[j]! - Y[j]! * I[j]!;
      s += weight(w, i) * r;
    }
    return s / (m * k);
  },
  grad: meanResidual,
};

/** The quantile loss's τ when the model spec gives none: ½, the median. */
export const QUANTILE_TAU = 0.5;

/**
 * Quantile (pinball) loss, one τ per output: ρ_τ(r) = max(τ·r, (τ − 1)·r) of the residual r = y − ŷ,
 * averaged over N·K. Minimizing it makes output j the τ_j-quantile of y given x, so outputs with
 * τ = 0.05, 0.5, 0.95 give a median and a 90% band. ∂ρ/∂ŷ = −τ where y > ŷ, 1 − τ where y < ŷ,
 * 0 at r = 0 (a kink, as for MAE, which is τ = ½ up to a factor 2). One τ applies to every output.
 */
export function quantileLoss(quantiles: readonly number[]): Loss {
  if (quantiles.length === 0) throw new Error('quantile loss: needs at least one quantile τ');
  quantiles.forEach((q, j) => {
    if (typeof q !== 'number' || !(q > 0 && q < 1)) throw new Error(`quantile loss: quantiles[${j}] must be a number in (0, 1), got ${JSON.stringify(q)}`);
  });
  const tau = (j: number): number => quantiles[quantiles.length === 1 ? 0 : j]!;
  return {
    name: 'quantile', gradWrt: 'O', fusedWith: null,
    value(O, _I, Y, m, k, w) {
      let s = 0;
      for (let i = 0; i < m; i++) {
        let r = 0;
        for (let j = 0; j < k; j++) {
          const e = Y[i * k + j]! - O[i * k + j]!;
          const t = tau(j);
          r += e >= 0 ? t * e : (t - 1) * e;
        }
        s += weight(w, i) * r;
      }
      return s / (m * k);
    },
    grad(O, _I, Y, m, k, dst, w) {
      const c = 1 / (m * k);
      for (let i = 0; i < m; i++) {
        const wi = c * weight(w, i);
        for (let j = 0; j < k; j++) {
          const e = Y[i * k + j]! - O[i * k + j]!;
          dst[i * k + j] = e > 0 ? -wi * tau(j) : e < 0 ? wi * (1 - tau(j)) : 0;
        }
      }
    },
  };
}

/** One entry per loss: the options a spec may give it (name → check of the value), and its constructor. */
interface LossEntry {
  readonly options: Readonly<Record<string, (v: number) => string | null>>;
  create(options: Readonly<Record<string, number>>, model: LossModelPart): Loss;
}

/** What a loss may read from the model spec beside its own options: the quantile loss's τ per output. */
export interface LossModelPart { readonly quantiles?: readonly number[] }

const positive = (v: number): string | null => (Number.isFinite(v) && v > 0 ? null : 'a finite number > 0');
const fixed = (loss: Loss): LossEntry => ({ options: {}, create: () => loss });

export const LOSS_TABLE: Readonly<Record<LossName, LossEntry>> = {
  mse: fixed(mse),
  halfSquaredError: fixed(halfSquaredError),
  mae: fixed(mae),
  huber: { options: { delta: positive }, create: (o) => huberLoss(o.delta) },
  binaryCrossEntropy: fixed(binaryCrossEntropy),
  categoricalCrossEntropy: fixed(categoricalCrossEntropy),
  poisson: fixed(poisson),
  quantile: { options: {}, create: (_o, model) => quantileLoss(model.quantiles ?? [QUANTILE_TAU]) },
};

/** Every loss with its default options. */
export const LOSSES: Readonly<Record<LossName, Loss>> = {
  mse, halfSquaredError, mae, huber: huberLoss(), binaryCrossEntropy, categoricalCrossEntropy, poisson, quantile: quantileLoss([QUANTILE_TAU]),
};

/** A loss in a spec: its name (default options) or an object naming it with its options. */
export type LossSpec = LossName | HuberLossSpec;
export interface HuberLossSpec { readonly name: 'huber'; readonly delta?: number }

export function lossName(spec: LossSpec): LossName {
  return typeof spec === 'string' ? spec : spec.name;
}

/** The loss a (validated) spec names, with its options (and the quantile loss's τ from the model spec). */
export function lossFromSpec(spec: LossSpec, model: LossModelPart = {}): Loss {
  if (typeof spec === 'string') return LOSS_TABLE[spec].create({}, model);
  const { name, ...options } = spec;
  const given: Record<string, number> = {};
  for (const [k, v] of Object.entries(options)) if (typeof v === 'number') given[k] = v;
  return LOSS_TABLE[name].create(given, model);
}

/** Whether `x` is one of LOSS_NAMES. */
export function isLossName(x: unknown): x is LossName {
  return typeof x === 'string' && (LOSS_NAMES as readonly string[]).includes(x);
}

/** The loss called `name`; throws, listing the valid names, when there is none. */
export function lossByName(name: string): Loss {
  if (!isLossName(name)) throw new Error(`loss: unknown loss '${name}'; expected one of ${LOSS_NAMES.join(', ')}`);
  return LOSSES[name];
}

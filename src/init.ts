/**
 * Weight initializers. The lecture: "initialize randomly w_0 — small values for sigmoid and tanh", and
 * "initialize weights in such manner to keep variance constant (Xavier initialization)".
 *
 * fanIn / fanOut are the numbers of inputs and outputs of the layer. For a masked (sparse) layer the
 * fans count only the connections that exist, so variance is preserved for the neurons' real in-degree.
 */

import type { ActivationName } from './activations.js';
import type { Rng } from './rng.js';
import type { Vec } from './kernels/backend.js';

/** The weight initializers' names: constants, the lecture's small random values, Xavier/Glorot, He and LeCun (uniform or normal). */
export const INIT_NAMES = [
  'zeros', 'ones', 'small', 'xavierUniform', 'xavierNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal',
] as const;
/** The name of a weight initializer (one of INIT_NAMES). */
export type InitName = (typeof INIT_NAMES)[number];

/** Half-width of the lecture's "small random values" U(−a, a). */
export const SMALL_INIT_SCALE = 0.1;

/** Whether `x` is one of INIT_NAMES. */
export function isInitName(x: unknown): x is InitName {
  return typeof x === 'string' && (INIT_NAMES as readonly string[]).includes(x);
}

/** Fill `w[0..len)` according to `name`. */
export function initialize(name: InitName, w: Vec, len: number, fanIn: number, fanOut: number, rng: Rng): void {
  const fi = Math.max(1, fanIn);
  const fo = Math.max(1, fanOut);
  const uniform = (a: number): void => { for (let i = 0; i < len; i++) w[i] = rng.range(-a, a); };
  const normal = (s: number): void => { for (let i = 0; i < len; i++) w[i] = s * rng.normal(); };
  switch (name) {
    case 'zeros': w.fill(0, 0, len); return;
    case 'ones': w.fill(1, 0, len); return;
    case 'small': uniform(SMALL_INIT_SCALE); return;
    // Glorot & Bengio (2010): Var(w) = 2/(fanIn + fanOut).
    case 'xavierUniform': uniform(Math.sqrt(6 / (fi + fo))); return;
    case 'xavierNormal': normal(Math.sqrt(2 / (fi + fo))); return;
    // He et al. (2015): Var(w) = 2/fanIn keeps the variance through ReLU, which zeroes half the inputs.
    case 'heUniform': uniform(Math.sqrt(6 / fi)); return;
    case 'heNormal': normal(Math.sqrt(2 / fi)); return;
    // LeCun (1998): Var(w) = 1/fanIn, the fixed point SELU is designed around.
    case 'lecunUniform': uniform(Math.sqrt(3 / fi)); return;
    case 'lecunNormal': normal(Math.sqrt(1 / fi)); return;
  }
}

/** Activations that used to default to He normal (ReLU and its smooth relatives). */
const RELU_LIKE: readonly ActivationName[] = ['relu', 'leakyRelu', 'elu', 'gelu', 'silu', 'mish', 'softplus'];

/**
 * The weight initializer of a dense layer whose spec names none, by its activation. Every activation gets
 * Glorot's variance, Var(w) = 2/(fanIn + fanOut), as scikit-learn's MLP does — uniform for the saturating
 * ones, normal for ReLU-like ones — except SELU, whose self-normalizing fixed point assumes LeCun normal.
 * ReLU-like activations used to default to He normal (Var = 2/fanIn); measured on the bundled tables with
 * scikit-learn's architecture and budget, He lost up to 2.6 points and Glorot normal does not
 * (bench/defaults/RESULTS.md), so He stays an explicit choice (`init: 'heNormal'`, for deep ReLU stacks
 * where its variance argument matters).
 */
export function defaultWeightInit(activation: ActivationName): InitName {
  if (activation === 'selu') return 'lecunNormal';
  return RELU_LIKE.includes(activation) ? 'xavierNormal' : 'xavierUniform';
}

/**
 * The activation zoo as a table: every entry is f and f′ side by side.
 *
 * `df(x, y)` is f′ at x where y = f(x) has already been computed, so the
 * derivatives that the lecture writes in terms of the output (σ′ = O(1 − O),
 * tanh′ = 1 − O²) cost no extra exp.
 *
 * Softmax is not in this table: it couples the units of a row and lives in the
 * kernels (`softmaxRows`) and in the dense layer's output handling.
 */

export const ACTIVATION_NAMES = [
  'identity', 'step', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'selu',
  'softplus', 'softsign', 'gelu', 'silu', 'mish', 'hardSigmoid', 'gaussian', 'sin', 'exp',
] as const;

/** The name of an elementwise activation (one of ACTIVATION_NAMES). */
export type ActivationName = (typeof ACTIVATION_NAMES)[number];

/** Output activations: the elementwise zoo, plus softmax over a row. */
export type OutputActivationName = ActivationName | 'softmax';

/** An elementwise activation: f and its derivative f′(x, y = f(x)) side by side, where f′ is undefined (kinks), and the initializer that suits it. */
export interface Activation {
  readonly name: ActivationName;
  /** f(x). */
  readonly f: (x: number) => number;
  /** f′(x) given y = f(x). */
  readonly df: (x: number, y: number) => number;
  /** False for the step function: its derivative is zero almost everywhere, so it cannot be trained by gradients. */
  readonly differentiable: boolean;
  /** Points where f′ is undefined (kinks); gradient checks keep away from them. */
  readonly kinks: readonly number[];
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const LEAKY_SLOPE = 0.01;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** σ(x) = 1/(1+e^(−x)), written so that neither branch overflows. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^(−|x|)), stable for large |x|. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Error function (Abramowitz–Stegun 7.1.26 is too coarse for gradient checks; this series/continued-fraction pair is accurate to ~1e-15). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series: erf x = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  // Continued fraction for erfc, evaluated bottom-up (Lentz is unnecessary at this depth).
  let f = 0;
  for (let n = 60; n >= 1; n--) f = (n / 2) / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  const r = 1 - erfc;
  return x < 0 ? -r : r;
}

/** Standard normal cumulative distribution Φ(x). */
function phi(x: number): number {
  return 0.5 * (1 + erf(x / Math.SQRT2));
}

/** Every activation by name: f and f′ side by side, with where f′ is undefined (kinks) and the initializer that suits it. */
export const ACTIVATIONS: Readonly<Record<ActivationName, Activation>> = {
  identity: {
    name: 'identity', f: (x) => x, df: () => 1,
    differentiable: true, kinks: [],
  },
  // The lecture's indicator 𝕀[x ≥ 0]. Its derivative is 0 almost everywhere, which is exactly
  // why the lecture replaces it by smooth activations: models containing it are forward-only.
  step: {
    name: 'step', f: (x) => (x >= 0 ? 1 : 0), df: () => 0,
    differentiable: false, kinks: [0],
  },
  sigmoid: {
    name: 'sigmoid', f: sigmoid, df: (_x, y) => y * (1 - y),
    differentiable: true, kinks: [],
  },
  tanh: {
    name: 'tanh', f: Math.tanh, df: (_x, y) => 1 - y * y,
    differentiable: true, kinks: [],
  },
  // ReLU′(0) is taken as 0 (the sub-gradient most frameworks use).
  relu: {
    name: 'relu', f: (x) => (x > 0 ? x : 0), df: (x) => (x > 0 ? 1 : 0),
    differentiable: true, kinks: [0],
  },
  leakyRelu: {
    name: 'leakyRelu', f: (x) => (x > 0 ? x : LEAKY_SLOPE * x), df: (x) => (x > 0 ? 1 : LEAKY_SLOPE),
    differentiable: true, kinks: [0],
  },
  elu: {
    name: 'elu', f: (x) => (x > 0 ? x : Math.expm1(x)), df: (x, y) => (x > 0 ? 1 : y + 1),
    differentiable: true, kinks: [],
  },
  selu: {
    name: 'selu',
    f: (x) => (x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * Math.expm1(x)),
    df: (x, y) => (x > 0 ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA),
    differentiable: true, kinks: [0],
  },
  softplus: {
    name: 'softplus', f: softplus, df: (x) => sigmoid(x),
    differentiable: true, kinks: [],
  },
  softsign: {
    name: 'softsign', f: (x) => x / (1 + Math.abs(x)),
    df: (x) => { const d = 1 + Math.abs(x); return 1 / (d * d); },
    differentiable: true, kinks: [],
  },
  // Exact GELU: x·Φ(x); f′ = Φ(x) + x·φ(x).
  gelu: {
    name: 'gelu', f: (x) => x * phi(x),
    df: (x) => phi(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x),
    differentiable: true, kinks: [],
  },
  // SiLU / swish: x·σ(x); f′ = σ(x)(1 + x(1 − σ(x))).
  silu: {
    name: 'silu', f: (x) => x * sigmoid(x),
    df: (x) => { const s = sigmoid(x); return s * (1 + x * (1 - s)); },
    differentiable: true, kinks: [],
  },
  // Mish: x·tanh(softplus(x)); f′ = tanh(sp) + x·σ(x)·(1 − tanh²(sp)).
  mish: {
    name: 'mish', f: (x) => x * Math.tanh(softplus(x)),
    df: (x) => { const t = Math.tanh(softplus(x)); return t + x * sigmoid(x) * (1 - t * t); },
    differentiable: true, kinks: [],
  },
  // Hard sigmoid as in PyTorch: clip(x/6 + 1/2, 0, 1); kinks at ±3.
  hardSigmoid: {
    name: 'hardSigmoid', f: (x) => (x <= -3 ? 0 : x >= 3 ? 1 : x / 6 + 0.5),
    df: (x) => (x <= -3 || x >= 3 ? 0 : 1 / 6),
    differentiable: true, kinks: [-3, 3],
  },
  gaussian: {
    name: 'gaussian', f: (x) => Math.exp(-x * x), df: (x, y) => -2 * x * y,
    differentiable: true, kinks: [],
  },
  sin: {
    name: 'sin', f: Math.sin, df: (x) => Math.cos(x),
    differentiable: true, kinks: [],
  },
  // The inverse of the log link: the output of a Poisson model is the predicted mean exp(I) > 0.
  exp: {
    name: 'exp', f: Math.exp, df: (_x, y) => y,
    differentiable: true, kinks: [],
  },
} satisfies Record<ActivationName, Activation>;

/** Whether `name` is one of ACTIVATION_NAMES. */
export function isActivationName(name: unknown): name is ActivationName {
  return typeof name === 'string' && (ACTIVATION_NAMES as readonly string[]).includes(name);
}

/** Look an activation up by name, failing with a message that lists the known names. */
export function activation(name: string, where = 'activation'): Activation {
  if (!isActivationName(name)) {
    throw new Error(`${where}: unknown activation '${name}'; expected one of ${ACTIVATION_NAMES.join(', ')}, softmax (outputs only)`);
  }
  return ACTIVATIONS[name];
}

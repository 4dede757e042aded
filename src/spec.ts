/**
 * The model specification: plain JSON data that the library, the CLI and the playground all build
 * models from. `validateSpec` is the one boundary where names become functions and where every
 * error names the layer and what was expected.
 */

import { ACTIVATION_NAMES, isActivationName, type ActivationName, type OutputActivationName } from './activations.js';
import { INIT_NAMES, isInitName, type InitName } from './init.js';
import { LOSS_NAMES, LOSS_TABLE, isLossName, lossName, type LossName, type LossSpec } from './losses.js';
import type { DType } from './kernels/backend.js';

/** An activation for a whole layer, or one per unit (the lecture's per-neuron f_j). */
export type ActivationSpec = OutputActivationName | readonly ActivationName[];

interface Common {
  /** Unique name; defaults to `${kind}${index}`. */
  readonly name?: string;
  /** Names of the layers (or 'input') that feed this one; defaults to the previous layer. */
  readonly inputs?: readonly string[];
}

/** A fully connected layer I = O_prev·W + b, O = f(I), with optional connection mask, per-unit activations, constraints and penalties. */
export interface DenseSpec extends Common {
  readonly kind: 'dense';
  readonly units: number;
  /** Default 'identity' (a linear layer: I = O_prev·W + b, O = I). */
  readonly activation?: ActivationSpec;
  readonly useBias?: boolean;
  /** Default `defaultWeightInit(activation)`: Glorot normal for ReLU-like f, LeCun normal for SELU, else (and per-unit, softmax) Glorot uniform. */
  readonly init?: InitName;
  readonly biasInit?: InitName;
  /** 0/1 connection mask, inputs × units: W[i][j] exists only where mask[i][j] = 1 (the lecture's inc(j)). */
  readonly mask?: readonly (readonly number[])[];
  /** 0/1 per unit: whether unit j has a bias (the lecture's constant unit O_const ≡ 1). */
  readonly biasMask?: readonly number[];
  /** A name per unit (a neuron graph's neuron ids), shown by the backpropagation trace. */
  readonly unitNames?: readonly string[];
  /** Weights constrained to be ≥ 0: all of them (true) or where a 0/1 inputs × units matrix has 1. */
  readonly nonNegative?: boolean | readonly (readonly number[])[];
  /** Weights constrained to be ≤ 0, likewise (a decreasing input of a monotone network). */
  readonly nonPositive?: boolean | readonly (readonly number[])[];
  /** Each unit's incoming weight vector is rescaled to norm ≤ maxNorm after every update. */
  readonly maxNorm?: number;
  /** Use the weight matrix of another dense layer of the same shape (tied weights: one parameter, two uses). */
  readonly shareWeightsWith?: string;
  /** L1 / L2 penalties on this layer's weights, overriding the model's. */
  readonly l1?: number;
  readonly l2?: number;
}

/** An activation on its own layer, O = f(I) elementwise. */
export interface ActivationLayerSpec extends Common {
  readonly kind: 'activation';
  readonly activation: ActivationSpec;
}

/** Inverted dropout: in training each unit is zeroed with probability `rate`; inactive in inference. */
export interface DropoutSpec extends Common {
  readonly kind: 'dropout';
  /** Probability of dropping a unit in training (inverted dropout: kept units are scaled by 1/(1 − rate)). */
  readonly rate: number;
}

/** Batch normalization over the batch (training) or the running averages (inference), with a learned scale γ and shift β. */
export interface BatchNormSpec extends Common {
  readonly kind: 'batchNorm';
  /** Running averages: r ← momentum·r + (1 − momentum)·batch statistic. Default 0.9. */
  readonly momentum?: number;
  /** Added to the variance before the square root. Default 1e-5. */
  readonly epsilon?: number;
}

/** The elementwise sum of layers of equal width (a residual skip). */
export interface AddSpec extends Common { readonly kind: 'add'; readonly inputs: readonly string[] }
/** The concatenation of layers side by side (a skip that keeps both). */
export interface ConcatSpec extends Common { readonly kind: 'concat'; readonly inputs: readonly string[] }

/** Additive Gaussian noise in training, for augmentation; inactive in inference. */
export interface GaussianNoiseSpec extends Common {
  readonly kind: 'gaussianNoise';
  /** Standard deviation of the noise added in training (augmentation); inactive in inference. */
  readonly stddev: number;
}

/** One layer of a model spec, told apart by `kind`. */
export type LayerSpec =
  | DenseSpec | ActivationLayerSpec | DropoutSpec | BatchNormSpec | AddSpec | ConcatSpec | GaussianNoiseSpec;

/** The layer kinds: 'dense', 'activation', 'dropout', 'batchNorm', 'add', 'concat', 'gaussianNoise'. */
export type LayerKind = LayerSpec['kind'];

/** A reference to one weight: W[row][col] of a dense layer. */
export interface WeightRef { readonly layer: string; readonly row: number; readonly col: number }

/** A whole model as plain JSON: the input width, the layers (a DAG through their `inputs`), the loss, penalties and tied weights. */
export interface ModelSpec {
  /** Number of input features. */
  readonly inputSize: number;
  /** A name per input (a neuron graph's input ids), shown by the backpropagation trace. */
  readonly inputNames?: readonly string[];
  readonly layers: readonly LayerSpec[];
  /** The layer whose output is the model's output; default the last. */
  readonly output?: string;
  /** A loss name, or an object naming a loss with its options: `{ name: 'huber', delta: 0.5 }`. */
  readonly loss: LossSpec;
  /** float32 by default; float64 for gradient checks. */
  readonly dtype?: DType;
  /** Penalties on every dense layer's weights (not biases): L1 λ₁Σ|w|, L2 the lecture's λΣw². */
  readonly l1?: number;
  readonly l2?: number;
  /**
   * Groups of individual weights constrained equal (the lecture's "equal weights"). A group is one
   * parameter: under L1/L2 its penalty counts once, in the loss and in the gradient, so its members must
   * sit in layers with the same l1 and l2.
   */
  readonly ties?: readonly (readonly WeightRef[])[];
  /** With loss 'quantile': τ of each output (one value applies to all); default ½, the median. */
  readonly quantiles?: readonly number[];
}

/** The name of the model's input node, which layers list in `inputs` to read the features. */
export const INPUT = 'input';

/** A spec with defaults filled in: every layer named, every input list explicit. */
export interface ResolvedSpec extends ModelSpec {
  readonly layers: readonly (LayerSpec & { readonly name: string; readonly inputs: readonly string[] })[];
  readonly output: string;
  readonly dtype: DType;
}

function fail(where: string, msg: string): never {
  throw new Error(`${where}: ${msg}`);
}

function checkPositiveInt(v: unknown, where: string, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(where, `${what} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function checkNumber(v: unknown, where: string, what: string, lo: number, hi: number, hiOpen = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || (hiOpen ? v >= hi : v > hi)) {
    fail(where, `${what} must be a number in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function checkActivation(a: unknown, where: string, units: number | undefined, allowSoftmax: boolean): void {
  if (Array.isArray(a)) {
    if (units !== undefined && a.length !== units) fail(where, `per-unit activation list has ${a.length} entries, expected one per unit (${units})`);
    a.forEach((n, j) => {
      if (!isActivationName(n)) fail(where, `unknown activation '${String(n)}' for unit ${j}; expected one of ${ACTIVATION_NAMES.join(', ')}`);
    });
    return;
  }
  if (a === 'softmax') {
    if (!allowSoftmax) fail(where, `softmax is not allowed here`);
    return;
  }
  if (!isActivationName(a)) {
    fail(where, `unknown activation '${String(a)}'; expected one of ${ACTIVATION_NAMES.join(', ')}, softmax`);
  }
}

function check01Matrix(mat: unknown, rows: number, cols: number, where: string, what: string): void {
  if (!Array.isArray(mat) || mat.length !== rows) {
    fail(where, `${what} must have ${rows} rows (one per input), got ${Array.isArray(mat) ? mat.length : typeof mat}`);
  }
  mat.forEach((r: unknown, i: number) => {
    if (!Array.isArray(r) || r.length !== cols) fail(where, `${what} row ${i} must have ${cols} entries (one per unit), got ${Array.isArray(r) ? r.length : typeof r}`);
    r.forEach((v: unknown, j: number) => {
      if (v !== 0 && v !== 1) fail(where, `${what}[${i}][${j}] must be 0 or 1, got ${JSON.stringify(v)}`);
    });
  });
}

/** A weight cannot be both ≥ 0 and ≤ 0 (it would be pinned at 0: a mask says that). */
function checkSignsDisjoint(l: DenseSpec, rows: number, cols: number, where: string): void {
  if (l.nonNegative === undefined || l.nonNegative === false || l.nonPositive === undefined || l.nonPositive === false) return;
  const at = (m: true | readonly (readonly number[])[], i: number, j: number): boolean => m === true || m[i]![j] === 1;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (at(l.nonNegative, i, j) && at(l.nonPositive, i, j)) fail(where, `weight [${i}][${j}] is constrained both nonNegative and nonPositive`);
    }
  }
}

/** The quantile loss's τ: one in (0, 1), or one per output; only with loss 'quantile'. */
function checkQuantiles(q: unknown, loss: LossName, outputs: number): void {
  if (loss !== 'quantile') fail('model spec', `quantiles are the quantile loss's τ, but the loss is '${loss}'`);
  if (!Array.isArray(q) || (q.length !== 1 && q.length !== outputs)) {
    fail('model spec', `quantiles must list one τ, or one per output (${outputs}), got ${JSON.stringify(q)}`);
  }
  q.forEach((t: unknown, j: number) => checkNumber(t, 'model spec', `quantiles[${j}]`, Number.MIN_VALUE, 1, true));
}

/** Names of inputs or units: one string per input or unit. */
function checkNames(v: unknown, count: number, where: string, what: string): void {
  if (!Array.isArray(v) || v.length !== count || v.some((n) => typeof n !== 'string')) fail(where, `${what} must be ${count} names (strings), got ${JSON.stringify(v)}`);
}

/** The loss: a known name, or `{ name, ...options }` with the options that loss accepts; errors start with `where`. */
export function checkLoss(loss: unknown, where = 'model spec: loss'): void {
  if (typeof loss === 'string') {
    if (!isLossName(loss)) fail(where, `unknown loss '${loss}'; expected one of ${LOSS_NAMES.join(', ')}`);
    return;
  }
  if (typeof loss !== 'object' || loss === null || Array.isArray(loss)) fail(where, `expected a loss name or an object { name, ...options }, got ${JSON.stringify(loss)}`);
  const { name, ...options } = loss as Record<string, unknown>;
  if (!isLossName(name)) fail(where, `unknown loss '${String(name)}'; expected one of ${LOSS_NAMES.join(', ')}`);
  const accepted = LOSS_TABLE[name].options;
  for (const [key, value] of Object.entries(options)) {
    const check = accepted[key];
    const known = Object.keys(accepted);
    if (check === undefined) fail(where, `loss '${name}' has no option '${key}'${known.length > 0 ? `; its options: ${known.join(', ')}` : ' (it takes none)'}`);
    const expected = typeof value === 'number' ? check(value) : 'a number';
    if (expected !== null) fail(where, `${name} ${key} must be ${expected}, got ${JSON.stringify(value)}`);
  }
}

/**
 * Every layer must lead to the output. A layer that does not (a dead branch, or layers after an `output`
 * that names an inner layer) would never be trained, and its parameters would sit in the model file for
 * nothing: almost always a wrong `inputs` or `output`. The spec is refused, naming each such layer and
 * what consumes it, rather than silently pruned.
 */
function checkAllLeadToOutput(layers: readonly { readonly name: string; readonly kind: string; readonly inputs: readonly string[] }[], output: string): void {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const live = new Set<string>();
  const mark = (n: string): void => {
    if (n === INPUT || live.has(n)) return;
    live.add(n);
    byName.get(n)!.inputs.forEach(mark);
  };
  mark(output);
  const dead = layers.filter((l) => !live.has(l.name));
  if (dead.length === 0) return;
  const why = (name: string): string => {
    const consumers = layers.filter((l) => l.inputs.includes(name)).map((l) => `'${l.name}'`);
    return consumers.length === 0 ? 'feeds no layer' : `feeds only ${consumers.join(', ')}, which do${consumers.length === 1 ? 'es' : ''} not reach the output either`;
  };
  const list = dead.map((l) => `'${l.name}' (${l.kind}, ${why(l.name)})`).join('; ');
  const hint = output !== layers[layers.length - 1]!.name
    ? `output is '${output}', an inner layer: remove the layers after it or set output to the last one`
    : `remove ${dead.length === 1 ? 'it' : 'them'}, or feed ${dead.length === 1 ? 'it' : 'them'} into a layer on the path to '${output}' (e.g. through an add or concat layer)`;
  fail('model spec', `${dead.length === 1 ? 'layer' : 'layers'} ${list} ${dead.length === 1 ? 'does' : 'do'} not lead to the output '${output}', so ${dead.length === 1 ? 'it' : 'they'} could never be trained; ${hint}`);
}

/** Width of every layer's output, computed in topological order; used for validation and by the model. */
export function resolveSpec(spec: ModelSpec): ResolvedSpec {
  if (typeof spec !== 'object' || spec === null) throw new Error('model spec: expected an object');
  checkPositiveInt(spec.inputSize, 'model spec', 'inputSize');
  if (spec.inputNames !== undefined) checkNames(spec.inputNames, spec.inputSize, 'model spec', 'inputNames');
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) throw new Error('model spec: layers must be a non-empty array');
  checkLoss(spec.loss);
  const dtype = spec.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') throw new Error(`model spec: dtype must be 'float32' or 'float64', got ${JSON.stringify(dtype)}`);
  for (const key of ['l1', 'l2'] as const) {
    if (spec[key] !== undefined) checkNumber(spec[key], 'model spec', key, 0, Infinity);
  }
  const names = new Set<string>([INPUT]);
  const layers = spec.layers.map((l, idx) => {
    if (typeof l !== 'object' || l === null) throw new Error(`layer ${idx}: expected an object`);
    const name = l.name ?? `${l.kind}${idx}`;
    const where = `layer '${name}' (${String(l.kind)}, index ${idx})`;
    if (typeof name !== 'string' || name.length === 0) fail(`layer ${idx}`, `name must be a non-empty string`);
    if (names.has(name)) fail(where, `duplicate layer name '${name}'`);
    names.add(name);
    const prev = idx === 0 ? INPUT : (spec.layers[idx - 1]!.name ?? `${spec.layers[idx - 1]!.kind}${idx - 1}`);
    const inputs = l.inputs ?? [prev];
    if (!Array.isArray(inputs) || inputs.length === 0 || inputs.some((s) => typeof s !== 'string')) {
      fail(where, `inputs must be a non-empty list of layer names`);
    }
    return { ...l, name, inputs } as LayerSpec & { name: string; inputs: readonly string[] };
  });
  const byName = new Map(layers.map((l) => [l.name, l]));
  for (const l of layers) {
    for (const src of l.inputs) {
      if (src !== INPUT && !byName.has(src)) {
        fail(`layer '${l.name}'`, `input '${src}' is not a layer of this model (layers: ${[INPUT, ...byName.keys()].join(', ')})`);
      }
    }
  }
  // Cycle check (depth-first, colouring); reports the cycle's path.
  const state = new Map<string, 1 | 2>();
  const visit = (n: string, path: string[]): void => {
    if (n === INPUT) return;
    const s = state.get(n);
    if (s === 2) return;
    if (s === 1) throw new Error(`model spec: the layers form a cycle: ${[...path.slice(path.indexOf(n)), n].join(' → ')}; a model must be a directed acyclic graph`);
    state.set(n, 1);
    for (const src of byName.get(n)!.inputs) visit(src, [...path, n]);
    state.set(n, 2);
  };
  for (const l of layers) visit(l.name, []);
  const output = spec.output ?? layers[layers.length - 1]!.name;
  if (!byName.has(output)) fail('model spec', `output '${output}' is not a layer of this model`);
  checkAllLeadToOutput(layers, output);
  const resolved: ResolvedSpec = { ...spec, layers, output, dtype };
  const outWidth = layerWidths(resolved).get(output)!;
  if (spec.quantiles !== undefined) checkQuantiles(spec.quantiles, lossName(spec.loss), outWidth);
  return resolved;
}

/** The output width of every node (and the checks that need widths), keyed by name. */
export function layerWidths(spec: ResolvedSpec): Map<string, number> {
  const widths = new Map<string, number>([[INPUT, spec.inputSize]]);
  const byName = new Map(spec.layers.map((l) => [l.name, l]));
  const width = (n: string): number => {
    const known = widths.get(n);
    if (known !== undefined) return known;
    const l = byName.get(n)!;
    const where = `layer '${l.name}' (${l.kind})`;
    const ins = l.inputs.map(width);
    if (l.kind !== 'add' && l.kind !== 'concat' && ins.length !== 1) {
      fail(where, `takes exactly one input, got ${ins.length} (${l.inputs.join(', ')}); join several with an 'add' or 'concat' layer`);
    }
    const inW = ins[0]!;
    let w: number;
    switch (l.kind) {
      case 'dense': {
        w = checkPositiveInt(l.units, where, 'units');
        if (l.activation !== undefined) checkActivation(l.activation, where, w, true);
        if (l.useBias !== undefined && typeof l.useBias !== 'boolean') fail(where, `useBias must be true or false`);
        if (l.init !== undefined && !isInitName(l.init)) fail(where, `unknown init '${String(l.init)}'; expected one of ${INIT_NAMES.join(', ')}`);
        if (l.biasInit !== undefined && !isInitName(l.biasInit)) fail(where, `unknown biasInit '${String(l.biasInit)}'; expected one of ${INIT_NAMES.join(', ')}`);
        if (l.mask !== undefined) check01Matrix(l.mask, inW, w, where, 'mask');
        if (Array.isArray(l.nonNegative)) check01Matrix(l.nonNegative, inW, w, where, 'nonNegative');
        else if (l.nonNegative !== undefined && typeof l.nonNegative !== 'boolean') fail(where, `nonNegative must be a boolean or a 0/1 matrix`);
        if (Array.isArray(l.nonPositive)) check01Matrix(l.nonPositive, inW, w, where, 'nonPositive');
        else if (l.nonPositive !== undefined && typeof l.nonPositive !== 'boolean') fail(where, `nonPositive must be a boolean or a 0/1 matrix`);
        checkSignsDisjoint(l, inW, w, where);
        if (l.biasMask !== undefined) {
          if (!Array.isArray(l.biasMask) || l.biasMask.length !== w || l.biasMask.some((v) => v !== 0 && v !== 1)) {
            fail(where, `biasMask must be ${w} entries of 0 or 1`);
          }
        }
        if (l.unitNames !== undefined) checkNames(l.unitNames, w, where, 'unitNames');
        if (l.maxNorm !== undefined) checkNumber(l.maxNorm, where, 'maxNorm', Number.MIN_VALUE, Infinity);
        for (const key of ['l1', 'l2'] as const) if (l[key] !== undefined) checkNumber(l[key], where, key, 0, Infinity);
        if (l.shareWeightsWith !== undefined) {
          const other = byName.get(l.shareWeightsWith);
          if (other === undefined || other.kind !== 'dense') fail(where, `shareWeightsWith '${l.shareWeightsWith}' is not a dense layer of this model`);
          if (other.shareWeightsWith !== undefined) fail(where, `shareWeightsWith '${l.shareWeightsWith}', which itself shares another layer's weights; point at the owner '${other.shareWeightsWith}'`);
          const otherIn = width(other.inputs[0]!);
          if (otherIn !== inW || other.units !== w) {
            fail(where, `cannot tie weights with '${other.name}': shapes differ (${inW}×${w} here, ${otherIn}×${other.units} there)`);
          }
        }
        break;
      }
      case 'activation':
        checkActivation(l.activation, where, inW, true);
        w = inW;
        break;
      case 'dropout':
        checkNumber(l.rate, where, 'rate', 0, 1, true);
        w = inW;
        break;
      case 'batchNorm':
        if (l.momentum !== undefined) checkNumber(l.momentum, where, 'momentum', 0, 1);
        if (l.epsilon !== undefined) checkNumber(l.epsilon, where, 'epsilon', Number.MIN_VALUE, 1);
        w = inW;
        break;
      case 'gaussianNoise':
        checkNumber(l.stddev, where, 'stddev', 0, Infinity);
        w = inW;
        break;
      case 'add':
        if (ins.some((x) => x !== inW)) fail(where, `all inputs must have the same width to be added, got ${l.inputs.map((s, i) => `${s}: ${ins[i]}`).join(', ')}`);
        w = inW;
        break;
      case 'concat':
        w = ins.reduce((a, b) => a + b, 0);
        break;
      default: {
        const k: never = l;
        fail(`layer`, `unknown kind ${JSON.stringify((k as { kind: unknown }).kind)}; expected dense, activation, dropout, batchNorm, add, concat, gaussianNoise`);
      }
    }
    widths.set(n, w);
    return w;
  };
  for (const l of spec.layers) width(l.name);
  return widths;
}

/**
 * Monotone networks by construction: `mlp({ ..., monotone: { 0: 'increasing', 3: 'decreasing' } })` gives a
 * model whose outputs rise (fall) with those inputs for every weight value the optimizer can reach, because
 * the constraints are projections applied after every update.
 *
 * The construction (Daniels & Velikova 2010, "Monotone and partially monotone neural networks", plus an
 * additive unconstrained part):
 *
 *   monotone path   mono1: I = x·W + b with W ≥ 0 on the rows of increasing inputs, W ≤ 0 on the rows of
 *                   decreasing inputs (the sign flip) and W free on the rows of the other inputs;
 *                   mono2 … monoL: every weight ≥ 0; every activation monotone non-decreasing.
 *   free path       free1 … freeL on the other inputs alone (the declared inputs are masked out), any
 *                   activation, no constraint. Absent when every input is declared.
 *   output          concat(monoL, freeL) → output, weights ≥ 0 on the rows coming from monoL, free on the
 *                   rows from freeL; a monotone output activation (identity, sigmoid, exp).
 *
 * Why it holds: for fixed other inputs, each mono1 unit is a non-decreasing function of u_j = ±x_j (its
 * weight has the sign of the declared direction, the activation is non-decreasing); non-negative sums and
 * non-decreasing activations preserve that through every later layer; the free path does not see x_j at
 * all. The other inputs enter mono1 with free weights, so they interact with the declared ones (the
 * partially monotone construction), and the free path adds effects of them that need not be monotone.
 *
 * Batch normalization is refused (its learned scale γ may be negative, which would flip a unit), and so are
 * non-monotone activations (gelu, silu, mish, gaussian, sin) and softmax outputs (a rise of one class
 * probability is a fall of the others).
 */

import type { ActivationName } from '../activations.js';
import type { InitName } from '../init.js';
import type { ActivationSpec, LayerSpec } from '../spec.js';

/** Whether the outputs must rise or fall with a declared input. */
export type MonotoneDirection = 'increasing' | 'decreasing';

/** Declared inputs by index (the command maps column names to indices). */
export type MonotoneSpec = Readonly<Record<number, MonotoneDirection>>;

/** Activations that never decrease: a non-negative weight path through them keeps the sign of every input's effect. */
export const MONOTONE_ACTIVATIONS: readonly ActivationName[] = [
  'identity', 'step', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'selu', 'softplus', 'softsign', 'hardSigmoid', 'exp',
];

/** What monotoneLayers builds from: the widths, the activations, the declared inputs and what mlp() passes through. */
export interface MonotoneLayersOptions {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly hidden: readonly number[];
  readonly activation: ActivationName;
  readonly outputActivation: ActivationSpec;
  readonly monotone: MonotoneSpec;
  /** The layer the paths read (the input, or an input-noise layer). */
  readonly source: string;
  readonly init?: InitName;
  readonly dropout?: number;
  readonly batchNorm?: 'before' | 'after' | 'none';
}

/** The declared inputs, checked: indices in range, directions spelled right. */
export function checkMonotone(m: MonotoneSpec, inputSize: number): Map<number, MonotoneDirection> {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error(`mlp: monotone must map input indices to 'increasing' or 'decreasing', got ${JSON.stringify(m)}`);
  const out = new Map<number, MonotoneDirection>();
  for (const [key, dir] of Object.entries(m)) {
    const i = Number(key);
    if (!Number.isInteger(i) || i < 0 || i >= inputSize) throw new Error(`mlp: monotone input ${JSON.stringify(key)} is not an input index in [0, ${inputSize})`);
    if (dir !== 'increasing' && dir !== 'decreasing') throw new Error(`mlp: monotone input ${i} has direction ${JSON.stringify(dir)}; expected 'increasing' or 'decreasing'`);
    out.set(i, dir);
  }
  if (out.size === 0) throw new Error('mlp: monotone declares no input');
  return out;
}

function refuse(o: MonotoneLayersOptions): void {
  if (!MONOTONE_ACTIVATIONS.includes(o.activation)) {
    throw new Error(`mlp: monotone inputs need a monotone activation, but activation is '${o.activation}' (not monotone); use one of ${MONOTONE_ACTIVATIONS.join(', ')}`);
  }
  const out = o.outputActivation;
  if (typeof out !== 'string' || out === 'softmax' || !MONOTONE_ACTIVATIONS.includes(out)) {
    throw new Error(`mlp: monotone inputs need a monotone output activation, got ${JSON.stringify(out)}; softmax is refused (one class rising is another falling): monotone applies to regression and binary models`);
  }
  if (o.batchNorm !== undefined && o.batchNorm !== 'none') {
    throw new Error(`mlp: monotone inputs cannot be combined with batchNorm '${o.batchNorm}' (its learned scale may be negative and flip a unit); leave batchNorm out`);
  }
  if (o.hidden.length === 0) throw new Error('mlp: monotone inputs need at least one hidden layer (hidden: [n, …])');
}

/** A 0/1 matrix rows × cols whose row i is `pick(i)` everywhere. */
const rowsMatrix = (rows: number, cols: number, pick: (i: number) => boolean): number[][] =>
  Array.from({ length: rows }, (_, i) => new Array<number>(cols).fill(pick(i) ? 1 : 0));

/** The layers of the construction (the caller adds nothing after them: the last is the output). */
export function monotoneLayers(o: MonotoneLayersOptions): LayerSpec[] {
  const declared = checkMonotone(o.monotone, o.inputSize);
  refuse(o);
  const free = Array.from({ length: o.inputSize }, (_, i) => i).filter((i) => !declared.has(i));
  const init = o.init === undefined ? {} : { init: o.init };
  const drop = (name: string): LayerSpec[] => (o.dropout !== undefined && o.dropout > 0 ? [{ kind: 'dropout', name: `${name}_dropout`, rate: o.dropout }] : []);
  const layers: LayerSpec[] = [];
  let mono = o.source;
  o.hidden.forEach((units, k) => {
    const name = `mono${k + 1}`;
    const sign = k === 0
      ? { nonNegative: rowsMatrix(o.inputSize, units, (i) => declared.get(i) === 'increasing'), nonPositive: rowsMatrix(o.inputSize, units, (i) => declared.get(i) === 'decreasing') }
      : { nonNegative: true };
    layers.push({ kind: 'dense', name, inputs: [mono], units, activation: o.activation, ...init, ...sign }, ...drop(name).map((l) => ({ ...l, inputs: [name] })));
    mono = layers[layers.length - 1]!.name!;
  });
  let last = mono;
  let freeWidth = 0;
  if (free.length > 0) {
    let prev = o.source;
    o.hidden.forEach((units, k) => {
      const name = `free${k + 1}`;
      const mask = k === 0 ? { mask: rowsMatrix(o.inputSize, units, (i) => !declared.has(i)) } : {};
      layers.push({ kind: 'dense', name, inputs: [prev], units, activation: o.activation, ...init, ...mask }, ...drop(name).map((l) => ({ ...l, inputs: [name] })));
      prev = layers[layers.length - 1]!.name!;
    });
    freeWidth = o.hidden[o.hidden.length - 1]!;
    layers.push({ kind: 'concat', name: 'paths', inputs: [mono, prev] });
    last = 'paths';
  }
  const monoWidth = o.hidden[o.hidden.length - 1]!;
  const nonNegative = free.length === 0 ? true : rowsMatrix(monoWidth + freeWidth, o.outputSize, (i) => i < monoWidth);
  layers.push({ kind: 'dense', name: 'output', inputs: [last], units: o.outputSize, activation: o.outputActivation, nonNegative });
  return layers;
}

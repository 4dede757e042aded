/**
 * A network in its inference form, as plain data: every node of the graph in topological order (dense,
 * activation, batch norm with its running statistics, dropout and noise, add, concat), each reading values
 * by index (0 is the input) and writing one. The code generators (src/export/) and the ONNX export walk
 * this one description; nodes are told apart by `kind`, and a kind with no inference form is refused
 * naming the layer.
 */

import type { ActivationName } from '../activations.js';
import type { Model } from '../graph/model.js';
import type { CompiledActivation } from '../layers/act.js';
import type { AnyNode } from '../layers/any-node.js';

/** A layer's activation: one f for every unit, softmax over the row, or one f per unit. */
export type ActivationPlan =
  | { readonly type: 'uniform'; readonly f: ActivationName }
  | { readonly type: 'softmax' }
  | { readonly type: 'perUnit'; readonly groups: readonly { readonly f: ActivationName; readonly cols: readonly number[] }[] };

/** One operation of a network: it reads values by index (0 is the network's input) and writes value `out`. */
export type NetworkOp =
  | { readonly kind: 'dense'; readonly name: string; readonly out: number; readonly input: number; readonly fanIn: number; readonly units: number;
      /** fanIn × units, row-major (I = x·W + b). */
      readonly W: Float32Array; readonly b: Float32Array | null; readonly act: ActivationPlan;
      /** 0/1 masks of the connections and biases, when the layer has them (the weights are already zero there). */
      readonly mask: readonly (readonly number[])[] | null; readonly biasMask: readonly number[] | null;
      /** The dense layer whose weight matrix this one uses (tied weights). */
      readonly sharesWith: string | null }
  | { readonly kind: 'activation'; readonly name: string; readonly out: number; readonly input: number; readonly width: number; readonly act: ActivationPlan }
  | { readonly kind: 'batchNorm'; readonly name: string; readonly out: number; readonly input: number; readonly width: number;
      /** The engine's inference form: x̂ = x·invStd + shift (float32), then γ·x̂ + β. */
      readonly invStd: Float32Array; readonly shift: Float32Array; readonly gamma: Float32Array; readonly beta: Float32Array;
      readonly runningMean: Float32Array; readonly runningVar: Float32Array; readonly epsilon: number; readonly momentum: number }
  | { readonly kind: 'dropout'; readonly name: string; readonly out: number; readonly input: number; readonly rate: number }
  | { readonly kind: 'gaussianNoise'; readonly name: string; readonly out: number; readonly input: number; readonly stddev: number }
  | { readonly kind: 'add' | 'concat'; readonly name: string; readonly out: number; readonly inputs: readonly number[]; readonly width: number };

/** One network: its operations in topological order and the value that is its output. */
export interface NetworkPlan {
  readonly inputWidth: number;
  readonly outputWidth: number;
  readonly ops: readonly NetworkOp[];
  readonly output: number;
  /** Width of each value (index 0: the input). */
  readonly widths: readonly number[];
}

/** The inference plan of one network; `what` names the exporter in a refusal. */
export function networkPlan(model: Model, what: string): NetworkPlan {
  const valueOf = new Map<AnyNode, number>();
  const widths: number[] = [model.inputSize];
  const ops: NetworkOp[] = [];
  for (const n of model.live) {
    if (n.kind === 'input') { valueOf.set(n, 0); continue; }
    const out = widths.length;
    widths.push(n.width);
    ops.push(nodeOp(n, out, n.inputs.map((src) => valueOf.get(src as AnyNode)!), what));
    valueOf.set(n, out);
  }
  return { inputWidth: model.inputSize, outputWidth: model.outputSize, ops, output: valueOf.get(model.output)!, widths };
}

const copy = (a: ArrayLike<number>, n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => a[i]!);

/** Dispatch on `kind` (not instanceof: a bundle may hold a second copy of the layer classes). */
function nodeOp(n: AnyNode, out: number, ins: readonly number[], what: string): NetworkOp {
  const input = ins[0]!;
  switch (n.kind) {
    case 'dense': return {
      kind: 'dense', name: n.name, out, input, fanIn: n.fanIn, units: n.units,
      W: copy(n.W.value.a, n.fanIn * n.units), b: n.b === null ? null : copy(n.b.value.a, n.units), act: activationPlan(n.act),
      mask: n.maskRows, biasMask: n.biasMaskRow, sharesWith: n.spec.shareWeightsWith ?? null,
    };
    case 'activation': return { kind: 'activation', name: n.name, out, input, width: n.width, act: activationPlan(n.act) };
    case 'batchNorm': {
      const w = n.width;
      // As BatchNorm.forward in 'eval' mode: invStd and shift computed in float64, stored in float32.
      const rm = n.runningMean.a;
      const rv = n.runningVar.a;
      const invStd = Float32Array.from({ length: w }, (_, j) => 1 / Math.sqrt(rv[j]! + n.epsilon));
      const shift = Float32Array.from({ length: w }, (_, j) => -rm[j]! * invStd[j]!);
      return {
        kind: 'batchNorm', name: n.name, out, input, width: w, invStd, shift,
        gamma: copy(n.gamma.value.a, w), beta: copy(n.beta.value.a, w), runningMean: copy(rm, w), runningVar: copy(rv, w),
        epsilon: n.epsilon, momentum: n.momentum,
      };
    }
    case 'dropout': return { kind: 'dropout', name: n.name, out, input, rate: n.spec.rate };
    case 'gaussianNoise': return { kind: 'gaussianNoise', name: n.name, out, input, stddev: n.spec.stddev };
    case 'add': case 'concat': return { kind: n.kind, name: n.name, out, inputs: ins, width: n.width };
    default: {
      const other = n as { name: string; kind: string };
      throw new Error(`${what}: layer '${other.name}' of kind '${other.kind}' cannot be exported (no inference form is known for it)`);
    }
  }
}

function activationPlan(a: CompiledActivation): ActivationPlan {
  switch (a.type) {
    case 'uniform': return { type: 'uniform', f: a.f.name };
    case 'softmax': return { type: 'softmax' };
    case 'perUnit': return { type: 'perUnit', groups: a.groups.map((g) => ({ f: g.f.name, cols: Array.from(g.cols) })) };
  }
}

/** Every elementwise activation a network uses, each once. */
export function activationsUsed(networks: readonly NetworkPlan[]): ActivationName[] {
  const used = new Set<ActivationName>();
  for (const net of networks) {
    for (const op of net.ops) {
      if (op.kind !== 'dense' && op.kind !== 'activation') continue;
      if (op.act.type === 'uniform') used.add(op.act.f);
      else if (op.act.type === 'perUnit') for (const g of op.act.groups) used.add(g.f);
    }
  }
  return [...used];
}

/**
 * What the code generators (JavaScript, C, PyTorch) read: a trained pipeline in its inference form, as
 * plain data. One walk, the same for every language:
 *
 *   raw row      each feature column, in the preprocessor's order: a number (missing → the imputation's
 *                fill, or refused), or a category level → its code (the plan's level index; missing → the
 *                fill's code; unseen → the '(other)' code, all zeros with unknown: 'ignore', or refused)
 *   features     the preprocessor's own `featureSteps()` on that vector of numbers and codes
 *                (one-hot of the codes, then the affine scaling), rounded to the network's float32
 *   network      every member's graph in topological order (dense, activation, batch norm in inference
 *                form, dropout and noise as the identity, add, concat); an ensemble is the members' mean
 *   decoding     the task's: probabilities and the label index, or the values mapped back to the target's units
 *
 * As in the ONNX export, nodes are told apart by `kind`; a kind with no code form is refused naming the layer.
 */

import type { ActivationName } from '../activations.js';
import type { Model } from '../graph/model.js';
import type { CompiledActivation } from '../layers/act.js';
import type { AnyNode } from '../layers/any-node.js';
import { affineOf } from '../io/features.js';
import type { ModelFile } from '../io/model-file.js';
import { Ensemble } from '../train/ensemble.js';
import { VERSION } from '../version.js';
import { Pipeline } from '../workflow/pipeline.js';
import { type ColumnPlan, type TargetPlan, type UnknownPolicy } from '../workflow/preprocessor.js';

/** What an exporter takes: a trained pipeline, a model file, or a model file's JSON text. */
export type ExportSource = Pipeline | ModelFile | string;

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

/** How one feature column of a raw row becomes a number or a category code. */
export type RawColumn =
  | { readonly name: string; readonly type: 'number'; readonly fill: number | null }
  | { readonly name: string; readonly type: 'category'; readonly levels: readonly string[];
      /** Code of a missing cell, or null when a missing cell is refused. */
      readonly fillCode: number | null;
      /** Code of a level never seen in training: the '(other)' code, −1 (all zeros), or null (refused). */
      readonly unknownCode: number | null };

/** A scaling step of the features, as the affine z = (x − shift)/divisor + offset per column. */
export interface AffineStep { readonly kind: 'affine'; readonly shift: readonly number[]; readonly divisor: readonly number[]; readonly offset: number }
/** A one-hot step of the features: each listed column's code replaced, in place, by one 0/1 column per category. */
export interface CodeStep { readonly kind: 'oneHot'; readonly columns: readonly number[]; readonly categories: readonly (readonly number[])[] }

/** A trained pipeline as the generators read it. */
export interface ExportPlan {
  readonly version: string;
  /** Where it came from, for the generated file's first comment. */
  readonly description: string;
  readonly columns: readonly RawColumn[];
  readonly steps: readonly (CodeStep | AffineStep)[];
  /** Network inputs after the steps. */
  readonly featureWidth: number;
  readonly featureNames: readonly string[];
  readonly target: TargetPlan;
  readonly unknown: UnknownPolicy;
  readonly networks: readonly NetworkPlan[];
  /** Network outputs (1 for a binary classifier). */
  readonly outputWidth: number;
}

/** The pipeline of an export source (a model file is read as `mlpkit predict` reads it). */
export function pipelineOf(source: ExportSource): Pipeline {
  if (source instanceof Pipeline) return source;
  if (typeof source === 'object' && source !== null && 'preprocessor' in source && 'predictor' in source) return source as unknown as Pipeline;
  return Pipeline.fromFile(source);
}

/** The inference plan of a pipeline; `what` names the exporter in a refusal. */
export function exportPlan(source: ExportSource, what: string): ExportPlan {
  const p = pipelineOf(source);
  const prep = p.preprocessor;
  const members = p.predictor instanceof Ensemble ? p.predictor.members : [p.predictor];
  const steps = prep.featureSteps().map((s): CodeStep | AffineStep => (s.kind === 'oneHot' ? s : { kind: 'affine', ...affineOf(s) }));
  const kind = p.task === 'regression' ? 'regression' : `${p.task} classifier`;
  return {
    version: VERSION,
    description: `a ${kind} of ${members.length === 1 ? 'one network' : `an ensemble of ${members.length} networks`} on ${prep.columns.length} feature column${prep.columns.length === 1 ? '' : 's'}`,
    columns: prep.columns.map((c) => rawColumn(c, prep.unknown)),
    steps,
    featureWidth: prep.width,
    featureNames: prep.featureNames,
    target: prep.target,
    unknown: prep.unknown,
    networks: members.map((m) => networkPlan(m, what)),
    outputWidth: prep.outputWidth,
  };
}

/** The codes of a column plan, as the preprocessor's `transform` gives them. */
function rawColumn(c: ColumnPlan, unknown: UnknownPolicy): RawColumn {
  if (c.type === 'number') return { name: c.name, type: 'number', fill: c.fill };
  const otherCode = c.other ? c.levels.length : null;
  const fillCode = c.fill === null ? null : c.levels.includes(c.fill) ? c.levels.indexOf(c.fill) : otherCode;
  return { name: c.name, type: 'category', levels: c.levels, fillCode, unknownCode: otherCode ?? (unknown === 'ignore' ? -1 : null) };
}

function networkPlan(model: Model, what: string): NetworkPlan {
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
      throw new Error(`${what}: layer '${other.name}' of kind '${other.kind}' has no code form`);
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

/** The shortest decimal spelling that reads back as the same float32 (`v` is a float32 value). */
export function float32Literal(v: number): string {
  const f = Math.fround(v);
  if (!Number.isFinite(f)) throw new Error(`export: a weight is ${f}; only finite weights can be written`);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  for (let p = 1; p < 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return tidy(s);
  }
  return tidy(f.toPrecision(9));
}

/** The shortest decimal spelling that reads back as the same float64. */
export function float64Literal(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`export: a stored number is ${v}; only finite numbers can be written`);
  return String(v);
}

function tidy(s: string): string {
  // 1.50000e+3 → 1.5e+3, 2.500 → 2.5
  const [m, e] = s.split('e');
  const mant = m!.includes('.') ? m!.replace(/0+$/, '').replace(/\.$/, '') : m!;
  return e === undefined ? mant : `${mant}e${e}`;
}

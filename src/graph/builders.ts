/**
 * Builders: three ways to describe a model, all producing the one `ModelSpec` type.
 *
 * - `sequential`: a stack, each layer feeding the next;
 * - `graph`: any DAG of layers (the spec itself: layers name their inputs, `add`/`concat` join skips);
 * - `neuronGraph`: the lecture's own description — neurons j, each with its f_j, incoming edges w_kj
 *   from inc(j) and a constant bias unit — compiled into masked dense layers that train at matrix speed.
 * - `mlp`: the usual multilayer perceptron with the lecture's options (batch norm before or after the
 *   non-linearity, dropout), used by the estimators, the CLI and the playground.
 */

import type { ActivationName } from '../activations.js';
import { defaultWeightInit, type InitName } from '../init.js';
import { LOSSES, lossName, type LossName, type LossSpec } from '../losses.js';
import type { DType } from '../kernels/backend.js';
import { monotoneLayers, type MonotoneSpec } from './monotone.js';
import { INPUT, type ActivationSpec, type LayerSpec, type ModelSpec, type WeightRef } from '../spec.js';

type ModelOptionsPart = Omit<ModelSpec, 'inputSize' | 'layers'>;

/** A stack of layers; any `inputs` given are ignored in favour of the previous layer. */
export function sequential(inputSize: number, layers: readonly LayerSpec[], options: ModelOptionsPart): ModelSpec {
  return { ...options, inputSize, layers: layers.map((l) => { const { inputs: _ignored, ...rest } = l; return rest as LayerSpec; }) };
}

/** A general DAG of layers; a layer without `inputs` takes the previous layer's output. */
export function graph(inputSize: number, layers: readonly LayerSpec[], options: ModelOptionsPart): ModelSpec {
  return { ...options, inputSize, layers };
}

/** What a network predicts: a number per output (regression), one probability (binary), or a distribution over classes (multiclass). */
export type Task = 'regression' | 'binary' | 'multiclass';

/** What mlp() builds: input and output widths, the task, the hidden layers and the regularizers. */
export interface MlpOptions {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly task: Task;
  readonly hidden?: readonly number[];
  readonly activation?: ActivationName;
  readonly init?: InitName;
  /** Where batch normalization goes in each hidden layer: before f (dense → BN → f) or after it. */
  readonly batchNorm?: 'before' | 'after' | 'none';
  readonly dropout?: number;
  readonly inputNoise?: number;
  readonly l1?: number;
  readonly l2?: number;
  /** A loss name, or a loss with its options (`{ name: 'huber', delta: 0.5 }`). Default: the task's. */
  readonly loss?: LossSpec;
  /** With loss 'quantile': the τ of each output (the model spec's `quantiles`). */
  readonly quantiles?: readonly number[];
  readonly dtype?: DType;
  /**
   * Inputs (by index) the outputs must rise or fall with, for any weights training reaches: the partially
   * monotone construction of src/graph/monotone.ts (non-negative weight paths, monotone activations).
   */
  readonly monotone?: MonotoneSpec;
}

/** The loss and output activation that fit a task: MSE + identity, BCE + sigmoid, CE + softmax. */
export function outputFor(task: Task): { activation: ActivationSpec; loss: LossName } {
  switch (task) {
    case 'regression': return { activation: 'identity', loss: 'mse' };
    case 'binary': return { activation: 'sigmoid', loss: 'binaryCrossEntropy' };
    case 'multiclass': return { activation: 'softmax', loss: 'categoricalCrossEntropy' };
  }
}

/** The usual stack of dense layers as a ModelSpec: hidden widths, one activation, an output layer and loss that suit the task, and the optional batch norm, dropout, input noise and penalties. */
export function mlp(o: MlpOptions): ModelSpec {
  const layers: LayerSpec[] = [];
  const f = o.activation ?? 'relu';
  if (o.inputNoise !== undefined && o.inputNoise > 0) layers.push({ kind: 'gaussianNoise', name: 'noise', stddev: o.inputNoise });
  const out = outputFor(o.task);
  const loss = o.loss ?? out.loss;
  // A loss fused with its output activation (poisson: exp, the log link) brings that activation.
  const outputActivation = LOSSES[lossName(loss)].fusedWith ?? out.activation;
  if (o.monotone !== undefined) {
    layers.push(...monotoneLayers({
      inputSize: o.inputSize, outputSize: o.outputSize, hidden: o.hidden ?? [32], activation: f, outputActivation, monotone: o.monotone,
      source: layers.length > 0 ? 'noise' : INPUT,
      ...(o.init === undefined ? {} : { init: o.init }), ...(o.dropout === undefined ? {} : { dropout: o.dropout }), ...(o.batchNorm === undefined ? {} : { batchNorm: o.batchNorm }),
    }));
  }
  (o.monotone === undefined ? o.hidden ?? [32] : []).forEach((units, i) => {
    const name = `hidden${i + 1}`;
    const init = o.init === undefined ? {} : { init: o.init };
    if (o.batchNorm === 'before') {
      layers.push({ kind: 'dense', name, units, activation: 'identity', ...init, ...(o.init === undefined ? { init: defaultWeightInit(f) } : {}) });
      layers.push({ kind: 'batchNorm', name: `${name}_bn` });
      layers.push({ kind: 'activation', name: `${name}_${f}`, activation: f });
    } else {
      layers.push({ kind: 'dense', name, units, activation: f, ...init });
      if (o.batchNorm === 'after') layers.push({ kind: 'batchNorm', name: `${name}_bn` });
    }
    if (o.dropout !== undefined && o.dropout > 0) layers.push({ kind: 'dropout', name: `${name}_dropout`, rate: o.dropout });
  });
  if (o.monotone === undefined) layers.push({ kind: 'dense', name: 'output', units: o.outputSize, activation: outputActivation });
  const spec: ModelSpec = {
    inputSize: o.inputSize, layers, loss,
    ...(o.dtype === undefined ? {} : { dtype: o.dtype }),
    ...(o.quantiles === undefined ? {} : { quantiles: o.quantiles }),
    ...(o.l1 === undefined ? {} : { l1: o.l1 }),
    ...(o.l2 === undefined ? {} : { l2: o.l2 }),
  };
  return spec;
}


// ---------------------------------------------------------------------------------------------
// The neuron graph

/** An edge into a neuron, with its constraints: a shared (tied) weight or a non-negative one. */
export interface EdgeSpec {
  /** Id of the source neuron, or an input name. */
  readonly from: string;
  /** Edges with the same tie name share one weight (the lecture's "equal weights"). */
  readonly tie?: string;
  /** Constrain this weight to be ≥ 0. */
  readonly nonNegative?: boolean;
}

/** One neuron j of a neuron graph: its id, f_j, whether it has a bias, and inc(j). */
export interface NeuronSpec {
  readonly id: string;
  /** f_j; default sigmoid for hidden neurons, and the output default of the task for outputs. */
  readonly activation?: ActivationName;
  /** Whether the neuron has a bias w_0j (an edge from the constant unit). Default true. */
  readonly bias?: boolean;
  /** inc(j): the neurons (or inputs) with edges into j. */
  readonly from: readonly (string | EdgeSpec)[];
}

/** The lecture's network as neurons: inputs, each neuron with its f_j and its incoming edges inc(j), the output neurons and the loss. */
export interface NeuronGraphSpec {
  /** The input neurons: a count (named x1…xD) or their names. */
  readonly inputs: number | readonly string[];
  readonly neurons: readonly NeuronSpec[];
  /** Ids of the output neurons, in output order. They must have no outgoing edges. */
  readonly outputs: readonly string[];
  readonly loss: LossName;
  /** Softmax over the output neurons (multiclass), instead of their own activations. */
  readonly outputSoftmax?: boolean;
  readonly init?: InitName;
  readonly dtype?: DType;
  readonly l1?: number;
  readonly l2?: number;
}

/** Where a neuron of the lecture's graph lives in the compiled model. */
export interface NeuronPlace { readonly layer: string; readonly unit: number; readonly depth: number }

/** Where an edge w_ij lives: W[row][col] of a dense layer. */
export interface EdgePlace { readonly from: string; readonly to: string; readonly layer: string; readonly row: number; readonly col: number }

/** A neuron graph compiled to layers: the spec to build a Model from, and where each neuron and edge lives in it. */
export interface CompiledNeuronGraph {
  readonly spec: ModelSpec;
  readonly inputNames: readonly string[];
  readonly neurons: ReadonlyMap<string, NeuronPlace>;
  readonly edges: readonly EdgePlace[];
}

/**
 * Compile the lecture's neuron graph into layers. Each neuron's depth is 1 + the largest depth of its
 * sources (inputs have depth 0); neurons of one depth form one dense layer, whose input is the
 * concatenation of every earlier layer it draws from, and whose 0/1 mask keeps exactly the edges
 * inc(j). Output neurons form the last layer, in the order given. Layer skips are just edges that
 * jump depths.
 */
export function neuronGraph(g: NeuronGraphSpec): CompiledNeuronGraph {
  const inputNames = typeof g.inputs === 'number'
    ? Array.from({ length: g.inputs }, (_, i) => `x${i + 1}`)
    : [...g.inputs];
  if (inputNames.length === 0) throw new Error('neuron graph: needs at least one input');
  const where = (id: string): string => `neuron graph: neuron '${id}'`;
  const ids = new Set<string>(inputNames);
  if (ids.size !== inputNames.length) throw new Error('neuron graph: duplicate input names');
  const byId = new Map<string, NeuronSpec>();
  for (const n of g.neurons) {
    if (typeof n.id !== 'string' || n.id.length === 0) throw new Error('neuron graph: every neuron needs a non-empty string id');
    if (ids.has(n.id)) throw new Error(`${where(n.id)}: duplicate id (ids must be unique among inputs and neurons)`);
    ids.add(n.id);
    byId.set(n.id, n);
  }
  const edgesOf = (n: NeuronSpec): EdgeSpec[] => n.from.map((e) => (typeof e === 'string' ? { from: e } : e));
  for (const n of g.neurons) {
    if (!Array.isArray(n.from) || n.from.length === 0) throw new Error(`${where(n.id)}: inc(j) is empty; every neuron needs at least one incoming edge`);
    const seen = new Set<string>();
    for (const e of edgesOf(n)) {
      if (!ids.has(e.from)) throw new Error(`${where(n.id)}: edge from unknown neuron '${e.from}'`);
      if (seen.has(e.from)) throw new Error(`${where(n.id)}: two edges from '${e.from}'`);
      seen.add(e.from);
    }
  }
  const outputs = [...g.outputs];
  if (outputs.length === 0) throw new Error('neuron graph: at least one output neuron is needed');
  for (const o of outputs) if (!byId.has(o)) throw new Error(`neuron graph: output '${o}' is not a neuron`);
  const outSet = new Set(outputs);
  if (outSet.size !== outputs.length) throw new Error('neuron graph: an output is listed twice');
  for (const n of g.neurons) {
    for (const e of edgesOf(n)) if (outSet.has(e.from)) throw new Error(`${where(n.id)}: takes input from output neuron '${e.from}'; output neurons must be sinks`);
  }

  // Depths, with cycle detection.
  const depth = new Map<string, number>(inputNames.map((x) => [x, 0]));
  const visiting = new Set<string>();
  const depthOf = (id: string, path: string[]): number => {
    const d = depth.get(id);
    if (d !== undefined) return d;
    if (visiting.has(id)) throw new Error(`neuron graph: cycle ${[...path.slice(path.indexOf(id)), id].join(' → ')}; the lecture's network is acyclic`);
    visiting.add(id);
    const n = byId.get(id)!;
    const v = 1 + Math.max(...edgesOf(n).map((e) => depthOf(e.from, [...path, id])));
    visiting.delete(id);
    depth.set(id, v);
    return v;
  };
  for (const n of g.neurons) depthOf(n.id, []);
  const hidden = g.neurons.filter((n) => !outSet.has(n.id));
  const maxHidden = Math.max(0, ...hidden.map((n) => depth.get(n.id)!));
  const outDepth = Math.max(maxHidden + 1, ...outputs.map((o) => depth.get(o)!));

  // Layers by depth: hidden neurons at their depth, outputs together last.
  const layerNeurons: NeuronSpec[][] = Array.from({ length: outDepth + 1 }, () => []);
  for (const n of hidden) layerNeurons[depth.get(n.id)!]!.push(n);
  layerNeurons[outDepth] = outputs.map((o) => byId.get(o)!);
  const layerName = (d: number): string => (d === 0 ? INPUT : d === outDepth ? 'output' : `layer${d}`);

  const neurons = new Map<string, NeuronPlace>();
  inputNames.forEach((x, i) => neurons.set(x, { layer: INPUT, unit: i, depth: 0 }));
  const layers: LayerSpec[] = [];
  const edges: EdgePlace[] = [];
  const ties = new Map<string, WeightRef[]>();
  const sizes: number[] = [inputNames.length];
  for (let d = 1; d <= outDepth; d++) {
    const ns = layerNeurons[d]!;
    sizes[d] = ns.length;
    if (ns.length === 0) continue;
    ns.forEach((n, j) => neurons.set(n.id, { layer: layerName(d), unit: j, depth: d }));
    // Which earlier layers feed this one, and the column offset of each in the concatenation.
    const srcDepths = [...new Set(ns.flatMap((n) => edgesOf(n).map((e) => neurons.get(e.from)!.depth)))].sort((a, b) => a - b);
    const offset = new Map<number, number>();
    let width = 0;
    for (const s of srcDepths) { offset.set(s, width); width += sizes[s]!; }
    let inputName: string;
    if (srcDepths.length === 1) inputName = layerName(srcDepths[0]!);
    else {
      inputName = `${layerName(d)}_in`;
      layers.push({ kind: 'concat', name: inputName, inputs: srcDepths.map(layerName) });
    }
    const mask = Array.from({ length: width }, () => new Array<number>(ns.length).fill(0));
    const nonNeg = Array.from({ length: width }, () => new Array<number>(ns.length).fill(0));
    let anyNonNeg = false;
    ns.forEach((n, j) => {
      for (const e of edgesOf(n)) {
        const src = neurons.get(e.from)!;
        const row = offset.get(src.depth)! + src.unit;
        mask[row]![j] = 1;
        if (e.nonNegative === true) { nonNeg[row]![j] = 1; anyNonNeg = true; }
        edges.push({ from: e.from, to: n.id, layer: layerName(d), row, col: j });
        if (e.tie !== undefined) {
          const list = ties.get(e.tie) ?? [];
          list.push({ layer: layerName(d), row, col: j });
          ties.set(e.tie, list);
        }
      }
    });
    const isOut = d === outDepth;
    let activation: ActivationSpec;
    if (isOut && g.outputSoftmax === true) {
      const bad = ns.find((n) => n.activation !== undefined);
      if (bad !== undefined) throw new Error(`${where(bad.id)}: outputSoftmax is set, so output neurons take softmax and cannot name their own activation`);
      activation = 'softmax';
    } else {
      activation = ns.map((n) => n.activation ?? (isOut ? defaultOutputActivation(g.loss) : 'sigmoid'));
    }
    const biasMask = ns.map((n) => (n.bias === false ? 0 : 1));
    layers.push({
      kind: 'dense', name: layerName(d), inputs: [inputName], units: ns.length, activation, mask, unitNames: ns.map((n) => n.id),
      ...(biasMask.includes(0) ? { biasMask } : {}),
      ...(anyNonNeg ? { nonNegative: nonNeg } : {}),
      ...(g.init === undefined ? {} : { init: g.init }),
    });
  }
  const tieGroups = [...ties.entries()].map(([name, refs]) => {
    if (refs.length < 2) throw new Error(`neuron graph: tie '${name}' has only one edge; a tie needs at least two`);
    return refs;
  });
  const spec: ModelSpec = {
    inputSize: inputNames.length, inputNames, layers, loss: g.loss, output: 'output',
    ...(tieGroups.length > 0 ? { ties: tieGroups } : {}),
    ...(g.dtype === undefined ? {} : { dtype: g.dtype }),
    ...(g.l1 === undefined ? {} : { l1: g.l1 }),
    ...(g.l2 === undefined ? {} : { l2: g.l2 }),
  };
  return { spec, inputNames, neurons, edges };
}

function defaultOutputActivation(loss: LossName): ActivationName {
  return loss === 'binaryCrossEntropy' ? 'sigmoid' : loss === 'categoricalCrossEntropy' ? 'identity' : 'identity';
}

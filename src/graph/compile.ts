/**
 * Compiling a model: spec → nodes in topological order, the parameter layout in one flat buffer (with
 * shared matrices bound to their owner's views), the state layout, tie groups, the penalty plan, and the
 * gradient plan (who overwrites and who accumulates each node's ∂L/∂O). `Model` runs what this builds.
 */

import type { Arena, Backend, DType, Slot } from '../kernels/backend.js';
import { initialize } from '../init.js';
import { lossFromSpec, type Loss } from '../losses.js';
import type { Rng } from '../rng.js';
import { INPUT, layerWidths, type ResolvedSpec } from '../spec.js';
import { nonDifferentiable } from '../layers/act.js';
import { ActivationLayer } from '../layers/activation.js';
import type { AnyNode } from '../layers/any-node.js';
import { BatchNorm } from '../layers/batchnorm.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Add, Concat } from '../layers/merge.js';
import { InputNode, type Node, type Param } from '../layers/node.js';
import { GaussianNoise } from '../layers/noise.js';
import { compileTies, type TieGroup } from './constraints.js';
import { planPenalties, type Penalties } from './penalties.js';

export interface CompiledGraph {
  readonly input: InputNode;
  /** Every node in topological order (input first, output last); every one leads to the output. */
  readonly nodes: readonly AnyNode[];
  readonly output: AnyNode;
  readonly dense: readonly Dense[];
  readonly lossFn: Loss;
  readonly paramBuffer: Slot;
  readonly gradBuffer: Slot;
  readonly stateBuffer: Slot;
  readonly params: readonly Param[];
  readonly ties: readonly TieGroup[];
  readonly penalties: Penalties;
}

type ResolvedLayer = ResolvedSpec['layers'][number];

export function compileGraph(spec: ResolvedSpec, arena: Arena, rng: Rng, trainable: boolean): CompiledGraph {
  const { input, nodes } = buildNodes(spec);
  const output = nodes[nodes.length - 1]!;
  if (output.name !== spec.output) throw new Error(`model: internal error, the output '${spec.output}' is not the last node`);
  if (trainable) checkTrainable(nodes);
  const lossFn = lossFromSpec(spec.loss, spec);
  checkFusion(lossFn, output);
  const dense = nodes.filter((n): n is Dense => n.kind === 'dense');
  const { paramBuffer, gradBuffer, params } = layoutParams(nodes, arena, rng);
  const stateBuffer = layoutState(nodes, arena);
  const ties = compileTies(spec.ties ?? [], dense);
  const penalties = planPenalties(dense, ties, spec);
  return { input, nodes, output, dense, lossFn, paramBuffer, gradBuffer, stateBuffer, params, ties, penalties };
}

/**
 * The nodes in topological order, built depth-first in the order of the spec's layers (the parameter
 * layout follows it, so it must not change). Every layer leads to the output (the spec refuses any that
 * does not), so the output comes last.
 */
function buildNodes(spec: ResolvedSpec): { input: InputNode; nodes: AnyNode[] } {
  const widths = layerWidths(spec);
  const input = new InputNode(spec.inputSize);
  const built = new Map<string, AnyNode>([[INPUT, input]]);
  const byName = new Map(spec.layers.map((l) => [l.name, l]));
  const order: AnyNode[] = [input];
  const build = (name: string): AnyNode => {
    const existing = built.get(name);
    if (existing !== undefined) return existing;
    const l = byName.get(name)!;
    const node = makeNode(l, l.inputs.map(build));
    if (node.width !== widths.get(name)) throw new Error(`layer '${name}': internal width mismatch`);
    built.set(name, node);
    order.push(node);
    return node;
  };
  for (const l of spec.layers) build(l.name);
  return { input, nodes: order };
}

function makeNode(l: ResolvedLayer, ins: readonly AnyNode[]): AnyNode {
  switch (l.kind) {
    case 'dense': return new Dense(l, ins[0]!);
    case 'activation': return new ActivationLayer(l, ins[0]!);
    case 'dropout': return new Dropout(l, ins[0]!);
    case 'batchNorm': return new BatchNorm(l, ins[0]!);
    case 'gaussianNoise': return new GaussianNoise(l, ins[0]!);
    case 'add': return new Add(l, ins);
    case 'concat': return new Concat(l, ins);
  }
}

/** The step activation makes a model forward-only. */
function checkTrainable(nodes: readonly AnyNode[]): void {
  for (const n of nodes) {
    const bad = n.activation === null ? null : nonDifferentiable(n.activation.act);
    if (bad !== null) {
      throw new Error(`layer '${n.name}' (${n.kind}): activation '${bad}' has derivative 0 almost everywhere, so gradients cannot train it; build the model with { trainable: false } to run it forward only (or use a smooth activation such as sigmoid, as the lecture does)`);
    }
  }
}

/** A loss differentiated with respect to I needs the output to apply the activation it is fused with. */
function checkFusion(loss: Loss, out: AnyNode): void {
  if (loss.gradWrt === 'O') return;
  const f = out.activation?.act ?? null;
  const matches = f !== null && (loss.fusedWith === 'softmax' ? f.type === 'softmax' : f.type === 'uniform' && f.f.name === loss.fusedWith);
  if (!matches) {
    const has = f === null ? `a ${out.kind} layer` : `activation '${f.type === 'uniform' ? f.f.name : f.type}'`;
    throw new Error(`loss '${loss.name}' needs a ${loss.fusedWith} output, but the output layer '${out.name}' has ${has}`);
  }
}

/** One flat buffer, one view per tensor; a layer sharing another's weights binds the owner's view. */
function layoutParams(nodes: readonly AnyNode[], arena: Arena, rng: Rng): { paramBuffer: Slot; gradBuffer: Slot; params: Param[] } {
  const requests = nodes.flatMap((n) => n.params().map((r) => ({ node: n, r })));
  const total = requests.reduce((s, { r }) => s + r.rows * r.cols, 0);
  const paramBuffer = arena.alloc(total);
  const gradBuffer = arena.alloc(total);
  const params: Param[] = [];
  const byNode = new Map<string, Param[]>();
  let off = 0;
  for (const { node, r } of requests) {
    const len = r.rows * r.cols;
    const p: Param = {
      layer: node.name, name: r.name, rows: r.rows, cols: r.cols, penalized: r.penalized,
      value: arena.sub(paramBuffer, off, len), grad: arena.sub(gradBuffer, off, len),
    };
    off += len;
    params.push(p);
    byNode.set(node.name, [...(byNode.get(node.name) ?? []), p]);
    initialize(r.init, p.value.a, len, r.fanIn, r.fanOut, rng);
  }
  for (const n of nodes) {
    const own = byNode.get(n.name) ?? [];
    const owner = n.kind === 'dense' ? n.spec.shareWeightsWith : undefined;
    if (owner === undefined) { n.bindParams(own); continue; }
    // The spec checked that the owner is a dense layer of the same shape, and every layer is live.
    const W = byNode.get(owner)![0]!;
    n.bindParams([{ ...W, layer: n.name, sharedFrom: owner }, ...own]);
  }
  return { paramBuffer, gradBuffer, params };
}

function layoutState(nodes: readonly AnyNode[], arena: Arena): Slot {
  const requests = nodes.flatMap((n) => n.stateRequests().map((r) => ({ node: n, r })));
  const buffer = arena.alloc(requests.reduce((s, { r }) => s + r.length, 0));
  let off = 0;
  const byNode = new Map<string, Slot[]>();
  for (const { node, r } of requests) {
    const s = arena.sub(buffer, off, r.length);
    s.a.fill(r.initial);
    off += r.length;
    byNode.set(node.name, [...(byNode.get(node.name) ?? []), s]);
  }
  for (const n of nodes) n.bindState(byNode.get(n.name) ?? []);
  return buffer;
}

/**
 * Who overwrites and who accumulates into each node's dO (β = 0 for the first consumer to run
 * backward, 1 for the rest), and which inputs need gradients at all (the model input only if asked).
 */
export function setGradientPlan(nodes: readonly AnyNode[], input: InputNode, inputGradient: boolean): void {
  const written = new Set<Node>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    n.inputs.forEach((src, j) => {
      n.inputNeedsGrad[j] = src !== input || inputGradient;
      n.inputBeta[j] = written.has(src) ? 1 : 0;
      if (n.inputNeedsGrad[j]) written.add(src);
    });
  }
}

/** The model's dtype must be one the backend runs. */
export function checkBackend(backend: Backend, dtype: DType): void {
  if (!backend.supports(dtype)) throw new Error(`model: backend '${backend.name}' does not support ${dtype}`);
}

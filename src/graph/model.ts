/**
 * The model: a directed acyclic graph of layers compiled into one arena.
 *
 * Memory: all parameters live in one flat buffer (`paramBuffer`) with a named view per tensor, and
 * the gradients mirror it (`gradBuffer`): an optimizer step is one loop over two arrays, a tied
 * weight is one view used twice, and save/load is one buffer plus the layout.
 *
 * Training is five calls, each visible: forward, loss, zeroGrad, backward, step (the optimizer's).
 *
 *   forward   runs the nodes in topological order: I = O_prev·W + b, O = f(I)
 *   loss      L(ŷ, y) averaged over the batch, plus the penalties λ₁Σ|w| + λ₂Σw²
 *   backward  δ at the output (equation (1), or fused from the logits), then the nodes in reverse
 *             order, each adding δ_k w_jk into its inputs' ∂L/∂O (equation (2)) and δ_j O_i into ∂L/∂w_ij (3)
 */

import type { Arena, Backend, DType, Slot, Vec } from '../kernels/backend.js';
import { defaultBackend } from '../kernels/default.js';
import type { Loss } from '../losses.js';
import { toMatrix, type Matrix, type MatrixLike } from '../matrix.js';
import { Rng } from '../rng.js';
import { resolveSpec, type ModelSpec, type ResolvedSpec } from '../spec.js';
import type { AnyNode } from '../layers/any-node.js';
import { sumAbsDerivative } from '../layers/act.js';
import type { Dense } from '../layers/dense.js';
import type { InputNode, Mode, Param } from '../layers/node.js';
import { checkBackend, compileGraph, setGradientPlan } from './compile.js';
import { applyConstraints, isConstrained, sumTiedGradients, type TieGroup } from './constraints.js';
import { addPenaltyGradients, penaltyValue, type Penalties } from './penalties.js';

/** How a Model is built: its backend, the seed of the initial weights, the largest batch, and whether it trains. */
export interface ModelOptions {
  /** Kernel backend; by default WebAssembly SIMD where available, else the portable TypeScript one. */
  readonly backend?: Backend;
  /** Seed (or generator) for the initial weights. Default 0. */
  readonly seed?: number | Rng;
  /** Rows per batch the buffers are sized for; grown on demand. Default 256. */
  readonly maxBatch?: number;
  /**
   * A model with a step activation can only run forward (its derivative is 0 almost everywhere).
   * Building one fails unless this is false.
   */
  readonly trainable?: boolean;
}

/** Options of one forward pass: the mode ('train' or 'eval') and the generator for dropout and noise. */
export interface ForwardOptions {
  /** 'eval' by default: dropout and noise off, batch norm on running averages. */
  readonly mode?: Mode;
  /** Dropout masks and noise; default a generator seeded with 0. */
  readonly rng?: Rng;
}

/** Options of one backward pass. */
export interface BackwardOptions {
  /** Also compute ∂L/∂x for the input batch (saliency, gradient checks). */
  readonly inputGradient?: boolean;
}

/** Rows per batch that `predict` sizes the buffers for. */
const PREDICT_BATCH = 1024;

/** A network built from a ModelSpec: one flat parameter buffer and its mirrored gradients, and the five training calls forward, loss, zeroGrad, backward and applyConstraints, plus predict. */
export class Model {
  readonly spec: ResolvedSpec;
  readonly dtype: DType;
  readonly backend: Backend;
  readonly arena: Arena;
  readonly input: InputNode;
  /** Every node in topological order (input first, output last). */
  readonly nodes: readonly AnyNode[];
  /**
   * The nodes forward and backward run: all of them, since a spec whose layers do not all lead to the
   * output is refused (kept as its own name for the code that walks the live graph).
   */
  readonly live: readonly AnyNode[];
  readonly output: AnyNode;
  readonly lossFn: Loss;
  readonly trainable: boolean;
  /** Flat buffers: every parameter, its gradient, and the non-trainable state. */
  readonly paramBuffer: Slot;
  readonly gradBuffer: Slot;
  readonly stateBuffer: Slot;
  /** Parameter tensors in layout order (tied copies are not listed twice). */
  readonly params: readonly Param[];
  readonly ties: readonly TieGroup[];
  /** Dense weight tensors with their L1/L2 coefficients, and the tied copies counted once. */
  readonly penalties: Penalties;
  private readonly denseNodes: readonly Dense[];
  /** The dense layers with a constraint or a mask (most models: none, and the step skips the projection). */
  private readonly constrainedDense: readonly Dense[];
  private maxBatchRows = 0;
  private targets!: Slot;
  private sampleWeights!: Slot;
  private lastRows = 0;
  private lastMode: Mode = 'eval';
  private hasTargets = false;
  private hasWeights = false;
  private defaultRng = new Rng(0);
  /** One context object reused by every pass, so the training step allocates nothing. */
  private readonly ctx: { mode: Mode; m: number; rng: Rng; productDone: AnyNode | null; layerDone: boolean } = { mode: 'eval', m: 0, rng: this.defaultRng, productDone: null, layerDone: false };
  /** The dense layer that alone reads the input, if one does: predict runs its product on the caller's rows in place. */
  private readonly inputReader: Dense | null;

  constructor(spec: ModelSpec, options: ModelOptions = {}) {
    this.spec = resolveSpec(spec);
    this.dtype = this.spec.dtype;
    this.backend = options.backend ?? defaultBackend();
    checkBackend(this.backend, this.dtype);
    this.arena = this.backend.createArena(this.dtype);
    this.trainable = options.trainable ?? true;
    const rng = options.seed instanceof Rng ? options.seed : new Rng(options.seed ?? 0);
    const g = compileGraph(this.spec, this.arena, rng, this.trainable);
    this.input = g.input;
    this.nodes = g.nodes;
    this.live = g.nodes;
    this.output = g.output;
    this.denseNodes = g.dense;
    this.lossFn = g.lossFn;
    this.paramBuffer = g.paramBuffer;
    this.gradBuffer = g.gradBuffer;
    this.stateBuffer = g.stateBuffer;
    this.params = g.params;
    this.ties = g.ties;
    this.penalties = g.penalties;
    this.inputReader = soleDenseReader(this.nodes, this.input);
    this.compile(options.maxBatch ?? 256);
    this.constrainedDense = this.denseNodes.filter(isConstrained);
    for (const d of this.denseNodes) d.applyMaskToWeights(this.arena);
    // Tied weights start equal: every member takes the first member's initial value.
    for (const t of this.ties) {
      const v = t.members[0]!;
      const x = v.dense.W.value.a[v.index]!;
      for (const m of t.members) m.dense.W.value.a[m.index] = x;
    }
    this.applyConstraints();
  }

  /** The dense layers, in topological order. */
  get dense(): readonly Dense[] { return this.denseNodes; }

  get maxBatch(): number { return this.maxBatchRows; }

  get inputSize(): number { return this.spec.inputSize; }

  get outputSize(): number { return this.output.width; }

  /** Number of trainable parameters (a tied tensor counted once). */
  get parameterCount(): number { return this.paramBuffer.length; }

  /** Size every activation buffer for batches of up to `maxBatch` rows (grows only). */
  compile(maxBatch: number): void {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error(`model.compile: maxBatch must be a positive integer, got ${maxBatch}`);
    if (maxBatch <= this.maxBatchRows) return;
    this.maxBatchRows = maxBatch;
    // The widest product: a layer's units, its inputs (δ·Wᵀ), or the batch itself.
    this.arena.reserveWorkspace(Math.max(maxBatch, ...this.nodes.map((n) => n.width)));
    for (const n of this.nodes) n.allocate(this.arena, maxBatch);
    this.targets = this.arena.alloc(maxBatch * this.output.width);
    this.sampleWeights = this.arena.alloc(maxBatch);
    setGradientPlan(this.nodes, this.input, false);
  }

  /** Copy a batch of m rows into the input buffer; false when a value copied is not finite (the check of predict and forward). */
  setInputRows(data: Vec, m: number, rowOffset = 0): boolean {
    this.compile(m);
    const w = this.inputSize;
    return this.arena.kernels.copyFinite(data, rowOffset * w, this.input.O.a, m * w);
  }

  /** Check x in full (toMatrix without a deferred scan), which throws naming the cell that is not finite. */
  private notFinite(x: MatrixLike): never {
    toMatrix(x, this.dtype, 'x', this.inputSize);
    throw new Error('x: a value is not a finite number');
  }

  /** Copy the rows `idx[start..start+m)` of `data` (a row-major table) into the input buffer (batch gather). */
  gatherInputRows(data: Vec, idx: Int32Array, start: number, m: number): void {
    this.compile(m);
    this.arena.kernels.gatherRows(data, idx, start, m, this.inputSize, this.input.O.a);
  }

  /**
   * Run the graph on the rows already in the input buffer. Returns the output (m × outputs) as a view.
   * `productDone`: a dense layer whose product is already in its I (predict's first layer); `layerDone`: and
   * its bias and activation (its O) too.
   */
  forwardRows(m: number, options: ForwardOptions = {}, productDone: Dense | null = null, layerDone = false): Vec {
    const ctx = this.ctx;
    ctx.mode = options.mode ?? 'eval';
    ctx.m = m;
    ctx.rng = options.rng ?? this.defaultRng;
    ctx.productDone = productDone;
    ctx.layerDone = productDone !== null && layerDone;
    this.lastRows = m;
    this.lastMode = ctx.mode;
    this.hasTargets = false;
    const live = this.live;
    for (let i = 0; i < live.length; i++) live[i]!.forward(this.arena, ctx);
    return this.output.O.a.subarray(0, m * this.output.width);
  }

  /**
   * Forward pass on a batch (validated: width, finiteness). Returns a view of the output buffer
   * (m × outputs), valid until the next forward.
   */
  forward(x: MatrixLike, options: ForwardOptions = {}): Matrix {
    const X = toMatrix(x, this.dtype, 'x', this.inputSize, true);
    this.compile(X.rows);
    if (!this.setInputRows(X.data, X.rows)) this.notFinite(x);
    const data = this.forwardRows(X.rows, options);
    return { rows: X.rows, cols: this.output.width, data };
  }

  /** Inference on any number of rows, in batches; returns a new matrix. */
  predict(x: MatrixLike): Matrix {
    const X = toMatrix(x, this.dtype, 'x', this.inputSize, true);
    const k = this.output.width;
    const out = this.dtype === 'float64' ? new Float64Array(X.rows * k) : new Float32Array(X.rows * k);
    // Inference batches of up to PREDICT_BATCH rows: fewer, larger products (buffers grow once).
    this.compile(Math.min(X.rows, PREDICT_BATCH));
    const step = Math.max(this.maxBatchRows, 1);
    const first = this.inputReader;
    const w = this.inputSize;
    const kernels = this.arena.kernels;
    for (let r = 0; r < X.rows; r += step) {
      const m = Math.min(step, X.rows - r);
      // With a sole dense reader, its product straight from the caller's rows (checked as they are read), not from a copy.
      const done = first === null
        ? (this.setInputRows(X.data, m, r) ? 'input' : 'notFinite')
        : first.productFromRows(kernels, X.data, r * w, m, this.input.O.a);
      if (done === 'notFinite') this.notFinite(x);
      out.set(this.forwardRows(m, {}, first, done === 'layer'), r * k);
    }
    return { rows: X.rows, cols: k, data: out };
  }

  /**
   * The loss of the last forward pass against targets y (m × outputs), plus the penalties.
   * Remembers y (and the optional per-sample weights) for `backward`.
   */
  loss(y: MatrixLike, sampleWeights?: ArrayLike<number>): number {
    const m = this.lastRows;
    if (m === 0) throw new Error('model.loss: call forward first');
    const Y = toMatrix(y, this.dtype, 'y', this.output.width);
    if (Y.rows !== m) throw new Error(`model.loss: y has ${Y.rows} rows but the last forward pass had ${m}`);
    this.arena.kernels.copy(Y.data, this.targets.a, m * this.output.width);
    if (sampleWeights !== undefined) {
      if (sampleWeights.length !== m) throw new Error(`model.loss: ${sampleWeights.length} sample weights for ${m} rows`);
      for (let i = 0; i < m; i++) {
        const w = sampleWeights[i]!;
        if (!Number.isFinite(w) || w < 0) throw new Error(`model.loss: sample weight ${i} is ${w}; weights must be finite and ≥ 0`);
        this.sampleWeights.a[i] = w;
      }
    }
    return this.lossOnTargets(m, sampleWeights !== undefined);
  }

  /** As `loss`, with targets already written by `targetRows`/`gatherTargetRows` (fast path). */
  lossOnTargets(m = this.lastRows, weighted = false): number {
    this.hasTargets = true;
    this.hasWeights = weighted;
    const out = this.outputPre();
    const k = this.output.width;
    const w = weighted ? this.sampleWeights.a : undefined;
    return this.lossFn.value(this.output.O.a, out, this.targets.a, m, k, w) + penaltyValue(this.penalties, this.arena.kernels);
  }

  /** The data term alone (no penalties) of the last forward pass against the stored targets. */
  dataLoss(): number {
    const k = this.output.width;
    return this.lossFn.value(this.output.O.a, this.outputPre(), this.targets.a, this.lastRows, k,
      this.hasWeights ? this.sampleWeights.a : undefined);
  }

  /** Write target rows `idx[start..start+m)` of a row-major table into the target buffer. */
  gatherTargetRows(data: Vec, idx: Int32Array, start: number, m: number, weights?: Vec): void {
    this.arena.kernels.gatherRows(data, idx, start, m, this.output.width, this.targets.a);
    if (weights !== undefined) {
      const w = this.sampleWeights.a;
      for (let r = 0; r < m; r++) w[r] = weights[idx[start + r]!]!;
    }
  }

  /** The output layer's pre-activation I (O for an output without an activation). */
  private outputPre(): Vec {
    return (this.output.activation?.I ?? this.output.O).a;
  }

  zeroGrad(): void {
    this.arena.kernels.fill(this.gradBuffer.a, 0, this.gradBuffer.length);
  }

  /**
   * Backpropagate the loss of the last `loss()` call: gradients are added to `gradBuffer`
   * (call zeroGrad first), then masks, ties and penalties are applied to them. A loss with
   * `gradWrt: 'O'` writes ∂L/∂O into the output's dO; one with `gradWrt: 'I'` writes δ = ∂L/∂I into
   * the output's activation site, which then runs only the part of its backward pass after δ.
   */
  backward(options: BackwardOptions = {}): void {
    if (!this.hasTargets) throw new Error('model.backward: call forward and then loss first');
    const loss = this.lossFn;
    const out = this.output;
    const site = out.activation;
    const fromDelta = loss.gradWrt === 'I' && site !== null;
    const dst = fromDelta ? site.delta.a : out.dO.a;
    loss.grad(out.O.a, this.outputPre(), this.targets.a, this.lastRows, out.width, dst, this.hasWeights ? this.sampleWeights.a : undefined);
    this.backpropagate(options, fromDelta);
  }

  /**
   * Backpropagate a given ∂(something)/∂O at the output (m × outputs), e.g. a one-hot row for the
   * saliency ∂ŷ_c/∂x. The output activation's derivative is always applied.
   */
  backwardFrom(outputGrad: Vec, options: BackwardOptions = {}): void {
    this.arena.kernels.copy(outputGrad, this.output.dO.a, this.lastRows * this.output.width);
    this.backpropagate(options, false);
  }

  /** Run the nodes backward from the output; `fromDelta`: the output's δ is already written. */
  private backpropagate(options: BackwardOptions, fromDelta: boolean): void {
    if (!this.trainable) throw new Error('model.backward: this model was built with { trainable: false } (it has a step activation), so it has no gradients');
    const ctx = this.ctx;
    ctx.mode = this.lastMode;
    ctx.m = this.lastRows;
    const inputGradient = options.inputGradient ?? false;
    const nodes = this.nodes;
    if (inputGradient) setGradientPlan(nodes, this.input, true);
    try {
      const last = nodes.length - 1;
      const site = this.output.activation;
      if (fromDelta && site !== null) site.backwardFromDelta(this.arena, ctx);
      else nodes[last]!.backward(this.arena, ctx);
      for (let i = last - 1; i >= 1; i--) nodes[i]!.backward(this.arena, ctx);
    } finally {
      if (inputGradient) setGradientPlan(nodes, this.input, false);
    }
    const dense = this.denseNodes;
    for (let i = 0; i < dense.length; i++) dense[i]!.applyMaskToGrads(this.arena);
    sumTiedGradients(this.ties);
    addPenaltyGradients(this.penalties, this.arena.kernels);
  }

  /** ∂L/∂x of the last backward with `inputGradient: true` (m × inputs). */
  inputGradient(): Matrix {
    const m = this.lastRows;
    return { rows: m, cols: this.inputSize, data: this.input.dO.a.slice(0, m * this.inputSize) };
  }

  /** Project the parameters back onto their constraints (non-negative, max-norm, masks, ties). */
  applyConstraints(): void {
    if (this.constrainedDense.length > 0 || this.ties.length > 0) applyConstraints(this.constrainedDense, this.ties, this.arena);
  }

  /** A copy of every parameter, in layout order. */
  getWeights(): Float32Array | Float64Array {
    return this.paramBuffer.a.slice();
  }

  /** Set every parameter from a flat buffer in layout order (e.g. `getWeights()` of a twin model). */
  setWeights(w: ArrayLike<number>): void {
    if (w.length !== this.paramBuffer.length) {
      throw new Error(`model.setWeights: expected ${this.paramBuffer.length} values, got ${w.length}`);
    }
    const a = this.paramBuffer.a;
    for (let i = 0; i < w.length; i++) {
      const v = w[i]!;
      if (!Number.isFinite(v)) throw new Error(`model.setWeights: value ${i} is ${v}`);
      a[i] = v;
    }
  }

  getState(): Float32Array | Float64Array { return this.stateBuffer.a.slice(); }

  setState(s: ArrayLike<number>): void {
    if (s.length !== this.stateBuffer.length) throw new Error(`model.setState: expected ${this.stateBuffer.length} values, got ${s.length}`);
    this.stateBuffer.a.set(Array.from(s));
  }

  /** The parameter tensor `name` ('W', 'b', 'gamma', 'beta') of a layer. */
  param(layer: string, name: string): Param {
    const node = this.nodes.find((n) => n.name === layer);
    if (node === undefined) throw new Error(`model.param: no layer '${layer}' (layers: ${this.nodes.map((n) => n.name).join(', ')})`);
    if (node.kind === 'dense' && name === 'W') return node.W;
    const p = this.params.find((q) => q.layer === layer && q.name === name);
    if (p === undefined) throw new Error(`model.param: layer '${layer}' has no parameter '${name}'`);
    return p;
  }

  node(name: string): AnyNode {
    const n = this.nodes.find((x) => x.name === name);
    if (n === undefined) throw new Error(`model.node: no layer '${name}' (layers: ${this.nodes.map((x) => x.name).join(', ')})`);
    return n;
  }

  /** L2 norm of each parameter-owning layer's gradient (the vanishing-gradient diagnostic). */
  gradientNorms(): { layer: string; norm: number }[] {
    const sums = new Map<string, number>();
    for (const p of this.params) {
      sums.set(p.layer, (sums.get(p.layer) ?? 0) + this.arena.kernels.sumSq(p.grad.a, p.grad.length));
    }
    return [...sums].map(([layer, s]) => ({ layer, norm: Math.sqrt(s) }));
  }

  /**
   * Mean |f′(I)| over the last batch, per layer with a non-linearity: how much each layer passes
   * gradients through (the lecture's sigmoid-derivative plot: at most 1/4 for sigmoid, so deltas shrink
   * geometrically with depth).
   */
  meanAbsDerivatives(): { layer: string; value: number }[] {
    const m = this.lastRows;
    const sites = this.live.filter((n) => n.activation !== null);
    const len = Math.max(0, ...sites.map((n) => m * n.width));
    if (len === 0) return sites.map((n) => ({ layer: n.name, value: 0 }));
    // Scratch for f′ (dO = 1): given back at once, so later calls reuse it and the arena grows once.
    const ones = this.arena.alloc(len);
    const scratch = this.arena.alloc(len);
    const k = this.arena.kernels;
    k.fill(ones.a, 1, len);
    const out = sites.map((n) => {
      const s = sumAbsDerivative(k, n.activation!.act, n.activation!.I.a, n.O.a, m, n.width, ones.a, scratch.a);
      return { layer: n.name, value: s / (m * n.width) };
    });
    this.arena.free(scratch);
    this.arena.free(ones);
    return out;
  }

  /** One line per node and a total, e.g. `dense(784 => 128, relu)  100,480 params`. */
  summary(): string {
    const counts = new Map<string, number>();
    for (const p of this.params) counts.set(p.layer, (counts.get(p.layer) ?? 0) + p.rows * p.cols);
    const lines = this.nodes.map((n) => {
      const c = counts.get(n.name) ?? 0;
      const from = n.inputs.length > 0 ? `  ← ${n.inputs.map((x) => x.name).join(', ')}` : '';
      return `${n.name.padEnd(14)} ${n.describe().padEnd(44)} ${c > 0 ? c.toLocaleString('en-US').padStart(10) + ' params' : ''}${from}`;
    });
    lines.push(`total ${this.parameterCount.toLocaleString('en-US')} trainable parameters; loss ${this.lossFn.name}; ${this.dtype}`);
    return lines.join('\n');
  }
}

/** The dense layer that is the only reader of the model's input, or null (none, several, or another kind). */
function soleDenseReader(nodes: readonly AnyNode[], input: InputNode): Dense | null {
  const readers = nodes.filter((n) => n.inputs.includes(input));
  const only = readers.length === 1 ? readers[0]! : null;
  return only !== null && only.kind === 'dense' && only.inputs.length === 1 ? only : null;
}

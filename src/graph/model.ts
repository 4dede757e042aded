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

import { ACTIVATIONS } from '../activations.js';
import type { Arena, Backend, DType, Slot, Vec } from '../kernels/backend.js';
import { defaultBackend } from '../kernels/default.js';
import { initialize } from '../init.js';
import { LOSSES, type Loss } from '../losses.js';
import { toMatrix, type Matrix, type MatrixLike } from '../matrix.js';
import { Rng } from '../rng.js';
import { INPUT, layerWidths, resolveSpec, type LayerSpec, type ModelSpec, type ResolvedSpec } from '../spec.js';
import { nonDifferentiable } from '../layers/act.js';
import { ActivationLayer } from '../layers/activation.js';
import { BatchNorm } from '../layers/batchnorm.js';
import { Dense } from '../layers/dense.js';
import { Dropout } from '../layers/dropout.js';
import { Add, Concat } from '../layers/merge.js';
import { InputNode, Node, type Mode, type Param } from '../layers/node.js';
import { GaussianNoise } from '../layers/noise.js';
import { applyConstraints, compileTies, sumTiedGradients, type TieGroup } from './constraints.js';
import { addPenaltyGradients, penaltyValue } from './penalties.js';

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
  /** Every node in topological order (input first). */
  readonly nodes: readonly Node[];
  /** The nodes that reach the output, in topological order (the ones forward and backward run). */
  readonly live: readonly Node[];
  readonly output: Node;
  readonly lossFn: Loss;
  readonly trainable: boolean;
  /** Flat buffers: every parameter, its gradient, and the non-trainable state. */
  readonly paramBuffer: Slot;
  readonly gradBuffer: Slot;
  readonly stateBuffer: Slot;
  /** Parameter tensors in layout order (tied copies are not listed twice). */
  readonly params: readonly Param[];
  readonly ties: readonly TieGroup[];
  private readonly denseNodes: readonly Dense[];
  private maxBatchRows = 0;
  private targets!: Slot;
  private sampleWeights!: Slot;
  private lastRows = 0;
  private lastMode: Mode = 'eval';
  private hasTargets = false;
  private hasWeights = false;
  private defaultRng = new Rng(0);
  private readonly residentTables = new WeakMap<Vec, Slot>();
  /** One context object reused by every pass, so the training step allocates nothing. */
  private readonly ctx: { mode: Mode; m: number; rng: Rng } = { mode: 'eval', m: 0, rng: this.defaultRng };
  /** Dense layers owning a weight matrix, with their penalty coefficients (fixed at construction). */
  readonly penalized: readonly { readonly dense: Dense; readonly l1: number; readonly l2: number }[];

  constructor(spec: ModelSpec, options: ModelOptions = {}) {
    this.spec = resolveSpec(spec);
    this.dtype = this.spec.dtype;
    this.backend = options.backend ?? defaultBackend();
    if (!this.backend.supports(this.dtype)) {
      throw new Error(`model: backend '${this.backend.name}' does not support ${this.dtype}`);
    }
    this.arena = this.backend.createArena(this.dtype);
    this.lossFn = LOSSES[this.spec.loss];
    const widths = layerWidths(this.spec);

    // Build the nodes in topological order.
    this.input = new InputNode(this.spec.inputSize);
    const built = new Map<string, Node>([[INPUT, this.input]]);
    const byName = new Map(this.spec.layers.map((l) => [l.name, l]));
    const order: Node[] = [this.input];
    const build = (name: string): Node => {
      const existing = built.get(name);
      if (existing !== undefined) return existing;
      const l = byName.get(name)!;
      const ins = l.inputs.map(build);
      const node = makeNode(l as LayerSpec & { name: string; inputs: readonly string[] }, ins);
      if (node.width !== widths.get(name)) throw new Error(`layer '${name}': internal width mismatch`);
      built.set(name, node);
      order.push(node);
      return node;
    };
    for (const l of this.spec.layers) build(l.name);
    this.nodes = order;
    this.output = built.get(this.spec.output)!;
    this.denseNodes = order.filter((n): n is Dense => n instanceof Dense);

    // Only the ancestors of the output run.
    const needed = new Set<Node>();
    const mark = (n: Node): void => { if (!needed.has(n)) { needed.add(n); n.inputs.forEach(mark); } };
    mark(this.output);
    this.live = order.filter((n) => needed.has(n));

    // The step activation makes a model forward-only.
    this.trainable = options.trainable ?? true;
    if (this.trainable) {
      for (const n of this.live) {
        if (n instanceof Dense || n instanceof ActivationLayer) {
          const bad = nonDifferentiable(n.act);
          if (bad !== null) {
            throw new Error(`layer '${n.name}' (${n.kind}): activation '${bad}' has derivative 0 almost everywhere, so gradients cannot train it; build the model with { trainable: false } to run it forward only (or use a smooth activation such as sigmoid, as the lecture does)`);
          }
        }
      }
    }

    // Losses fused with the output activation compute δ from the logits.
    if (this.lossFn.fusedWith !== null) {
      const out = this.output;
      const f = out instanceof Dense || out instanceof ActivationLayer ? out.act : null;
      const matches = f !== null && (this.lossFn.fusedWith === 'softmax'
        ? f.type === 'softmax'
        : f.type === 'uniform' && f.f.name === this.lossFn.fusedWith);
      if (!matches) {
        const has = f === null ? `a ${out.kind} layer` : `activation '${f.type === 'uniform' ? f.f.name : f.type}'`;
        throw new Error(`loss '${this.lossFn.name}' needs a ${this.lossFn.fusedWith} output, but the output layer '${out.name}' has ${has}`);
      }
      if (out instanceof Dense || out instanceof ActivationLayer) out.fusedOutput = true;
    }

    // Parameters: one flat buffer, one view per tensor; shared weights bind the owner's views.
    const rng = options.seed instanceof Rng ? options.seed : new Rng(options.seed ?? 0);
    const requests = this.live.flatMap((n) => n.params().map((r) => ({ node: n, r })));
    const total = requests.reduce((s, { r }) => s + r.rows * r.cols, 0);
    this.paramBuffer = this.arena.alloc(total);
    this.gradBuffer = this.arena.alloc(total);
    const params: Param[] = [];
    const byNode = new Map<Node, Param[]>();
    let off = 0;
    for (const { node, r } of requests) {
      const len = r.rows * r.cols;
      const p: Param = {
        layer: node.name, name: r.name, rows: r.rows, cols: r.cols, penalized: r.penalized,
        value: this.arena.sub(this.paramBuffer, off, len), grad: this.arena.sub(this.gradBuffer, off, len),
      };
      off += len;
      params.push(p);
      const list = byNode.get(node) ?? [];
      list.push(p);
      byNode.set(node, list);
      initialize(r.init, p.value.a, len, r.fanIn, r.fanOut, rng);
    }
    this.params = params;
    for (const n of this.live) {
      const own = byNode.get(n) ?? [];
      if (n instanceof Dense && n.spec.shareWeightsWith !== undefined) {
        const owner = built.get(n.spec.shareWeightsWith);
        if (!(owner instanceof Dense) || !needed.has(owner)) {
          throw new Error(`layer '${n.name}' (dense): shareWeightsWith '${n.spec.shareWeightsWith}' must be a dense layer that is part of the model's path to its output`);
        }
        const W = byNode.get(owner)![0]!;
        n.bindParams([{ ...W, layer: n.name, sharedFrom: owner.name }, ...own]);
      } else {
        n.bindParams(own);
      }
    }
    const stateReq = this.live.flatMap((n) => n.stateRequests().map((r) => ({ node: n, r })));
    this.stateBuffer = this.arena.alloc(stateReq.reduce((s, { r }) => s + r.length, 0));
    let soff = 0;
    const stateByNode = new Map<Node, Slot[]>();
    for (const { node, r } of stateReq) {
      const s = this.arena.sub(this.stateBuffer, soff, r.length);
      s.a.fill(r.initial);
      soff += r.length;
      stateByNode.set(node, [...(stateByNode.get(node) ?? []), s]);
    }
    for (const n of this.live) n.bindState(stateByNode.get(n) ?? []);

    this.ties = compileTies(this.spec.ties ?? [], this.denseNodes);
    this.penalized = this.denseNodes
      .filter((d) => d.spec.shareWeightsWith === undefined && needed.has(d))
      .map((d) => ({ dense: d, l1: d.spec.l1 ?? this.spec.l1 ?? 0, l2: d.spec.l2 ?? this.spec.l2 ?? 0 }))
      .filter((p) => p.l1 !== 0 || p.l2 !== 0);
    this.compile(options.maxBatch ?? 256);
    for (const d of this.denseNodes) d.applyMaskToWeights(this.arena);
    // Tied weights start equal: every member takes the first member's initial value.
    for (const g of this.ties) {
      const v = g.members[0]!;
      const x = v.dense.W.value.a[v.index]!;
      for (const t of g.members) t.dense.W.value.a[t.index] = x;
    }
    applyConstraints(this);
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
    this.setGradientPlan(false);
  }

  /** Who overwrites and who accumulates into each node's dO, and which inputs need gradients at all. */
  private setGradientPlan(inputGradient: boolean): void {
    const written = new Set<Node>();
    for (let i = this.live.length - 1; i >= 0; i--) {
      const n = this.live[i]!;
      n.inputs.forEach((src, j) => {
        n.inputNeedsGrad[j] = src !== this.input || inputGradient;
        n.inputBeta[j] = written.has(src) ? 1 : 0;
        if (n.inputNeedsGrad[j]) written.add(src);
      });
    }
  }

  /** Copy a batch of m rows into the input buffer (no validation: internal fast path for training loops). */
  setInputRows(data: Vec, m: number, rowOffset = 0): void {
    this.compile(m);
    const w = this.inputSize;
    // A native copy (the rows usually come from outside the arena, where a kernel cannot reach them).
    this.input.O.a.set(data.subarray(rowOffset * w, (rowOffset + m) * w));
  }

  /** Copy the rows `idx[start..start+m)` of `data` (a row-major table) into the input buffer (batch gather). */
  gatherInputRows(data: Vec, idx: Int32Array, start: number, m: number): void {
    this.compile(m);
    this.arena.kernels.gatherRows(data, idx, start, m, this.inputSize, this.input.O.a);
  }

  /**
   * A copy of a row-major table inside the model's arena (made once per table), so that batch gathers
   * from it run as in-memory copies of the backend (for WebAssembly: no copy across the JS boundary).
   * Read `.a` afresh before each use: the arena may move when it grows.
   */
  resident(data: Vec): Slot {
    let slot = this.residentTables.get(data);
    if (slot === undefined) {
      slot = this.arena.alloc(data.length);
      slot.a.set(data);
      this.residentTables.set(data, slot);
    }
    return slot;
  }

  /** Run the graph on the rows already in the input buffer. Returns the output (m × outputs) as a view. */
  forwardRows(m: number, options: ForwardOptions = {}): Vec {
    const ctx = this.ctx;
    ctx.mode = options.mode ?? 'eval';
    ctx.m = m;
    ctx.rng = options.rng ?? this.defaultRng;
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
    const X = toMatrix(x, this.dtype, 'x', this.inputSize);
    this.compile(X.rows);
    this.setInputRows(X.data, X.rows);
    const data = this.forwardRows(X.rows, options);
    return { rows: X.rows, cols: this.output.width, data };
  }

  /** Inference on any number of rows, in batches; returns a new matrix. */
  predict(x: MatrixLike): Matrix {
    const X = toMatrix(x, this.dtype, 'x', this.inputSize);
    const k = this.output.width;
    const out = this.dtype === 'float64' ? new Float64Array(X.rows * k) : new Float32Array(X.rows * k);
    // Inference batches of up to PREDICT_BATCH rows: fewer, larger products (buffers grow once).
    this.compile(Math.min(X.rows, PREDICT_BATCH));
    const step = Math.max(this.maxBatchRows, 1);
    for (let r = 0; r < X.rows; r += step) {
      const m = Math.min(step, X.rows - r);
      this.setInputRows(X.data, m, r);
      out.set(this.forwardRows(m), r * k);
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
    return this.lossFn.value(this.output.O.a, out, this.targets.a, m, k, w) + penaltyValue(this);
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

  /** The output layer's pre-activation I (equal to O for a linear output). */
  private outputPre(): Vec {
    const out = this.output;
    if (out instanceof Dense) return out.I.a;
    if (out instanceof ActivationLayer) return out.I.a;
    return out.O.a;
  }

  zeroGrad(): void {
    this.arena.kernels.fill(this.gradBuffer.a, 0, this.gradBuffer.length);
  }

  /**
   * Backpropagate the loss of the last `loss()` call: gradients are added to `gradBuffer`
   * (call zeroGrad first), then masks, ties and penalties are applied to them.
   */
  backward(options: BackwardOptions = {}): void {
    if (!this.hasTargets) throw new Error('model.backward: call forward and then loss first');
    const m = this.lastRows;
    const k = this.output.width;
    this.lossFn.grad(this.output.O.a, this.outputPre(), this.targets.a, m, k, this.output.dO.a,
      this.hasWeights ? this.sampleWeights.a : undefined);
    this.backpropagate(options);
  }

  /**
   * Backpropagate a given ∂(something)/∂O at the output (m × outputs), e.g. a one-hot row for the
   * saliency ∂ŷ_c/∂x. The output activation's derivative is applied even if the loss is fused.
   */
  backwardFrom(outputGrad: Vec, options: BackwardOptions = {}): void {
    const m = this.lastRows;
    const out = this.output;
    const fused = (out instanceof Dense || out instanceof ActivationLayer) && out.fusedOutput;
    if (fused && (out instanceof Dense || out instanceof ActivationLayer)) {
      out.fusedOutput = false;
      try {
        this.arena.kernels.copy(outputGrad, out.dO.a, m * out.width);
        this.backpropagate(options);
      } finally {
        out.fusedOutput = true;
      }
      return;
    }
    this.arena.kernels.copy(outputGrad, out.dO.a, m * out.width);
    this.backpropagate(options);
  }

  private backpropagate(options: BackwardOptions): void {
    if (!this.trainable) throw new Error('model.backward: this model was built with { trainable: false } (it has a step activation), so it has no gradients');
    const ctx = this.ctx;
    ctx.mode = this.lastMode;
    ctx.m = this.lastRows;
    const inputGradient = options.inputGradient ?? false;
    if (inputGradient) this.setGradientPlan(true);
    try {
      for (let i = this.live.length - 1; i >= 1; i--) this.live[i]!.backward(this.arena, ctx);
    } finally {
      if (inputGradient) this.setGradientPlan(false);
    }
    const dense = this.denseNodes;
    for (let i = 0; i < dense.length; i++) dense[i]!.applyMaskToGrads(this.arena);
    sumTiedGradients(this.ties);
    addPenaltyGradients(this);
  }

  /** ∂L/∂x of the last backward with `inputGradient: true` (m × inputs). */
  inputGradient(): Matrix {
    const m = this.lastRows;
    return { rows: m, cols: this.inputSize, data: this.input.dO.a.slice(0, m * this.inputSize) };
  }

  /** Project the parameters back onto their constraints (non-negative, max-norm, masks, ties). */
  applyConstraints(): void {
    applyConstraints(this);
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
    if (node instanceof Dense && name === 'W') return node.W;
    const p = this.params.find((q) => q.layer === layer && q.name === name);
    if (p === undefined) throw new Error(`model.param: layer '${layer}' has no parameter '${name}'`);
    return p;
  }

  node(name: string): Node {
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
    const out: { layer: string; value: number }[] = [];
    const m = this.lastRows;
    for (const n of this.live) {
      if (!(n instanceof Dense || n instanceof ActivationLayer)) continue;
      const I = n.I.a;
      const O = n.O.a;
      const w = n.width;
      const act = n.act;
      let s = 0;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < w; j++) {
          const f = act.type === 'uniform' ? act.f : act.type === 'perUnit' ? ACTIVATIONS[act.names[j]!] : null;
          const idx = i * w + j;
          // Softmax: the diagonal of its Jacobian, O(1 − O).
          s += f === null ? O[idx]! * (1 - O[idx]!) : Math.abs(f.df(I[idx]!, O[idx]!));
        }
      }
      out.push({ layer: n.name, value: m * w === 0 ? 0 : s / (m * w) });
    }
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

function makeNode(l: LayerSpec & { name: string; inputs: readonly string[] }, ins: readonly Node[]): Node {
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

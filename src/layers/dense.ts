/**
 * Dense layer, the lecture's neurons in matrix form. Dimension legend: m batch rows, p inputs, n units.
 *
 *   forward   I = X·W + b          (I_j = Σ_{k∈inc(j)} w_kj O_k + w_0j)
 *             O = f(I)             (O_j = f_j(I_j))
 *   backward  δ = dO ⊙ f′(I)       (equations (1) and (2): δ_j = ∂L/∂O_j · f′(I_j))
 *             dW += Xᵀ·δ           (equation (3): ∂L/∂w_ij = δ_j O_i, summed over the batch)
 *             db += Σ_rows δ
 *             dX (+)= δ·Wᵀ         (Σ_{k∈out(j)} δ_k w_jk, handed to the layer below)
 *
 * An optional 0/1 mask (p×n) removes connections: masked weights are zero from initialization on and
 * their gradients are zeroed after every backward pass, so they stay zero under any optimizer.
 */

import { hasBiasMap, type Arena, type Slot, type Vec } from '../kernels/backend.js';
import { defaultWeightInit, type InitName } from '../init.js';
import type { DenseSpec } from '../spec.js';
import { activate, activateBackward, activationLabel, compileActivation, isIdentity, type CompiledActivation } from './act.js';
import type { AnyNode } from './any-node.js';
import { Node, type ActivationSite, type Ctx, type Param, type ParamRequest } from './node.js';

/** The dense layer I = O_prev·W + b, O = f(I); backward gives ∂L/∂W = O_prevᵀ·δ, ∂L/∂b = Σδ and ∂L/∂O_prev = δ·Wᵀ. */
export class Dense extends Node implements ActivationSite {
  declare readonly kind: 'dense';
  override readonly activation: ActivationSite = this;
  readonly act: CompiledActivation;
  readonly units: number;
  readonly fanIn: number;
  readonly useBias: boolean;
  /** Pre-activation I (aliases O when f is the identity). */
  I!: Slot;
  /** δ = ∂L/∂I (aliases dO when f is the identity). */
  delta!: Slot;
  W!: Param;
  b: Param | null = null;
  /** 0/1 masks as plain arrays (applied outside the hot loop) and their arena copies. */
  readonly maskRows: readonly (readonly number[])[] | null;
  readonly biasMaskRow: readonly number[] | null;
  maskSlot: Slot | null = null;
  biasMaskSlot: Slot | null = null;

  constructor(readonly spec: DenseSpec & { name: string }, input: AnyNode) {
    super(spec.name, 'dense', [input], spec.units);
    this.units = spec.units;
    this.fanIn = input.width;
    this.act = compileActivation(spec.activation ?? 'identity');
    this.useBias = spec.useBias ?? true;
    this.maskRows = spec.mask ?? null;
    this.biasMaskRow = spec.biasMask ?? null;
  }

  /** The initializer that fits the activation, unless the spec names one. */
  weightInit(): InitName {
    if (this.spec.init !== undefined) return this.spec.init;
    if (this.act.type === 'uniform') return defaultWeightInit(this.act.f.name);
    return 'xavierUniform';
  }

  override params(): readonly ParamRequest[] {
    // Masked layers count the real in-degree and out-degree so variance-preserving inits stay right.
    let fanIn = this.fanIn;
    let fanOut = this.units;
    if (this.maskRows !== null) {
      const edges = this.maskRows.reduce((s, r) => s + r.reduce((a, v) => a + v, 0), 0);
      fanIn = Math.max(1, edges / this.units);
      fanOut = Math.max(1, edges / this.fanIn);
    }
    const out: ParamRequest[] = [];
    if (this.spec.shareWeightsWith === undefined) {
      out.push({ name: 'W', rows: this.fanIn, cols: this.units, init: this.weightInit(), fanIn, fanOut, penalized: true });
    }
    if (this.useBias) {
      out.push({ name: 'b', rows: 1, cols: this.units, init: this.spec.biasInit ?? 'zeros', fanIn, fanOut, penalized: false });
    }
    return out;
  }

  override bindParams(p: readonly Param[]): void {
    this.W = p[0]!;
    this.b = this.useBias ? p[1]! : null;
  }

  override allocate(arena: Arena, maxBatch: number): void {
    const identity = isIdentity(this.act);
    this.I = arena.alloc(maxBatch * this.units);
    this.O = identity ? this.I : arena.alloc(maxBatch * this.units);
    this.dO = arena.alloc(maxBatch * this.units);
    this.delta = identity ? this.dO : arena.alloc(maxBatch * this.units);
    if (this.maskRows !== null && this.maskSlot === null) {
      this.maskSlot = arena.alloc(this.fanIn * this.units);
      const a = this.maskSlot.a;
      this.maskRows.forEach((r, i) => r.forEach((v, j) => { a[i * this.units + j] = v; }));
    }
    if (this.biasMaskRow !== null && this.biasMaskSlot === null) {
      this.biasMaskSlot = arena.alloc(this.units);
      this.biasMaskSlot.a.set(this.biasMaskRow);
    }
  }

  forward(arena: Arena, ctx: Ctx): void {
    const k = arena.kernels;
    const { m } = ctx;
    const X = this.inputs[0]!.O.a;
    const I = this.I.a;
    const done = ctx.productDone === this;
    if (done && ctx.layerDone === true) return;
    // Bias and f in one pass over each row where the backend fuses them (faster: bench/kernels.ts), or over
    // each block of I as the product stores it (the native backend: BENCHMARKS.md, 2026-12-04 21:21 UTC).
    if (this.b !== null && this.O !== this.I && this.act.type === 'uniform' && hasBiasMap(k)) {
      if (done) k.biasMap(this.act.f, I, this.b.value.a, this.O.a, m, this.units);
      else k.gemmBiasMap(this.act.f, m, this.units, this.fanIn, X, this.W.value.a, this.b.value.a, I, this.O.a);
      return;
    }
    if (!done) k.gemm(false, false, m, this.units, this.fanIn, 1, X, this.W.value.a, 0, I);
    if (this.b !== null) k.addRowVector(I, this.b.value.a, m, this.units);
    if (this.O !== this.I) activate(k, this.act, I, this.O.a, m, this.units);
  }

  /**
   * Predict's first product, from m of a caller's rows in place (Kernels.gemmFinite; `via` m×fanIn where the
   * kernels copy them), with the bias and activation where the kernels fuse them: 'notFinite' (a row is
   * not finite; I and O unspecified), 'product' (I holds X·W; forward goes on from the bias) or 'layer' (O too).
   */
  productFromRows(k: Arena['kernels'], src: Vec, start: number, m: number, via: Vec): 'notFinite' | 'product' | 'layer' {
    const W = this.W.value.a;
    const I = this.I.a;
    if (this.b !== null && this.O !== this.I && this.act.type === 'uniform' && hasBiasMap(k)) {
      return k.gemmFiniteBiasMap(this.act.f, src, start, m, this.units, this.fanIn, W, this.b.value.a, I, this.O.a, via) ? 'layer' : 'notFinite';
    }
    return k.gemmFinite(src, start, m, this.units, this.fanIn, W, I, via) ? 'product' : 'notFinite';
  }

  backward(arena: Arena, ctx: Ctx): void {
    const k = arena.kernels;
    const { m } = ctx;
    const n = this.units;
    if (this.delta !== this.dO) activateBackward(k, this.act, this.I.a, this.O.a, this.dO.a, this.delta.a, m, n, 0);
    this.backwardFromDelta(arena, ctx);
  }

  /** Given δ = ∂L/∂I: the weight and bias gradients and the input's ∂L/∂O. */
  backwardFromDelta(arena: Arena, ctx: Ctx): void {
    const k = arena.kernels;
    const { m } = ctx;
    const n = this.units;
    const d = this.delta.a;
    const input = this.inputs[0]!;
    k.gemm(true, false, this.fanIn, n, m, 1, input.O.a, d, 1, this.W.grad.a);
    if (this.b !== null) k.sumRows(d, m, n, this.b.grad.a, 1);
    if (this.inputNeedsGrad[0]) k.gemm(false, true, m, this.fanIn, n, 1, d, this.W.value.a, this.inputBeta[0]!, input.dO.a);
  }

  /** Zero the masked weights (after initialization, loading, or a constraint that could move them). */
  applyMaskToWeights(arena: Arena): void {
    if (this.maskSlot !== null) arena.kernels.mul(this.W.value.a, this.maskSlot.a, this.W.value.a, this.fanIn * this.units);
    if (this.biasMaskSlot !== null && this.b !== null) arena.kernels.mul(this.b.value.a, this.biasMaskSlot.a, this.b.value.a, this.units);
  }

  /** Zero the gradients of absent connections, so they never move. */
  applyMaskToGrads(arena: Arena): void {
    if (this.maskSlot !== null) arena.kernels.mul(this.W.grad.a, this.maskSlot.a, this.W.grad.a, this.fanIn * this.units);
    if (this.biasMaskSlot !== null && this.b !== null) arena.kernels.mul(this.b.grad.a, this.biasMaskSlot.a, this.b.grad.a, this.units);
  }

  override describe(): string {
    const extras: string[] = [];
    if (this.maskRows !== null) extras.push('masked');
    if (this.spec.shareWeightsWith !== undefined) extras.push(`weights of ${this.spec.shareWeightsWith}`);
    if (this.spec.nonNegative !== undefined && this.spec.nonNegative !== false) extras.push('non-negative');
    if (this.spec.nonPositive !== undefined && this.spec.nonPositive !== false) extras.push('non-positive');
    if (this.spec.maxNorm !== undefined) extras.push(`max-norm ${this.spec.maxNorm}`);
    return `dense(${this.fanIn} => ${this.units}, ${activationLabel(this.act)}${extras.length ? ', ' + extras.join(', ') : ''})`;
  }
}

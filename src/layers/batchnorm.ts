/**
 * Batch normalization (Ioffe & Szegedy, 2015), per unit j over the batch:
 *
 *   training   μ = mean(X), σ² = var(X) (biased), x̂ = (X − μ)/√(σ² + ε), O = γ·x̂ + β
 *              running mean/var ← momentum·running + (1 − momentum)·batch (the variance unbiased, m/(m − 1))
 *   inference  x̂ = (X − running mean)/√(running var + ε), O = γ·x̂ + β
 *
 * It can sit before the non-linearity (dense(identity) → batchNorm → activation) or after it
 * (dense(f) → batchNorm): the lecture leaves the choice open ("right before non-linearities (or after ?!)"),
 * so the builders accept both.
 */

import type { Arena, Slot } from '../kernels/backend.js';
import type { BatchNormSpec } from '../spec.js';
import type { AnyNode } from './any-node.js';
import { Node, type Ctx, type Param, type ParamRequest, type StateRequest } from './node.js';

export const BATCH_NORM_DEFAULT_MOMENTUM = 0.9;
export const BATCH_NORM_DEFAULT_EPSILON = 1e-5;

/** Batch normalization: per feature, (x − mean)/√(var + ε)·γ + β over the batch in training, over running averages in inference. */
export class BatchNorm extends Node {
  declare readonly kind: 'batchNorm';
  gamma!: Param;
  beta!: Param;
  runningMean!: Slot;
  runningVar!: Slot;
  xhat!: Slot;
  mean!: Slot;
  variance!: Slot;
  invStd!: Slot;
  /** Inference-mode per-unit scale γ/√(var + ε) and shift β − mean·scale. */
  private evalScale!: Slot;
  private evalShift!: Slot;
  private work!: Slot;
  private lastMode: Ctx['mode'] = 'eval';
  readonly momentum: number;
  readonly epsilon: number;

  constructor(readonly spec: BatchNormSpec & { name: string }, input: AnyNode) {
    super(spec.name, 'batchNorm', [input], input.width);
    this.momentum = spec.momentum ?? BATCH_NORM_DEFAULT_MOMENTUM;
    this.epsilon = spec.epsilon ?? BATCH_NORM_DEFAULT_EPSILON;
  }

  override params(): readonly ParamRequest[] {
    const n = this.width;
    return [
      { name: 'gamma', rows: 1, cols: n, init: 'ones', fanIn: n, fanOut: n, penalized: false },
      { name: 'beta', rows: 1, cols: n, init: 'zeros', fanIn: n, fanOut: n, penalized: false },
    ];
  }

  override bindParams(p: readonly Param[]): void { this.gamma = p[0]!; this.beta = p[1]!; }

  override stateRequests(): readonly StateRequest[] {
    return [
      { name: 'runningMean', length: this.width, initial: 0 },
      { name: 'runningVar', length: this.width, initial: 1 },
    ];
  }

  override bindState(s: readonly Slot[]): void { this.runningMean = s[0]!; this.runningVar = s[1]!; }

  override allocate(arena: Arena, maxBatch: number): void {
    super.allocate(arena, maxBatch);
    const n = this.width;
    this.xhat = arena.alloc(maxBatch * n);
    this.work = arena.alloc(maxBatch * n);
    this.mean = arena.alloc(n);
    this.variance = arena.alloc(n);
    this.invStd = arena.alloc(n);
    this.evalScale = arena.alloc(n);
    this.evalShift = arena.alloc(n);
  }

  forward(arena: Arena, ctx: Ctx): void {
    const k = arena.kernels;
    const { m } = ctx;
    const n = this.width;
    const X = this.inputs[0]!.O.a;
    this.lastMode = ctx.mode;
    if (ctx.mode === 'train') {
      if (m < 2) throw new Error(`layer '${this.name}' (batchNorm): training needs at least 2 rows per batch to estimate a variance, got ${m}`);
      k.batchNormStats(X, m, n, this.epsilon, this.mean.a, this.variance.a, this.invStd.a, this.xhat.a);
      k.scaleShiftCols(this.xhat.a, this.gamma.value.a, this.beta.value.a, this.O.a, m, n, 0);
      const mom = this.momentum;
      k.scale(n, mom, this.runningMean.a);
      k.axpy(n, 1 - mom, this.mean.a, this.runningMean.a);
      k.scale(n, mom, this.runningVar.a);
      k.axpy(n, (1 - mom) * m / (m - 1), this.variance.a, this.runningVar.a);
      return;
    }
    // Inference: x̂ = X·invStd − mean·invStd, then O = γ·x̂ + β.
    const rm = this.runningMean.a;
    const rv = this.runningVar.a;
    const is = this.invStd.a;
    const shift = this.evalShift.a;
    for (let j = 0; j < n; j++) { is[j] = 1 / Math.sqrt(rv[j]! + this.epsilon); shift[j] = -rm[j]! * is[j]!; }
    k.scaleShiftCols(X, is, shift, this.xhat.a, m, n, 0);
    k.scaleShiftCols(this.xhat.a, this.gamma.value.a, this.beta.value.a, this.O.a, m, n, 0);
  }

  backward(arena: Arena, ctx: Ctx): void {
    const k = arena.kernels;
    const { m } = ctx;
    const n = this.width;
    const dX = this.inputs[0]!.dO.a;
    if (this.lastMode === 'train') {
      if (!this.inputNeedsGrad[0]) {
        // Still need dγ and dβ: run the kernel into the workspace.
        k.batchNormBackward(this.dO.a, this.xhat.a, this.gamma.value.a, this.invStd.a, m, n,
          this.work.a, this.gamma.grad.a, this.beta.grad.a, 0);
        return;
      }
      k.batchNormBackward(this.dO.a, this.xhat.a, this.gamma.value.a, this.invStd.a, m, n,
        dX, this.gamma.grad.a, this.beta.grad.a, this.inputBeta[0]!);
      return;
    }
    // Inference statistics are constants: dγ = Σ dO·x̂, dβ = Σ dO, dX = dO·γ·invStd.
    k.mul(this.dO.a, this.xhat.a, this.work.a, m * n);
    k.sumRows(this.work.a, m, n, this.gamma.grad.a, 1);
    k.sumRows(this.dO.a, m, n, this.beta.grad.a, 1);
    if (!this.inputNeedsGrad[0]) return;
    const scale = this.evalScale.a;
    const g = this.gamma.value.a;
    const is = this.invStd.a;
    for (let j = 0; j < n; j++) scale[j] = g[j]! * is[j]!;
    k.scaleShiftCols(this.dO.a, scale, null, dX, m, n, this.inputBeta[0]!);
  }

  override describe(): string { return `batchNorm(${this.width})`; }
}

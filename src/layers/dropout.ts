/**
 * Inverted dropout. Training: each unit is kept with probability 1 − rate and scaled by 1/(1 − rate),
 * so the expected output equals the input and inference needs no rescaling ("testing: not applied").
 * The lecture: "dropout can be interpreted as sampling a neural network within the full neural network".
 */

import type { Arena, Slot } from '../kernels/backend.js';
import type { DropoutSpec } from '../spec.js';
import type { AnyNode } from './any-node.js';
import { Node, type Ctx } from './node.js';

/** Inverted dropout: kept units are scaled by 1/(1 − rate) in training, so inference needs no rescaling. */
export class Dropout extends Node {
  declare readonly kind: 'dropout';
  override readonly stochastic = true;
  /** The mask of the last training pass: 0 or 1/(1 − rate) per element. */
  mask!: Slot;
  private maskActive = false;

  constructor(readonly spec: DropoutSpec & { name: string }, input: AnyNode) {
    super(spec.name, 'dropout', [input], input.width);
  }

  override allocate(arena: Arena, maxBatch: number): void {
    super.allocate(arena, maxBatch);
    this.mask = arena.alloc(maxBatch * this.width);
  }

  forward(arena: Arena, ctx: Ctx): void {
    const k = arena.kernels;
    const len = ctx.m * this.width;
    const X = this.inputs[0]!.O.a;
    this.maskActive = ctx.mode === 'train' && this.spec.rate > 0;
    if (!this.maskActive) { k.copy(X, this.O.a, len); return; }
    const mask = this.mask.a;
    const keep = 1 - this.spec.rate;
    const scale = 1 / keep;
    for (let i = 0; i < len; i++) mask[i] = ctx.rng.uniform() < keep ? scale : 0;
    k.mul(X, mask, this.O.a, len);
  }

  backward(arena: Arena, ctx: Ctx): void {
    if (!this.inputNeedsGrad[0]) return;
    const k = arena.kernels;
    const len = ctx.m * this.width;
    const dX = this.inputs[0]!.dO.a;
    const beta = this.inputBeta[0]!;
    if (!this.maskActive) {
      if (beta === 0) k.copy(this.dO.a, dX, len); else k.axpy(len, 1, this.dO.a, dX);
    } else if (beta === 0) k.mul(this.dO.a, this.mask.a, dX, len);
    else k.mulAcc(this.dO.a, this.mask.a, dX, len);
  }

  override describe(): string { return `dropout(${this.spec.rate})`; }
}

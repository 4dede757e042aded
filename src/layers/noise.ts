/**
 * Gaussian noise, O = X + σ·ε with ε ~ N(0, 1), in training only: augmentation ("more used in convnets",
 * but a cheap regularizer for tabular inputs too). Inference passes X through unchanged.
 */

import type { Arena } from '../kernels/backend.js';
import type { GaussianNoiseSpec } from '../spec.js';
import type { AnyNode } from './any-node.js';
import { Node, type Ctx } from './node.js';

/** Adds N(0, stddev²) noise to its input in training; the identity in inference. */
export class GaussianNoise extends Node {
  declare readonly kind: 'gaussianNoise';
  override readonly stochastic = true;
  constructor(readonly spec: GaussianNoiseSpec & { name: string }, input: AnyNode) {
    super(spec.name, 'gaussianNoise', [input], input.width);
  }

  forward(arena: Arena, ctx: Ctx): void {
    const len = ctx.m * this.width;
    const X = this.inputs[0]!.O.a;
    const O = this.O.a;
    if (ctx.mode !== 'train' || this.spec.stddev === 0) { arena.kernels.copy(X, O, len); return; }
    const s = this.spec.stddev;
    for (let i = 0; i < len; i++) O[i] = X[i]! + s * ctx.rng.normal();
  }

  backward(arena: Arena, ctx: Ctx): void {
    if (!this.inputNeedsGrad[0]) return;
    const len = ctx.m * this.width;
    const dX = this.inputs[0]!.dO.a;
    if (this.inputBeta[0] === 0) arena.kernels.copy(this.dO.a, dX, len);
    else arena.kernels.axpy(len, 1, this.dO.a, dX);
  }

  override describe(): string { return `gaussianNoise(σ=${this.spec.stddev})`; }
}

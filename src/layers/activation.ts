/**
 * A stand-alone activation layer, O = f(I) with I the input's output. Used where something sits between
 * the linear part and the non-linearity, e.g. dense → batchNorm → activation (normalization before f).
 */

import type { Arena } from '../kernels/backend.js';
import type { ActivationLayerSpec } from '../spec.js';
import { activate, activateBackward, activationLabel, compileActivation, type CompiledActivation } from './act.js';
import { Node, type Ctx } from './node.js';

/** An activation layer O = f(I); backward δ = ∂L/∂O ⊙ f′(I). */
export class ActivationLayer extends Node {
  readonly act: CompiledActivation;
  /** Set by the model when this is the output node and the loss computes δ from I directly. */
  fusedOutput = false;

  constructor(readonly spec: ActivationLayerSpec & { name: string }, input: Node) {
    super(spec.name, 'activation', [input], input.width);
    this.act = compileActivation(spec.activation);
  }

  /** The pre-activation: the input's output. */
  get I() { return this.inputs[0]!.O; }

  forward(arena: Arena, ctx: Ctx): void {
    activate(arena.kernels, this.act, this.I.a, this.O.a, ctx.m, this.width);
  }

  backward(arena: Arena, ctx: Ctx): void {
    if (!this.inputNeedsGrad[0]) return;
    const k = arena.kernels;
    const input = this.inputs[0]!;
    const beta = this.inputBeta[0]!;
    if (this.fusedOutput) {
      // dO already holds δ = ∂L/∂I (the loss is fused with this activation).
      if (beta === 0) k.copy(this.dO.a, input.dO.a, ctx.m * this.width);
      else k.axpy(ctx.m * this.width, 1, this.dO.a, input.dO.a);
      return;
    }
    activateBackward(k, this.act, this.I.a, this.O.a, this.dO.a, input.dO.a, ctx.m, this.width, beta);
  }

  override describe(): string { return `activation(${activationLabel(this.act)})`; }
}

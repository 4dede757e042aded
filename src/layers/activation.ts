/**
 * A stand-alone activation layer, O = f(I) with I the input's output. Used where something sits between
 * the linear part and the non-linearity, e.g. dense → batchNorm → activation (normalization before f).
 */

import type { Arena } from '../kernels/backend.js';
import type { ActivationLayerSpec } from '../spec.js';
import { activate, activateBackward, activationLabel, compileActivation, type CompiledActivation } from './act.js';
import type { AnyNode } from './any-node.js';
import { Node, type ActivationSite, type Ctx } from './node.js';

/** An activation layer O = f(I); backward δ = ∂L/∂O ⊙ f′(I). */
export class ActivationLayer extends Node implements ActivationSite {
  declare readonly kind: 'activation';
  override readonly activation: ActivationSite = this;
  readonly act: CompiledActivation;

  constructor(readonly spec: ActivationLayerSpec & { name: string }, input: AnyNode) {
    super(spec.name, 'activation', [input], input.width);
    this.act = compileActivation(spec.activation);
  }

  /** The pre-activation: the input's output. */
  get I() { return this.inputs[0]!.O; }

  /**
   * δ = ∂L/∂I is the input's ∂L/∂O, where backward writes it. A loss that writes δ directly writes it
   * here; that is safe because the output node runs backward first, so nothing else has written it yet.
   */
  get delta() { return this.inputs[0]!.dO; }

  forward(arena: Arena, ctx: Ctx): void {
    activate(arena.kernels, this.act, this.I.a, this.O.a, ctx.m, this.width);
  }

  backward(arena: Arena, ctx: Ctx): void {
    if (!this.inputNeedsGrad[0]) return;
    const k = arena.kernels;
    const input = this.inputs[0]!;
    activateBackward(k, this.act, this.I.a, this.O.a, this.dO.a, input.dO.a, ctx.m, this.width, this.inputBeta[0]!);
  }

  /** δ already sits in the input's ∂L/∂O: nothing is left to do. */
  backwardFromDelta(): void { /* δ is the input's dO */ }

  override describe(): string { return `activation(${activationLabel(this.act)})`; }
}

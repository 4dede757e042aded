/**
 * Joining layers for skips: add (O = Σ_i X_i, equal widths) and concat (O = [X_1 | X_2 | …]).
 * Backward hands each input its share of dO, which the graph then sums with that input's other
 * consumers — the lecture's sum over out(j).
 */

import type { Arena } from '../kernels/backend.js';
import type { AddSpec, ConcatSpec } from '../spec.js';
import type { AnyNode } from './any-node.js';
import { Node, type Ctx } from './node.js';

/** The elementwise sum of its inputs; backward hands each input the same ∂L/∂O. */
export class Add extends Node {
  declare readonly kind: 'add';
  constructor(readonly spec: AddSpec & { name: string }, inputs: readonly AnyNode[]) {
    super(spec.name, 'add', inputs, inputs[0]!.width);
  }

  forward(arena: Arena, ctx: Ctx): void {
    const k = arena.kernels;
    const len = ctx.m * this.width;
    k.copy(this.inputs[0]!.O.a, this.O.a, len);
    for (let i = 1; i < this.inputs.length; i++) k.axpy(len, 1, this.inputs[i]!.O.a, this.O.a);
  }

  backward(arena: Arena, ctx: Ctx): void {
    const k = arena.kernels;
    const len = ctx.m * this.width;
    for (let i = 0; i < this.inputs.length; i++) {
      if (!this.inputNeedsGrad[i]) continue;
      const input = this.inputs[i]!;
      if (this.inputBeta[i] === 0) k.copy(this.dO.a, input.dO.a, len);
      else k.axpy(len, 1, this.dO.a, input.dO.a);
    }
  }

  override describe(): string { return `add(${this.inputs.map((n) => n.name).join(' + ')})`; }
}

/** Its inputs side by side; backward hands each input its columns of ∂L/∂O. */
export class Concat extends Node {
  declare readonly kind: 'concat';
  /** Column offset of each input in the output. */
  readonly offsets: readonly number[];

  constructor(readonly spec: ConcatSpec & { name: string }, inputs: readonly AnyNode[]) {
    super(spec.name, 'concat', inputs, inputs.reduce((s, n) => s + n.width, 0));
    let off = 0;
    this.offsets = inputs.map((n) => { const o = off; off += n.width; return o; });
  }

  forward(arena: Arena, ctx: Ctx): void {
    const k = arena.kernels;
    for (let i = 0; i < this.inputs.length; i++) {
      const input = this.inputs[i]!;
      k.copyBlock(ctx.m, input.width, input.O.a, input.width, 0, this.O.a, this.width, this.offsets[i]!, 0);
    }
  }

  backward(arena: Arena, ctx: Ctx): void {
    const k = arena.kernels;
    for (let i = 0; i < this.inputs.length; i++) {
      if (!this.inputNeedsGrad[i]) continue;
      const input = this.inputs[i]!;
      k.copyBlock(ctx.m, input.width, this.dO.a, this.width, this.offsets[i]!, input.dO.a, input.width, 0, this.inputBeta[i]!);
    }
  }

  override describe(): string { return `concat(${this.inputs.map((n) => n.name).join(' | ')})`; }
}

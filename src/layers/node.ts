/**
 * A node of the model graph at run time: a layer with its output O and the gradient ∂L/∂O
 * that its consumers accumulate into it (the lecture's Σ_{k∈out(j)} δ_k w_jk, equation (2)).
 *
 * Buffers are slots of the model's arena, sized for `maxBatch` rows; a call uses the first `m`.
 */

import type { Arena, Slot } from '../kernels/backend.js';
import type { Rng } from '../rng.js';
import type { InitName } from '../init.js';
import type { LayerKind } from '../spec.js';
import type { CompiledActivation } from './act.js';
import type { AnyNode } from './any-node.js';

/** 'train' (dropout, noise and batch statistics on) or 'eval' (inference). */
export type Mode = 'train' | 'eval';

/** What a forward or backward pass needs besides the buffers: the mode, the batch rows and the RNG. */
export interface Ctx {
  readonly mode: Mode;
  /** Rows in this batch (≤ the compiled maximum). */
  readonly m: number;
  /** Source of dropout masks and noise; only read in training mode. */
  readonly rng: Rng;
  /**
   * A dense layer whose product I = X·W this pass already holds (predict runs the first layer's on the
   * caller's rows in place: Kernels.gemmFinite); that layer goes on from its bias and activation.
   */
  readonly productDone?: Node | null;
  /** With productDone: its bias and activation are done too (Dense.productFromRows fused them). */
  readonly layerDone?: boolean;
}

/** A trainable tensor a node asks the model for; the model carves it from the flat parameter buffer. */
export interface ParamRequest {
  /** Short name within the layer: 'W', 'b', 'gamma', 'beta'. */
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
  /** Which initializer, and the fans it uses. */
  readonly init: InitName;
  readonly fanIn: number;
  readonly fanOut: number;
  /** Whether L1/L2 penalties apply (weights yes, biases and batch-norm scales no). */
  readonly penalized: boolean;
}

/** A parameter tensor: a view of the flat parameter buffer and the matching view of the gradient buffer. */
export interface Param {
  readonly layer: string;
  readonly name: string;
  readonly rows: number;
  readonly cols: number;
  readonly value: Slot;
  readonly grad: Slot;
  readonly penalized: boolean;
  /** Owner's parameter when this one is tied to it (same slots). */
  readonly sharedFrom?: string;
}

/** Non-trainable state (batch-norm running averages), saved with the model. */
export interface StateRequest {
  readonly name: string;
  readonly length: number;
  readonly initial: number;
}

export type NodeKind = 'input' | LayerKind;

/**
 * Where a node applies a non-linearity: f, its pre-activation I and δ = ∂L/∂I (the lecture's δ_j).
 * A loss differentiated with respect to I (`gradWrt: 'I'`) writes δ here, and the node then runs
 * `backwardFromDelta`, the part of its backward pass after δ.
 */
export interface ActivationSite {
  readonly act: CompiledActivation;
  readonly I: Slot;
  readonly delta: Slot;
  backwardFromDelta(arena: Arena, ctx: Ctx): void;
}

/** A node of the model's DAG: its output O and ∂L/∂O buffers, its inputs, and its forward and backward passes side by side. */
export abstract class Node {
  /** Output, m × width. */
  O!: Slot;
  /** ∂L/∂O, m × width, written by the consumers. */
  dO!: Slot;
  /** The first consumer to run backward overwrites dO (β = 0); the rest accumulate (β = 1). */
  readonly inputBeta: number[] = [];
  /** Whether backward must produce ∂L/∂O for input i (false for the model input unless asked). */
  readonly inputNeedsGrad: boolean[] = [];

  /** Whether training mode draws random numbers (dropout, noise): such a node makes the objective random. */
  readonly stochastic: boolean = false;
  /** The non-linearity this node applies, if any (dense layers and activation layers). */
  readonly activation: ActivationSite | null = null;

  constructor(
    readonly name: string,
    readonly kind: NodeKind,
    readonly inputs: readonly AnyNode[],
    readonly width: number,
  ) {}

  /** Trainable tensors this node owns. */
  params(): readonly ParamRequest[] { return []; }
  /** Receives the slots for the tensors requested by `params()` (or shared ones), in order. */
  bindParams(_p: readonly Param[]): void { /* no parameters */ }
  /** Non-trainable state this node keeps. */
  stateRequests(): readonly StateRequest[] { return []; }
  bindState(_s: readonly Slot[]): void { /* no state */ }

  /** Allocate O, dO and any workspace for `maxBatch` rows. */
  allocate(arena: Arena, maxBatch: number): void {
    this.O = arena.alloc(maxBatch * this.width);
    this.dO = arena.alloc(maxBatch * this.width);
  }

  abstract forward(arena: Arena, ctx: Ctx): void;
  /** Given dO, accumulate into the inputs' dO and the parameter gradients. */
  abstract backward(arena: Arena, ctx: Ctx): void;

  /** One line for `summary()`. */
  describe(): string { return `${this.kind}(${this.width})`; }
}

/** The model's input: its O is written by the model before each forward pass. */
export class InputNode extends Node {
  declare readonly kind: 'input';
  constructor(width: number) { super('input', 'input', [], width); }
  forward(): void { /* the model copies the batch into O */ }
  backward(): void { /* nothing feeds the input */ }
  override describe(): string { return `input(${this.width})`; }
}

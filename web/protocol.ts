/**
 * Messages between the page and the training worker. Everything here survives structuredClone; the
 * large arrays are typed arrays, transferred rather than copied.
 */

import type { ProblemTask } from './data.js';
import type { LayerView } from './network.js';
import type { PlaygroundState } from './state.js';

/** Cells per side of the output heatmap, and of each neuron's small heatmap. */
export const GRID = 64;
export const NEURON_GRID = 32;

export type ToWorker =
  | { readonly type: 'config'; readonly state: PlaygroundState; readonly csv: string | null; readonly rebuild: boolean }
  | { readonly type: 'play' }
  | { readonly type: 'pause' }
  | { readonly type: 'step' }
  | { readonly type: 'reset' }
  | { readonly type: 'export'; readonly format: 'json' | 'onnx'; readonly meta: string }
  | { readonly type: 'predict'; readonly id: number; readonly x: readonly (readonly number[])[] };

export interface ProblemInfo {
  readonly type: 'problem';
  readonly task: ProblemTask;
  readonly classes: readonly string[];
  /** Every column of the data, the target's name, the columns left out, and the network's inputs. */
  readonly columns: readonly string[];
  readonly targetName: string;
  readonly dropped: readonly string[];
  /** A CSV's header and its target column's index (empty and −1 for a generated set). */
  readonly header: readonly string[];
  readonly targetIndex: number;
  readonly inputNames: readonly string[];
  /** The view's two columns for every row (n × 2) and the label / value of every row. */
  readonly points: Float32Array;
  readonly labels: Float32Array;
  readonly train: Int32Array;
  readonly test: Int32Array;
  readonly viewX: number;
  readonly viewY: number;
  readonly layers: readonly LayerView[];
  readonly parameterCount: number;
  readonly summary: string;
  readonly backend: string;
}

/** Values of one layer's neurons for one row of the batch, in the lecture's notation. */
export interface StepLayer {
  readonly I: readonly number[];
  readonly O: readonly number[];
  /** δ_j = ∂L/∂I_j; present once the backward pass has run. */
  readonly delta: readonly number[] | null;
  /** ∂L/∂w_kj (rows × units, row-major) and ∂L/∂w_0j, summed over the batch (equation (3)); after the backward pass. */
  readonly dW: readonly number[] | null;
  readonly db: readonly number[] | null;
}

export type StepPhase = 'forward' | 'backward' | 'update';

export interface StepInfo {
  /** The phase that just ran. */
  readonly phase: StepPhase;
  readonly batchSize: number;
  /** Network inputs of the row shown, and its target. */
  readonly input: readonly number[];
  readonly target: readonly number[];
  readonly layers: readonly StepLayer[];
  /** Loss of the batch (forward onwards). */
  readonly loss: number;
}

export interface Frame {
  readonly type: 'frame';
  readonly playing: boolean;
  readonly steps: number;
  readonly epoch: number;
  readonly trainLoss: number;
  readonly testLoss: number;
  /** GRID × GRID outputs (× classes for a multiclass model), row 0 at the top (largest x₂). */
  readonly grid: Float32Array | null;
  /** Per layer: NEURON_GRID² × units (unit-major), the block output of every neuron over the view. */
  readonly neurons: readonly Float32Array[] | null;
  /** Per layer: W (rows × units, row-major) and b. */
  readonly weights: readonly { readonly W: Float32Array; readonly b: Float32Array | null }[] | null;
  readonly gradNorms: readonly { readonly layer: string; readonly norm: number }[];
  /** Loss history points since the last frame: [epoch, train, test] triples. */
  readonly history: Float64Array;
  readonly step: StepInfo | null;
  /** Which phase the next press of "step" runs. */
  readonly nextPhase: StepPhase;
}

export type FromWorker =
  | ProblemInfo
  | Frame
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'export'; readonly format: 'json'; readonly text: string; readonly rawColumns: boolean }
  | { readonly type: 'export'; readonly format: 'onnx'; readonly bytes: Uint8Array; readonly rawColumns: boolean }
  | { readonly type: 'predictions'; readonly id: number; readonly values: readonly number[] };

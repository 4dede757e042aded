/**
 * The training step — the five calls a user could write by hand, in three phases:
 *
 *   forwardLoss   gather the batch's rows, forward in training mode, the loss (+ penalties)
 *   backwardPass  zeroGrad, backward (∂L/∂θ into the model's flat gradient buffer)
 *   update        the optimizer's step on the flat buffers, then the constraints
 *
 * `trainStep` runs the three with the checks that make divergence visible: a non-finite loss or
 * gradient skips the update, an update that makes a weight non-finite is reported (the caller puts
 * its copy of the weights back). fit, the playground's worker and the learning-rate range test all
 * train through it; the worker also runs the phases one at a time to show them.
 */

import type { Vec } from '../kernels/backend.js';
import { allFinite } from '../kernels/finite.js';
import type { Model } from '../graph/model.js';
import type { Rng } from '../rng.js';
import type { Optimizer } from '../optim/optimizer.js';

/** The rows order[start .. start + rows) of row-major tables x (inputs) and y (targets). */
export interface Batch {
  /** N × model.inputSize, row-major. */
  readonly x: Vec;
  /** N × model.outputSize, row-major. */
  readonly y: Vec;
  readonly order: Int32Array;
  readonly start: number;
  readonly rows: number;
  /** One weight per row of the tables (not of the batch), if the loss is weighted. */
  readonly weights?: Vec | undefined;
}

/** What a step may be given besides the model, the optimizer and the batch: the generator for dropout and noise, and where to add the gradients' squared norms. */
export interface StepOptions {
  /** The generator behind dropout and noise layers (default: the model's own). */
  readonly rng?: Rng;
  /** One entry per `model.params` tensor: receives Σ g² of its gradient (for per-layer norms). */
  readonly gradSquares?: Float64Array;
  /**
   * Receives the weights as they were before the step's update (the optimizer writes it in its own pass
   * where it can): what a caller puts back when the update makes a weight non-finite.
   */
  readonly keep?: Vec;
}

/** What a step did: ok, or the first thing that was not finite (no update is made for loss/gradient). */
export type StepResult =
  | { readonly ok: true; readonly loss: number }
  | { readonly ok: false; readonly loss: number; readonly problem: 'loss' | 'gradient' | 'weights'; readonly layer: string | null };

/** Gather the batch into the model's input and target buffers, forward in training mode, the loss. */
export function forwardLoss(model: Model, batch: Batch, rng?: Rng): number {
  const { order, start, rows } = batch;
  model.gatherInputRows(batch.x, order, start, rows);
  model.gatherTargetRows(batch.y, order, start, rows, batch.weights);
  model.forwardRows(rows, rng === undefined ? { mode: 'train' } : { mode: 'train', rng });
  return model.lossOnTargets(rows, batch.weights !== undefined);
}

/** zeroGrad, then backpropagate the last loss. */
export function backwardPass(model: Model): void {
  model.zeroGrad();
  model.backward();
}

/**
 * The optimizer's step on the model's flat buffers (the weights before it into `keep`, if given), then the
 * projection onto the constraints. Returns whether every weight the step wrote is finite.
 */
export function update(model: Model, optimizer: Optimizer, keep: Vec | null = null): boolean {
  // Fresh views: an arena that grows (a larger batch elsewhere) moves its memory.
  const finite = optimizer.step(model.paramBuffer.a, model.gradBuffer.a, model.arena.kernels, keep);
  model.applyConstraints();
  return finite;
}

/** One training step on `batch`: forward, loss, zeroGrad, backward, update, constraints. */
export function trainStep(model: Model, optimizer: Optimizer, batch: Batch, options: StepOptions = {}): StepResult {
  const loss = forwardLoss(model, batch, options.rng);
  backwardPass(model);
  const gradientsFinite = sumSquares(model, options.gradSquares);
  const keep = options.keep ?? null;
  if (!Number.isFinite(loss) || !gradientsFinite) {
    keep?.set(model.paramBuffer.a);
    return { ok: false, loss, problem: Number.isFinite(loss) ? 'gradient' : 'loss', layer: firstNonFiniteLayer(model, 'grad') };
  }
  // The step says whether the weights stayed finite (Adam: its largest |w|, from the update's own pass).
  if (!update(model, optimizer, keep)) return { ok: false, loss, problem: 'weights', layer: firstNonFiniteLayer(model, 'value') };
  return { ok: true, loss };
}

/** Σ g² per parameter tensor into `out` (if given); whether every gradient is finite. */
function sumSquares(model: Model, out: Float64Array | undefined): boolean {
  // The kernels' Σ g² accumulates in float64, where no float32 square overflows: finite exactly when every g is.
  const k = model.arena.kernels;
  if (out === undefined) { const g = model.gradBuffer.a; return Number.isFinite(k.sumSq(g, g.length)); }
  const ps = model.params;
  let total = 0;
  for (let i = 0; i < ps.length; i++) {
    const g = ps[i]!.grad.a;
    const s = k.sumSq(g, g.length);
    out[i] = s;
    total += s;
  }
  return Number.isFinite(total);
}

/** The first parameter-owning layer whose gradient (or value) holds a NaN or an infinity. */
export function firstNonFiniteLayer(model: Model, of: 'grad' | 'value'): string | null {
  for (const p of model.params) if (!allFinite(p[of].a)) return p.layer;
  return null;
}

/**
 * The epoch monitor: what fit decides after each epoch from its losses.
 *
 *   best epoch        the lowest validation loss (training loss without validation)
 *   early stopping    `patience` epochs without an improvement of more than minDelta; the best
 *                     epoch's weights and batch-norm state are kept and put back at the end
 *   stall             the training loss not improved by `tolerance` for `nIterNoChange` epochs
 *   plateau           the monitored loss is passed on to the optimizer's schedule
 *   divergence        the training loss above DIVERGENCE.factor × its best (the loss at the first
 *                     batch counts as a candidate best) and above that first loss, for
 *                     DIVERGENCE.epochs epochs in a row — what adaptive optimizers do at too large a
 *                     rate, where the values stay finite. Non-finite values are caught per step.
 */

import type { Model } from '../graph/model.js';
import type { EarlyStoppingOptions, MonitorJSON, StopReason } from './types.js';

/** Divergence: a training loss more than `factor` × its best for `epochs` consecutive epochs. */
export const DIVERGENCE = { factor: 1e3, epochs: 3 } as const;

export interface MonitorOptions {
  readonly earlyStopping?: EarlyStoppingOptions | undefined;
  readonly tolerance?: number | undefined;
  readonly nIterNoChange?: number | undefined;
}

/** The monitor's decision after an epoch. */
export type Verdict =
  | { readonly kind: 'continue' }
  | { readonly kind: 'stop'; readonly reason: StopReason }
  | { readonly kind: 'diverged'; readonly loss: number; readonly best: number; readonly bestEpoch: number };

const orNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

export class EpochMonitor {
  bestEpoch = 0;
  private bestLoss = Infinity;
  private wait = 0;
  private haveBest = false;
  private readonly bestWeights: Float32Array | Float64Array;
  private readonly bestState: Float32Array | Float64Array;
  private trainBest = Infinity;
  private trainWait = 0;
  private initialLoss = NaN;
  private lowestTrain = Infinity;
  private lowestTrainEpoch = 0;
  private grown = 0;

  constructor(private readonly model: Model, private readonly o: MonitorOptions) {
    this.bestWeights = model.getWeights();
    this.bestState = model.getState();
  }

  /** The loss of the very first batch (the untrained model's), the reference for divergence. */
  noteInitialLoss(loss: number): void {
    if (Number.isNaN(this.initialLoss) && Number.isFinite(loss)) this.initialLoss = loss;
  }

  /** Judge an epoch: divergence first, then early stopping and the stall test. */
  epochEnd(epoch: number, trainLoss: number, valLoss: number | undefined): Verdict {
    const growth = this.watchGrowth(epoch, trainLoss);
    if (growth !== null) return growth;
    let stop: StopReason | null = null;
    const es = this.o.earlyStopping;
    const monitored = valLoss ?? trainLoss;
    if (monitored < this.bestLoss - (es?.minDelta ?? 0)) {
      this.bestLoss = monitored; this.wait = 0; this.bestEpoch = epoch;
      if (es !== undefined) { this.bestWeights.set(this.model.paramBuffer.a); this.bestState.set(this.model.stateBuffer.a); this.haveBest = true; }
    } else {
      this.wait++;
      if (es !== undefined && this.wait >= es.patience) stop = 'earlyStopping';
    }
    const n = this.o.nIterNoChange;
    if (n !== undefined) {
      if (trainLoss < this.trainBest - (this.o.tolerance ?? 1e-4)) this.trainWait = 0; else this.trainWait++;
      this.trainBest = Math.min(this.trainBest, trainLoss);
      if (this.trainWait >= n && stop === null) stop = 'noImprovement';
    }
    return stop === null ? { kind: 'continue' } : { kind: 'stop', reason: stop };
  }

  private watchGrowth(epoch: number, trainLoss: number): Verdict | null {
    const best = Math.min(this.lowestTrain, Number.isNaN(this.initialLoss) ? Infinity : this.initialLoss);
    const grownNow = trainLoss > DIVERGENCE.factor * best && !(trainLoss <= this.initialLoss);
    this.grown = grownNow ? this.grown + 1 : 0;
    if (trainLoss < this.lowestTrain) { this.lowestTrain = trainLoss; this.lowestTrainEpoch = epoch; }
    if (this.grown < DIVERGENCE.epochs) return null;
    return { kind: 'diverged', loss: trainLoss, best, bestEpoch: best === this.initialLoss ? 0 : this.lowestTrainEpoch };
  }

  /** At the end of training: put back the best epoch's weights if early stopping asks for it. */
  restoreBest(): void {
    if (this.o.earlyStopping !== undefined && (this.o.earlyStopping.restoreBest ?? true) && this.haveBest) {
      this.model.paramBuffer.a.set(this.bestWeights);
      this.model.setState(this.bestState);
    }
  }

  toJSON(): MonitorJSON {
    return {
      bestLoss: orNull(this.bestLoss), bestEpoch: this.bestEpoch, wait: this.wait,
      bestWeights: this.haveBest ? Array.from(this.bestWeights) : null, bestState: this.haveBest ? Array.from(this.bestState) : null,
      trainBest: orNull(this.trainBest), trainWait: this.trainWait,
      initialLoss: orNull(this.initialLoss), lowestTrain: orNull(this.lowestTrain), lowestTrainEpoch: this.lowestTrainEpoch, grown: this.grown,
    };
  }

  fromJSON(t: MonitorJSON): void {
    this.bestLoss = t.bestLoss ?? Infinity; this.bestEpoch = t.bestEpoch; this.wait = t.wait;
    this.trainBest = t.trainBest ?? Infinity; this.trainWait = t.trainWait;
    this.initialLoss = t.initialLoss ?? NaN; this.lowestTrain = t.lowestTrain ?? Infinity;
    this.lowestTrainEpoch = t.lowestTrainEpoch; this.grown = t.grown;
    if (t.bestWeights !== null && t.bestState !== null) {
      this.bestWeights.set(t.bestWeights); this.bestState.set(t.bestState); this.haveBest = true;
    }
  }
}

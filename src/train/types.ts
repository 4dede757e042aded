/**
 * The training loop's vocabulary: options, the per-epoch record, the history, checkpoints and the
 * divergence error. Everything here is plain data (JSON-safe) except the callbacks and the signal.
 */

import type { Matrix } from '../matrix.js';
import type { MatrixInput } from '../data/matrix-input.js';
import type { OptimizerSpec, OptimizerStateJSON } from '../optim/rules.js';
import type { LbfgsStateJSON } from '../optim/lbfgs.js';
import type { ScheduleSpec } from '../optim/schedules.js';
import type { RngState } from '../rng.js';

/** Training data: x (N × inputs), y (N × outputs; a flat vector is one column), optional sample weights. */
export interface FitData {
  readonly x: MatrixInput;
  readonly y: MatrixInput | ArrayLike<number>;
  readonly sampleWeights?: ArrayLike<number>;
}

/** A metric over a whole set: true targets and predictions, both N × outputs. */
export type Metric = (yTrue: Matrix, yPred: Matrix) => number;

/** Why fit stopped. */
export type StopReason = 'maxEpochs' | 'earlyStopping' | 'noImprovement' | 'converged' | 'timeLimit' | 'aborted' | 'callback';

/** When early stopping gives up, and whether the best weights are restored. */
export interface EarlyStoppingOptions {
  /** Epochs without a validation-loss improvement of more than minDelta before stopping. */
  readonly patience: number;
  /** Default 0. */
  readonly minDelta?: number;
  /** Put back the weights (and batch-norm state) of the best epoch when training ends (default true). */
  readonly restoreBest?: boolean;
}

/** What onBatchEnd is told after each mini-batch. */
export interface BatchInfo {
  readonly epoch: number;
  readonly batch: number;
  readonly rows: number;
  readonly loss: number;
}

/** How fit trains: epochs, batch size, the optimizer and schedule, validation and early stopping, stops, checkpoints and callbacks. */
export interface FitOptions {
  readonly epochs: number;
  /** Rows per mini-batch: N is the lecture's full gradient descent, 1 per-sample SGD. Default min(32, N). */
  readonly batchSize?: number;
  readonly optimizer: OptimizerSpec;
  readonly schedule?: ScheduleSpec;
  /** Reshuffle the rows every epoch from the seeded generator (default true). */
  readonly shuffle?: boolean;
  /** Seed of the generator behind shuffling, dropout and the validation split. Default 0. */
  readonly seed?: number;
  /** Explicit validation data, or a fraction of the training rows held out (stratified for classifiers). */
  readonly validation?: FitData | { readonly fraction: number };
  readonly earlyStopping?: EarlyStoppingOptions;
  /** Stop when the training loss has not improved by more than `tolerance` for `nIterNoChange` epochs. */
  readonly tolerance?: number;
  readonly nIterNoChange?: number;
  readonly timeLimitSeconds?: number;
  readonly signal?: AbortSignal;
  /** Called after each epoch; returning 'stop' ends training. */
  readonly onEpochEnd?: (record: EpochRecord) => void | 'stop' | Promise<void | 'stop'>;
  /** Called after each step; returning 'stop' ends training at that batch. */
  readonly onBatchEnd?: (info: BatchInfo) => void | 'stop';
  readonly checkpoint?: { readonly every: number; readonly write: (cp: Checkpoint) => void | Promise<void> };
  readonly resumeFrom?: Checkpoint;
  /**
   * Weight of each class (index = column of a one-hot y, or the 0/1 value of a single output), multiplied
   * into the sample weights; 'balanced' is N / (C · count_c) as scikit-learn.
   */
  readonly classWeights?: readonly number[] | 'balanced';
  /** Metrics computed on the training and validation sets at each epoch end. */
  readonly metrics?: Readonly<Record<string, Metric>>;
}

/** One epoch of training: losses and metrics on the training and validation rows, the learning rate, and per layer the gradient norm and mean |f′(I)|. */
export interface EpochRecord {
  /** 1-based. */
  readonly epoch: number;
  /** Mean over the epoch's batches of the objective (data loss + penalties), in training mode. */
  readonly trainLoss: number;
  /** Data loss on the validation set, in evaluation mode. */
  readonly valLoss?: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly valMetrics?: Readonly<Record<string, number>>;
  /** η of the epoch; null for L-BFGS (its line search picks the step). */
  readonly learningRate: number | null;
  readonly seconds: number;
  /** Per parameter-owning layer: the L2 norm of its gradient, averaged over the epoch's batches. */
  readonly gradNorms: Readonly<Record<string, number>>;
  /** Per layer with a non-linearity: mean |f′(I)| over the epoch's last batch. */
  readonly meanAbsDerivative: Readonly<Record<string, number>>;
}

/** What fit returns: an EpochRecord per epoch, why training stopped, and the best epoch. */
export interface History {
  readonly epochs: EpochRecord[];
  stopReason: StopReason;
  /** The epoch with the lowest validation loss (or training loss without validation); 0 if none ran. */
  bestEpoch: number;
}

/** Everything needed to continue a run exactly where it stopped (JSON-safe). */
export interface Checkpoint {
  readonly format: 'mlpkit-checkpoint';
  readonly version: 1;
  /** Epochs completed. */
  readonly epoch: number;
  readonly step: number;
  readonly samplesSeen: number;
  readonly weights: number[];
  readonly state: number[];
  readonly rng: RngState;
  readonly optimizer: OptimizerStateJSON | LbfgsStateJSON;
  readonly schedule: { readonly lr: number; readonly best: number | null; readonly wait: number };
  readonly history: History;
  readonly tracking: {
    readonly bestLoss: number | null; readonly bestWeights: number[] | null; readonly bestState: number[] | null;
    readonly wait: number; readonly trainBest: number | null; readonly trainWait: number;
  };
}

/** Training produced a NaN or an infinity; the model was left at its last finite weights. */
export class TrainingDivergedError extends Error {
  readonly epoch: number;
  readonly batch: number;
  readonly layer: string | null;
  constructor(message: string, epoch: number, batch: number, layer: string | null) {
    super(message);
    this.name = 'TrainingDivergedError';
    this.epoch = epoch;
    this.batch = batch;
    this.layer = layer;
  }
}

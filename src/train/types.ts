/**
 * The training loop's vocabulary: options, the per-epoch record, the history, checkpoints and the
 * divergence error. Everything here is plain data (JSON-safe) except the callbacks and the signal.
 */

import type { Matrix } from '../matrix.js';
import type { Label, MatrixInput } from '../data/matrix-input.js';
import type { OptimizerJSON, OptimizerOption } from '../optim/optimizer.js';
import type { LbfgsStateJSON } from '../optim/lbfgs.js';
import type { ScheduleSpec } from '../optim/schedules.js';
import type { Rng, RngState } from '../rng.js';

/**
 * Training data: x (N × inputs), y, optional sample weights. y is, for a regression model, N × outputs
 * (a flat vector is one column); for a classifier (binary or categorical cross-entropy), either class
 * labels — a flat vector of numbers or strings in any order, 2 distinct labels for one sigmoid output,
 * C for C softmax outputs, classes sorted as numbers ascending / strings by code unit — or one-hot
 * rows (0–1 values for a single output).
 */
export interface FitData {
  readonly x: MatrixInput;
  readonly y: MatrixInput | ArrayLike<number> | ArrayLike<Label>;
  readonly sampleWeights?: ArrayLike<number>;
}

/**
 * Training rows too many to hold: each epoch they come as batches from a source (a table streamed from
 * an on-disk cache through a shuffle buffer). A batch's buffers belong to the stream and hold until the
 * next batch is asked for.
 */
export interface BatchStream {
  /** Training rows per epoch. */
  readonly rows: number;
  /** The epoch's batches of `batchSize` rows (the last may hold fewer), shuffled with `rng` when `shuffle`. */
  epoch(rng: Rng, shuffle: boolean, batchSize: number): Iterable<StreamBatch>;
}

/**
 * One batch of a stream: `rows` rows of inputs and targets, row-major (and their weights, if any) — the
 * tables' first rows, or with `order`, the rows order[start .. start + rows) of them.
 */
export interface StreamBatch {
  readonly rows: number;
  readonly x: Float32Array | Float64Array;
  readonly y: Float32Array | Float64Array;
  readonly weights?: Float64Array;
  readonly order?: Int32Array;
  readonly start?: number;
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
  /**
   * A name ('adam', 'sgd', …) or a spec ({ kind: 'sgd', momentum: 0.9 }); learningRate defaults to
   * DEFAULT_LEARNING_RATES[kind]. Default 'adam'.
   */
  readonly optimizer?: OptimizerOption;
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
  /**
   * Continue from a checkpoint. It must have been made with the same model, data and options (all but
   * epochs and the run-time ones: callbacks, signal, time limit, metrics); a mismatch is refused with
   * a message naming what differs. A checkpoint of a run that had ended (early stopping, no
   * improvement, convergence, or all its epochs when `epochs` is not larger) returns at once with the
   * weights that run ended with.
   */
  readonly resumeFrom?: Checkpoint;
  /** Resume although the data or options differ from the checkpoint's (the model must still match). */
  readonly resumeForce?: boolean;
  /**
   * Weight of each class (index = position in the sorted classes, i.e. the column of a one-hot y), multiplied
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
  /**
   * A classifier's classes in output order (labels as given, sorted; [0, 1] for a 0–1 column, 0..C−1
   * for one-hot rows): decode outputs with it and save it beside the model. Absent for regression.
   */
  classes?: Label[];
  /** Set when the run continued from a checkpoint: its epoch, and what differed (with resumeForce). */
  resumed?: { readonly epoch: number; readonly differences: readonly string[] };
}

/** What a checkpoint was made with, so that a resume can refuse a run it does not belong to. */
export interface RunFingerprint {
  /** Parameter and state counts and a hash of the resolved spec. */
  readonly model: { readonly parameters: number; readonly state: number; readonly spec: string };
  /** Shape and a hash of the training data (x, y as encoded, sample weights) and of explicit validation data. */
  readonly data: { readonly rows: number; readonly inputs: number; readonly outputs: number; readonly hash: string };
  readonly validationData: { readonly rows: number; readonly hash: string } | null;
  /** The options that shape the run, resolved (defaults filled in), as JSON text per option. */
  readonly options: Readonly<Record<string, string>>;
}

/** Everything needed to continue a run exactly where it stopped (JSON-safe). */
export interface Checkpoint {
  readonly format: 'mlpkit-checkpoint';
  readonly version: 2;
  readonly fingerprint: RunFingerprint;
  /** Why the run ended at this epoch, if it did (a resume then returns at once). */
  readonly stopReason: StopReason | null;
  /** Epochs completed. */
  readonly epoch: number;
  readonly step: number;
  readonly samplesSeen: number;
  readonly weights: number[];
  readonly state: number[];
  readonly rng: RngState;
  readonly optimizer: { readonly kind: 'step'; readonly state: OptimizerJSON } | { readonly kind: 'lbfgs'; readonly state: LbfgsStateJSON };
  readonly history: History;
  readonly tracking: MonitorJSON;
}

/** The epoch monitor's state (best epoch, patience counters, divergence watch), JSON-safe. */
export interface MonitorJSON {
  readonly bestLoss: number | null; readonly bestEpoch: number; readonly wait: number;
  readonly bestWeights: number[] | null; readonly bestState: number[] | null;
  readonly trainBest: number | null; readonly trainWait: number;
  readonly initialLoss: number | null; readonly lowestTrain: number | null; readonly lowestTrainEpoch: number; readonly grown: number;
}

/**
 * Training diverged: a NaN or an infinity (the model is left at its last finite weights), or a
 * training loss grown by orders of magnitude from its best for several epochs (batch is then 0).
 */
export class TrainingDivergedError extends Error {
  readonly epoch: number;
  /** The batch (from 1) where a value became non-finite; 0 when the growth of the epoch loss was detected. */
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

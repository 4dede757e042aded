/**
 * The task table: for each kind of problem, the output layer's activation, the loss, how the network's
 * outputs decode to labels or values, and the metrics every front door reports. The command, the
 * estimators, the playground, the report and the ONNX export all read this one table.
 *
 *   regression   identity outputs, MSE; one output per target column (several = multi-output regression)
 *   binary       one sigmoid output p(class 1), binary cross-entropy; label = p ≥ 0.5
 *   multiclass   softmax over C outputs, categorical cross-entropy; label = argmax
 */

import type { ActivationSpec } from '../spec.js';
import type { LossName } from '../losses.js';
import type { Task } from '../graph/builders.js';

export type { Task };
/** Every task. */
export const TASK_NAMES: readonly Task[] = ['regression', 'binary', 'multiclass'];

/** Rows of outputs, flat row-major. */
export interface Outputs { readonly rows: number; readonly cols: number; readonly data: ArrayLike<number> }

/** One task's entry: its output activation, loss, output width, and how it is scored. */
export interface TaskInfo {
  readonly outputActivation: ActivationSpec;
  readonly loss: LossName;
  /** Width of the output layer for `k` classes (classifiers) or `k` target columns (regression). */
  readonly outputWidth: (k: number) => number;
  /** Whether outputs are class scores (then `decodeLabels` applies). */
  readonly classifier: boolean;
  /** The metric a model is scored by (higher is better) and the ones reported beside it. */
  readonly score: 'accuracy' | 'r2';
  readonly metricNames: readonly string[];
}

/** The task table every door, the report and the ONNX export read. */
export const TASKS: Readonly<Record<Task, TaskInfo>> = {
  regression: {
    outputActivation: 'identity', loss: 'mse', outputWidth: (k) => k, classifier: false,
    score: 'r2', metricNames: ['r2', 'rmse', 'mae'],
  },
  binary: {
    outputActivation: 'sigmoid', loss: 'binaryCrossEntropy', outputWidth: () => 1, classifier: true,
    score: 'accuracy', metricNames: ['accuracy', 'balancedAccuracy'],
  },
  multiclass: {
    outputActivation: 'softmax', loss: 'categoricalCrossEntropy', outputWidth: (k) => k, classifier: true,
    score: 'accuracy', metricNames: ['accuracy', 'balancedAccuracy'],
  },
};

/** The task of a classifier with `k` classes. */
export function classifierTask(k: number): 'binary' | 'multiclass' {
  return k === 2 ? 'binary' : 'multiclass';
}

/** Index of the largest of `n` values starting at `offset` (the first one on ties). */
export function argmax(a: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  let v = a[offset]!;
  for (let j = 1; j < n; j++) {
    const x = a[offset + j]!;
    if (x > v) { v = x; best = j; }
  }
  return best;
}

/**
 * The class index of each row of classifier outputs (or of one-hot / 0–1 targets): argmax of several
 * columns, or a single column thresholded at 0.5.
 */
export function decodeLabels(o: Outputs): Int32Array {
  const out = new Int32Array(o.rows);
  for (let r = 0; r < o.rows; r++) out[r] = o.cols === 1 ? (o.data[r]! >= 0.5 ? 1 : 0) : argmax(o.data, r * o.cols, o.cols);
  return out;
}

/** Class probabilities, rows × k: a single sigmoid column p becomes [1 − p, p]. */
export function classProbabilities(o: Outputs): Float64Array {
  if (o.cols !== 1) return Float64Array.from(o.data as ArrayLike<number>);
  const out = new Float64Array(o.rows * 2);
  for (let r = 0; r < o.rows; r++) { const p = o.data[r]!; out[2 * r] = 1 - p; out[2 * r + 1] = p; }
  return out;
}

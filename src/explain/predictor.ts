/**
 * What the explanation tools need from a model: a prediction function over a table, and a score of
 * predictions against targets (higher is better). A `Model` is adapted directly; any other predictor
 * (an estimator with its scaler, an ensemble) is passed as a function.
 */

import type { Model } from '../graph/model.js';
import { toNumericMatrix, type MatrixInput, type NumericMatrix } from '../data/matrix-input.js';
import { decodeLabels } from '../workflow/tasks.js';

/** Rows in, network outputs out (rows × outputs). */
export type PredictFn = (x: NumericMatrix) => NumericMatrix;

/** A score of predictions against targets, both rows × outputs; higher is better. */
export type Scorer = (yTrue: NumericMatrix, yPred: NumericMatrix) => number;

/** The score an interpretation ranks by. */
export type ScoreName = 'accuracy' | 'r2' | 'negMse';

export function asPredictFn(p: Model | PredictFn): PredictFn {
  return typeof p === 'function' ? p : (x) => p.predict(x);
}

/** The class of each row: the argmax of several columns, or a single column thresholded at 0.5. */
export function rowArgmax(m: NumericMatrix): Int32Array {
  return decodeLabels(m);
}

/** Fraction of rows whose predicted class (argmax, or ≥ 0.5 for one column) matches the target's. */
export const accuracyScore: Scorer = (yTrue, yPred) => {
  const a = rowArgmax(yTrue);
  const b = rowArgmax(yPred);
  let hits = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) hits++;
  return hits / a.length;
};

/** −MSE over every row and output. */
export const negMseScore: Scorer = (yTrue, yPred) => {
  let s = 0;
  for (let i = 0; i < yTrue.data.length; i++) { const d = yTrue.data[i]! - yPred.data[i]!; s += d * d; }
  return -s / yTrue.data.length;
};

/** R² = 1 − Σ(y − ŷ)²/Σ(y − ȳ)², per output, averaged. */
export const r2Score: Scorer = (yTrue, yPred) => {
  const { rows: n, cols } = yTrue;
  let total = 0;
  for (let j = 0; j < cols; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += yTrue.data[i * cols + j]!;
    mean /= n;
    let res = 0;
    let tot = 0;
    for (let i = 0; i < n; i++) {
      const y = yTrue.data[i * cols + j]!;
      res += (y - yPred.data[i * cols + j]!) ** 2;
      tot += (y - mean) ** 2;
    }
    total += tot === 0 ? (res === 0 ? 1 : 0) : 1 - res / tot;
  }
  return total / cols;
};

export const SCORERS: Readonly<Record<ScoreName, Scorer>> = { accuracy: accuracyScore, r2: r2Score, negMse: negMseScore };

/** The scorer asked for, or the natural one for a model: accuracy for a classification loss, else R². */
export function resolveScorer(score: Scorer | ScoreName | undefined, p: Model | PredictFn, where: string): { fn: Scorer; name: string } {
  if (typeof score === 'function') return { fn: score, name: score.name === '' ? 'score' : score.name };
  if (score !== undefined) {
    const fn = SCORERS[score];
    if (fn === undefined) throw new Error(`${where}: unknown score '${String(score)}'; expected one of ${Object.keys(SCORERS).join(', ')} or a function`);
    return { fn, name: score };
  }
  if (typeof p === 'function') throw new Error(`${where}: a prediction function needs an explicit score ('accuracy', 'r2', 'negMse' or a function)`);
  const cls = p.lossFn.name === 'binaryCrossEntropy' || p.lossFn.name === 'categoricalCrossEntropy';
  return cls ? { fn: accuracyScore, name: 'accuracy' } : { fn: r2Score, name: 'r2' };
}

export function tableOf(x: MatrixInput, what: string, cols?: number): NumericMatrix {
  return toNumericMatrix(x, { what, dtype: 'float64', ...(cols === undefined ? {} : { cols }) });
}

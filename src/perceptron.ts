/**
 * Rosenblatt's perceptron rule: the lecture's first model, a single layer of step neurons
 * O = step(b + w·x), trained without gradients (step′ = 0 almost everywhere).
 *
 * For each sample with target t ∈ {0, 1} and output O:  w ← w + η (t − O) x,  b ← b + η (t − O).
 * A neuron selects the half-space b + w·x ≥ 0. If the classes are linearly separable the rule stops
 * after finitely many mistakes (Novikoff's bound (R/γ)²); if they are not, it cycles forever, so it
 * runs for a budget of epochs and then reports that no separating hyperplane was found within it.
 *
 * Binary labels use one neuron (the second class in sorted order is 1); C > 2 classes use C neurons,
 * each separating its class from the rest, and predict the class with the largest b + w·x.
 */

import { toNumericMatrix, checkLabels, sortedUniqueLabels, type Label, type MatrixInput } from './data/matrix-input.js';
import { Model } from './graph/model.js';
import { Rng } from './rng.js';
import type { ModelSpec } from './spec.js';

/** Rosenblatt's rule: passes, learning rate, shuffling and seed. */
export interface PerceptronOptions {
  /** Passes over the data before giving up (default 1000). */
  readonly maxEpochs?: number;
  /** η (default 1; for the rule started from zero weights the value only rescales w and b). */
  readonly learningRate?: number;
  /** Visit the rows in a fresh seeded order each epoch (default true). */
  readonly shuffle?: boolean;
  readonly seed?: number;
}

/** The perceptron rule's weights and biases per class, the epochs used, and whether they separate the data. */
export interface PerceptronResult {
  /** Per neuron: its input weights w (one per feature). */
  readonly weights: number[][];
  /** Per neuron: its bias b. */
  readonly bias: number[];
  /** The class labels, sorted; neuron k fires for classes[k] (binary: one neuron, for classes[1]). */
  readonly classes: Label[];
  /** Epochs run. */
  readonly epochs: number;
  /** True when an epoch passed with no mistake: every training row is classified correctly. */
  readonly converged: boolean;
  /** Mistakes (weight updates) in each epoch. */
  readonly mistakesPerEpoch: number[];
  /** Training rows misclassified by the final weights. */
  readonly trainingErrors: number;
  /** One sentence: separated exactly after n epochs, or not linearly separable within the budget. */
  readonly message: string;
}

/** Train a single layer of step neurons with the perceptron rule. */
export function trainPerceptron(x: MatrixInput, y: ArrayLike<Label>, options: PerceptronOptions = {}): PerceptronResult {
  const X = toNumericMatrix(x, { what: 'perceptron: x', dtype: 'float64' });
  checkLabels(y, { what: 'perceptron: y', rows: X.rows });
  const maxEpochs = options.maxEpochs ?? 1000;
  const eta = options.learningRate ?? 1;
  if (!Number.isInteger(maxEpochs) || maxEpochs < 1) throw new Error(`perceptron: maxEpochs must be an integer ≥ 1, got ${maxEpochs}`);
  if (!(Number.isFinite(eta) && eta > 0)) throw new Error(`perceptron: learningRate must be a finite number > 0, got ${eta}`);
  const classes = sortedUniqueLabels(y);
  if (classes.length < 2) throw new Error(`perceptron: y has ${classes.length} class; at least two are needed`);
  const n = X.rows;
  const d = X.cols;
  const units = classes.length === 2 ? 1 : classes.length;
  const index = new Map(classes.map((c, k) => [c, k]));
  // Target of neuron k for row i: 1 when the row belongs to the neuron's class.
  const target = (i: number, k: number): number => {
    const c = index.get(y[i]!)!;
    return units === 1 ? c : c === k ? 1 : 0;
  };
  const W = Array.from({ length: units }, () => new Float64Array(d));
  const b = new Float64Array(units);
  const rng = new Rng(options.seed ?? 0);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const mistakesPerEpoch: number[] = [];
  let converged = false;
  let epochs = 0;
  while (epochs < maxEpochs && !converged) {
    epochs++;
    if (options.shuffle ?? true) rng.permutation(n, order);
    let mistakes = 0;
    for (let s = 0; s < n; s++) {
      const i = order[s]!;
      const row = X.data.subarray(i * d, (i + 1) * d);
      for (let k = 0; k < units; k++) {
        const w = W[k]!;
        let I = b[k]!;
        for (let j = 0; j < d; j++) I += w[j]! * row[j]!;
        const err = target(i, k) - (I >= 0 ? 1 : 0);
        if (err === 0) continue;
        mistakes++;
        for (let j = 0; j < d; j++) w[j]! += eta * err * row[j]!;
        b[k]! += eta * err;
      }
    }
    mistakesPerEpoch.push(mistakes);
    converged = mistakes === 0;
  }
  const weights = W.map((w) => Array.from(w));
  const bias = Array.from(b);
  const result = { weights, bias, classes };
  let trainingErrors = 0;
  const pred = perceptronPredict(result, X);
  for (let i = 0; i < n; i++) if (pred[i] !== y[i]) trainingErrors++;
  const what = units === 1 ? 'the two classes are' : 'each class is';
  const message = converged
    ? `separated exactly: ${what} linearly separable; the perceptron rule made no mistake in epoch ${epochs}`
    : `not linearly separable within the budget: after ${epochs} epochs the perceptron rule still made ${mistakesPerEpoch[epochs - 1]} mistakes in the last epoch (${trainingErrors} of ${n} rows misclassified)`;
  return { ...result, epochs, converged, mistakesPerEpoch, trainingErrors, message };
}

/** Class of each row: the fired neuron (binary) or the neuron with the largest b + w·x. */
export function perceptronPredict(p: Pick<PerceptronResult, 'weights' | 'bias' | 'classes'>, x: MatrixInput): Label[] {
  const X = toNumericMatrix(x, { what: 'perceptronPredict: x', dtype: 'float64', cols: p.weights[0]!.length });
  const out: Label[] = [];
  for (let i = 0; i < X.rows; i++) {
    let best = 0;
    let bestI = -Infinity;
    for (let k = 0; k < p.weights.length; k++) {
      let I = p.bias[k]!;
      const w = p.weights[k]!;
      for (let j = 0; j < X.cols; j++) I += w[j]! * X.data[i * X.cols + j]!;
      if (I > bestI) { bestI = I; best = k; }
    }
    out.push(p.weights.length === 1 ? p.classes[bestI >= 0 ? 1 : 0]! : p.classes[best]!);
  }
  return out;
}

/**
 * The trained neurons as an engine model: one dense layer with the step activation (forward only,
 * built with { trainable: false }), so it can be saved, traced and drawn like any other model.
 */
export function perceptronModel(p: Pick<PerceptronResult, 'weights' | 'bias'>): Model {
  const units = p.weights.length;
  const d = p.weights[0]!.length;
  const spec: ModelSpec = {
    inputSize: d, loss: 'mse', dtype: 'float64',
    layers: [{ kind: 'dense', name: 'output', units, activation: 'step' }],
  };
  const model = new Model(spec, { trainable: false });
  const W = model.param('output', 'W').value.a;
  const B = model.param('output', 'b').value.a;
  for (let k = 0; k < units; k++) {
    for (let j = 0; j < d; j++) W[j * units + k] = p.weights[k]![j]!;
    B[k] = p.bias[k]!;
  }
  return model;
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accuracy, balancedAccuracy, confusionMatrix, f1, logLoss, mae, mse, precision, precisionRecallF1, r2, recall, rocAuc,
} from '../src/metrics.js';

// Expected values below were computed with scikit-learn 1.2.1 (sklearn.metrics) on the same inputs.
const Y_TRUE = [0, 1, 2, 2, 1, 0, 2, 1, 1, 0];
const Y_PRED = [0, 2, 2, 2, 1, 1, 2, 0, 1, 0];

function near(actual: number, expected: number, tol = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} vs ${expected}`);
}

test('accuracy is the fraction of matching labels', () => {
  near(accuracy(Y_TRUE, Y_PRED), 0.7);
  assert.equal(accuracy(['a', 'b'], ['a', 'a']), 0.5);
  assert.equal(accuracy(Int32Array.of(1, 2, 3), [1, 2, 3]), 1);
});

test('balanced accuracy is the mean per-class recall', () => {
  near(balancedAccuracy(Y_TRUE, Y_PRED), 0.7222222222222222);
});

test('the confusion matrix has true labels as rows and predictions as columns', () => {
  assert.deepEqual(confusionMatrix(Y_TRUE, Y_PRED), { labels: [0, 1, 2], matrix: [[2, 1, 0], [1, 2, 1], [0, 0, 3]] });
  assert.deepEqual(confusionMatrix(['x', 'y'], ['y', 'y'], { labels: ['y', 'x'] }).matrix, [[1, 0], [1, 0]]);
});

test('per-class and macro precision, recall and F1 match scikit-learn', () => {
  const r = precisionRecallF1(Y_TRUE, Y_PRED);
  const expected = [
    { p: 0.6666666666666666, r: 0.6666666666666666, f: 0.6666666666666666, s: 3 },
    { p: 0.6666666666666666, r: 0.5, f: 0.5714285714285715, s: 4 },
    { p: 0.75, r: 1.0, f: 0.8571428571428571, s: 3 },
  ];
  r.perClass.forEach((c, k) => {
    near(c.precision, expected[k]!.p); near(c.recall, expected[k]!.r); near(c.f1, expected[k]!.f);
    assert.equal(c.support, expected[k]!.s);
  });
  near(precision(Y_TRUE, Y_PRED), 0.6944444444444443);
  near(recall(Y_TRUE, Y_PRED), 0.7222222222222222);
  near(f1(Y_TRUE, Y_PRED), 0.6984126984126985);
});

test('a class never predicted has precision 0 instead of NaN', () => {
  const r = precisionRecallF1([0, 0, 1, 1], [0, 0, 0, 0]);
  assert.equal(r.perClass[1]!.precision, 0);
  assert.equal(r.perClass[1]!.f1, 0);
});

test('ROC AUC counts tied scores as half, via average ranks', () => {
  near(rocAuc([0, 0, 1, 1, 0, 1, 1, 0], [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.2]), 0.8125);
  assert.equal(rocAuc([0, 1], [0.5, 0.5]), 0.5);
  assert.equal(rocAuc(['no', 'yes', 'yes'], [3, 1, 2], { positive: 'yes' }), 0);
});

test('ROC AUC refuses a single class and more than two', () => {
  assert.throws(() => rocAuc([1, 1], [0.2, 0.3]), /only one class/);
  assert.throws(() => rocAuc([0, 1, 2], [0.2, 0.3, 0.1]), /3 classes \(0, 1, 2\); rocAuc is for binary problems/);
});

test('binary log loss takes P(class 1) per row', () => {
  near(logLoss([0, 0, 1, 1, 0, 1, 1, 0], [0.1, 0.3, 0.7, 0.9, 0.2, 0.6, 0.99, 0.05]), 0.21492296556429624);
});

test('multi-class log loss takes rows of probabilities and renormalizes them', () => {
  near(logLoss([0, 1, 2, 1], [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]]), 0.5017337127232719);
  near(logLoss([0, 1], [[0.5, 0.25, 0.25], [0.2, 0.2, 0.2]]), 0.8958797346140275);
  near(logLoss([0, 1], [Float32Array.of(0.5, 0.5), Float64Array.of(0.5, 0.5)]), Math.LN2);
});

test('log loss clips certain mistakes to a finite value', () => {
  near(logLoss([1, 0], [0, 0]), 18.021826694558577, 1e-9);
});

test('log loss names a bad class index or probability', () => {
  assert.throws(() => logLoss([0, 3], [[0.5, 0.5], [0.5, 0.5]]), /yTrue row 1 is 3; expected a class index in 0\.\.1/);
  assert.throws(() => logLoss([0], [[1.2, -0.2]]), /proba row 0, column 0 is 1\.2; expected a probability in \[0, 1\]/);
});

test('MSE, MAE and R² match scikit-learn', () => {
  const t = [3.0, -0.5, 2.0, 7.0, 4.2];
  const p = Float32Array.of(2.5, 0.0, 2.0, 8.0, 3.9);
  near(mse(t, [2.5, 0.0, 2.0, 8.0, 3.9]), 0.318);
  near(mae(t, [2.5, 0.0, 2.0, 8.0, 3.9]), 0.46);
  near(r2(t, [2.5, 0.0, 2.0, 8.0, 3.9]), 0.9480256276150627);
  near(mse(t, p), 0.318, 1e-6);
});

test('multi-output R² is the mean of per-output R²', () => {
  near(r2([[0.5, 1], [-1, 1], [7, -6]], [[0, 2], [-1, 2], [8, -5]]), 0.9368005266622779);
});

test('R² of a constant target is 1 for exact predictions and 0 otherwise', () => {
  assert.equal(r2([2, 2, 2], [2, 2, 2]), 1);
  assert.equal(r2([2, 2, 2], [2, 2, 3]), 0);
});

test('length mismatches and mixed label kinds are clear errors', () => {
  assert.throws(() => accuracy([0, 1, 1], [0, 1]), /accuracy: yPred: has 2 labels, expected 3/);
  assert.throws(() => accuracy(['0', '1'], [0, 1]), /accuracy: yTrue holds strings but yPred holds numbers/);
  assert.throws(() => mse([1, 2, 3], [1, 2]), /mse: yTrue is 3 × 1 but yPred is 2 × 1/);
  assert.throws(() => rocAuc([0, 1], [0.5]), /rocAuc: scores: has 1 values, expected 2/);
  assert.throws(() => logLoss([0, 1], [0.5]), /logLoss: proba has 1 rows, expected 2/);
  assert.throws(() => mae([1, NaN], [1, 2]), /mae: yTrue: row 1 is NaN/);
});

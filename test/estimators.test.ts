import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MLPClassifier, MLPRegressor } from '../src/estimators.js';
import { loadDataset } from '../src/datasets.js';
import { stratifiedKFold, takeRows } from '../src/data/splits.js';
import { moons, sin, twoSpirals } from '../src/data/generators.js';
import { Rng } from '../src/rng.js';
import { parallelRunner } from '../src/node/restarts-worker.js';

test('iris, standardized: at least 95% mean accuracy in 5-fold stratified cross-validation', async () => {
  const iris = await loadDataset('iris');
  const accs: number[] = [];
  for (const f of stratifiedKFold(iris.y, 5, new Rng(0))) {
    const c = new MLPClassifier({ hiddenLayerSizes: [10], solver: 'lbfgs', maxIter: 200 });
    await c.fit(takeRows(iris.x, f.train), takeRows(iris.y, f.train));
    accs.push(c.score(takeRows(iris.x, f.test), takeRows(iris.y, f.test)));
  }
  const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
  assert.ok(mean >= 0.95, `mean accuracy ${mean} (${accs.join(', ')})`);
});

test('two spirals with early stopping and dropout: at least 97% test accuracy', async () => {
  const train = twoSpirals({ n: 400, seed: 1 });
  const test_ = twoSpirals({ n: 400, seed: 2 });
  const c = new MLPClassifier({
    hiddenLayerSizes: [32, 32], dropout: 0.1, earlyStopping: true, nIterNoChange: 50,
    learningRateInit: 0.02, batchSize: 32, maxIter: 600,
  });
  await c.fit(train.x, train.y);
  assert.equal(c.history!.stopReason, 'earlyStopping');
  const acc = c.score(test_.x, test_.y);
  assert.ok(acc >= 0.97, `test accuracy ${acc}`);
});

test('a 6-layer sigmoid net shows vanishing gradients (first layer ≥ 10× below the last) and ReLU with He init does not', async () => {
  const d = twoSpirals({ n: 200, seed: 3 });
  const ratio = async (activation: 'logistic' | 'relu'): Promise<number> => {
    const c = new MLPClassifier({
      hiddenLayerSizes: [16, 16, 16, 16, 16], activation, solver: 'sgd', learningRateInit: 0.05, maxIter: 5, batchSize: 20,
      ...(activation === 'relu' ? { init: 'heNormal' as const } : {}),
    });
    await c.fit(d.x, d.y);
    const norms = c.history!.epochs.at(-1)!.gradNorms;
    return norms.output! / norms.hidden1!;
  };
  const sigmoid = await ratio('logistic');
  const relu = await ratio('relu');
  assert.ok(sigmoid >= 10, `sigmoid: last/first gradient norm ${sigmoid}`);
  assert.ok(relu < 10, `relu: last/first gradient norm ${relu}`);
});

test('the mean |f′(I)| of sigmoid layers stays at most 1/4 in the history', async () => {
  const d = moons({ n: 60, seed: 1 });
  const c = new MLPClassifier({ hiddenLayerSizes: [8, 8], activation: 'logistic', maxIter: 3 });
  await c.fit(d.x, d.y);
  const m = c.history!.epochs[0]!.meanAbsDerivative;
  assert.ok(m.hidden1! > 0 && m.hidden1! <= 0.25 && m.hidden2! <= 0.25);
});

test('string labels are learned and predicted as the same strings, in sorted class order', async () => {
  const d = moons({ n: 120, seed: 2, noise: 0.1 });
  const y = d.y.map((v) => (Number(v) === 1 ? 'upper' : 'lower'));
  const c = new MLPClassifier({ hiddenLayerSizes: [16], solver: 'lbfgs', maxIter: 100 });
  await c.fit(d.x, y);
  assert.deepEqual(c.classes, ['lower', 'upper']);
  const p = c.predict(d.x);
  assert.ok(p.every((v) => v === 'lower' || v === 'upper'));
  assert.ok(c.score(d.x, y) > 0.9);
  const proba = c.predictProba(d.x.slice(0, 3));
  for (const row of proba) assert.ok(Math.abs(row[0]! + row[1]! - 1) < 1e-6);
});

test('alpha maps to the engine\'s L2 as scikit-learn scales it: α / (2 · batch) for the classifier', async () => {
  const d = moons({ n: 50, seed: 3 });
  const c = new MLPClassifier({ hiddenLayerSizes: [4], alpha: 0.5, batchSize: 10, maxIter: 1 });
  await c.fit(d.x, d.y);
  assert.equal(c.model.spec.l2, 0.5 / 20);
  const r = new MLPRegressor({ hiddenLayerSizes: [4], alpha: 0.5, batchSize: 10, maxIter: 1 });
  await r.fit(d.x, d.y.map(Number));
  assert.equal(r.model.spec.l2, 0.5 / 10);
});

test('one full-batch SGD step equals scikit-learn\'s from the same weights: same loss with the alpha term, same update', async () => {
  // test/train/sklearn-reference.py ran scikit-learn 1.2 (solver 'sgd', momentum 0, batch 6, alpha 0.1, tanh) from
  // W0 = the initial weights below (this estimator's with randomState 0) and printed these numbers.
  const W0 = [0.8475545644760132, -1.0681138038635254, -1.0241926908493042, -1.0419697761535645, 0.246064230799675, 0.9970276951789856, 0, 0, 0, -0.17273001372814178, 0.5376929640769958, -0.15595322847366333, 0];
  const SKLEARN = {"loss": 0.6450187056113792, "weights": [0.8503442421388214, -1.0693377621592588, -1.008953510259592, -1.0294722161699157, 0.23621108113784758, 0.9914366452365909, 0.0002980744237325271, 0.010647723413712165, 0.00046332738704101965, -0.2200030696911447, 0.6040097181085191, -0.09622882573984487, 0.014684904417888283]};
  const x = [[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8], [0.0, 0.0], [2.0, -0.5], [-1.2, -0.7]];
  const y = [1, 0, 1, 0, 0, 1];
  const c = new MLPClassifier({
    hiddenLayerSizes: [3], activation: 'tanh', solver: 'sgd', momentum: 0, learningRateInit: 0.5, batchSize: 6,
    maxIter: 1, alpha: 0.1, shuffle: false, standardize: false,
  });
  await c.fit(x, y);
  const w = Array.from(c.model.getWeights());
  assert.equal(w.length, W0.length);
  assert.ok(Math.abs(c.history!.epochs[0]!.trainLoss - SKLEARN.loss) < 1e-6, `loss ${c.history!.epochs[0]!.trainLoss} vs ${SKLEARN.loss}`);
  SKLEARN.weights.forEach((v, i) => assert.ok(Math.abs(w[i]! - v) < 1e-6, `weight ${i}: ${w[i]} vs ${v}`));
});

test('restarts keep one network and ensemble keeps all of them, and both predict', async () => {
  const d = moons({ n: 100, seed: 4, noise: 0.2 });
  const o = { hiddenLayerSizes: [8], maxIter: 20, learningRateInit: 0.02 } as const;
  const r = new MLPClassifier({ ...o, restarts: 3 });
  await r.fit(d.x, d.y);
  assert.equal(r.ensembleModel, null);
  const e = new MLPClassifier({ ...o, ensemble: 3 });
  await e.fit(d.x, d.y);
  assert.equal(e.ensembleModel!.members.length, 3);
  assert.ok(e.score(d.x, d.y) > 0.8 && r.score(d.x, d.y) > 0.8);
});

test('an ensemble trained on worker threads predicts exactly as one trained sequentially', async () => {
  const d = moons({ n: 80, seed: 9, noise: 0.2 });
  const o = { hiddenLayerSizes: [8], maxIter: 10, ensemble: 3, bootstrap: true } as const;
  const seq = await new MLPClassifier(o).fit(d.x, d.y);
  const par = await new MLPClassifier({ ...o, runner: parallelRunner({ threads: 2 }) }).fit(d.x, d.y);
  assert.deepEqual(par.predictProba(d.x), seq.predictProba(d.x));
});

test('toJSON → fromJSON predicts identically, for a single network and for an ensemble', async () => {
  const d = moons({ n: 80, seed: 5 });
  for (const extra of [{}, { ensemble: 2 }]) {
    const c = new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 5, batchNorm: 'before', ...extra });
    await c.fit(d.x, d.y);
    const back = MLPClassifier.fromJSON(JSON.stringify(c.toJSON()));
    assert.deepEqual(back.predictProba(d.x), c.predictProba(d.x));
    assert.deepEqual(back.classes, c.classes);
  }
});

test('the regressor fits sin(x) with R² above 0.95 and round-trips through JSON', async () => {
  const d = sin({ n: 200, seed: 6 });
  const r = new MLPRegressor({ hiddenLayerSizes: [32], activation: 'tanh', solver: 'lbfgs', maxIter: 200 });
  await r.fit(d.x, d.y);
  const t = sin({ n: 100, seed: 7 });
  const r2 = r.score(t.x, t.y);
  assert.ok(r2 > 0.95, `R² ${r2}`);
  assert.deepEqual(MLPRegressor.fromJSON(r.toJSON()).predict(t.x), r.predict(t.x));
});

test('standardization is fitted on the training rows and applied in predict', async () => {
  const d = moons({ n: 100, seed: 8, noise: 0.1 });
  const big = d.x.map(([a, b]) => [a! * 1000 + 5000, b! * 0.001]);
  const c = new MLPClassifier({ hiddenLayerSizes: [16], solver: 'lbfgs', maxIter: 100 });
  await c.fit(big, d.y);
  assert.ok(c.score(big, d.y) > 0.9);
  const file = c.toJSON();
  assert.notEqual(file.preprocessing!.scaler, null);
});

test('bad data into fit and predict throws errors naming the row and column', async () => {
  const c = new MLPClassifier({ hiddenLayerSizes: [4], maxIter: 1 });
  await assert.rejects(c.fit([[0, 1], [1]], [0, 1]), /MLPClassifier\.fit: x: row 1 has 1 values, expected 2 as in row 0 \(ragged rows\)/);
  await assert.rejects(c.fit([[0, 1], [1, NaN]], [0, 1]), /MLPClassifier\.fit: x: row 1, column 1 is NaN/);
  await assert.rejects(c.fit([[0, 1], [1, 0]], [0, 'b']), /MLPClassifier\.fit: y: row 1 is the string "b" but row 0 is 0; class labels must be all numbers or all strings/);
  await assert.rejects(c.fit([], []), /MLPClassifier\.fit: x: no rows \(empty data\)/);
  await assert.rejects(c.fit([[0, 1], [1, 0]], [1, 1]), /single class/);
  await c.fit([[0, 1], [1, 0], [1, 1], [0, 0]], ['a', 'b', 'a', 'b']);
  assert.throws(() => c.predict([[0, 1, 2]]), /MLPClassifier\.predict: x: row 0 has 3 values, expected 2 \(the width seen in training\)/);
  assert.throws(() => c.predict([[0, 1], [Infinity, 0]]), /MLPClassifier\.predict: x: row 1, column 0 is Infinity/);
  assert.throws(() => new MLPClassifier({ solver: 'newton' as 'sgd' }), /option solver must be 'sgd', 'adam' or 'lbfgs', got "newton"/);
  const r = new MLPRegressor({ maxIter: 1 });
  await assert.rejects(r.fit([[0], [1]], [0, 'x']), /MLPRegressor\.fit: y: row 1 is the string "x"/);
});

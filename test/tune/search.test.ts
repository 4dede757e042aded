import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDataset } from '../../src/datasets.js';
import { trainTestSplit } from '../../src/data/splits.js';
import { MLPClassifier } from '../../src/estimators.js';
import { Rng } from '../../src/rng.js';
import { candidates, evaluateCandidate, formatTuneTable, sequentialTuneRunner, tune, type TuneJob } from '../../src/tune/search.js';
import { parallelTuneRunner } from '../../src/node/tune-worker.js';

const BASE = { maxIter: 30 } as const;

test("tune's best model beats the estimator's defaults on held-out wine rows (fixed seed)", async () => {
  const d = await loadDataset('wine');
  const split = trainTestSplit(d.x.length, new Rng(11), { testSize: 0.3, stratify: d.y });
  const pick = <T>(a: readonly T[], idx: Int32Array): T[] => Array.from(idx, (i) => a[i]!);
  const [xTrain, yTrain, xTest, yTest] = [pick(d.x, split.train), pick(d.y, split.train), pick(d.x, split.test), pick(d.y, split.test)];
  const r = await tune(xTrain, yTrain, {
    task: 'classification', trials: 5, folds: 3, seed: 3, base: BASE,
    space: { hiddenLayerSizes: [[16], [32]], activation: ['relu', 'tanh'], learningRateInit: { min: 1e-3, max: 5e-2, log: true }, alpha: [1e-4, 1e-2] },
    runner: parallelTuneRunner({ threads: 2 }),
  });
  assert.equal(r.ranked.length, 6);
  assert.equal(r.skipped, 0);
  assert.ok(r.ranked.every((c, i) => i === 0 || c.mean <= r.ranked[i - 1]!.mean));
  assert.notDeepEqual(r.best.params, {}, 'a searched candidate wins');
  assert.ok(r.best.mean > r.defaults!.mean);
  const defaults = await new MLPClassifier({ ...BASE, randomState: 3 }).fit(xTrain, yTrain);
  const tuned = (r.estimator as MLPClassifier).score(xTest, yTest);
  const plain = defaults.score(xTest, yTest);
  assert.ok(tuned > plain, `tuned ${tuned} vs defaults ${plain}`);
  assert.ok(tuned > 0.9, `tuned test accuracy ${tuned}`);
  assert.match(formatTuneTable(r), /^rank {2}accuracy/);
});

test('the worker-thread runner scores candidates exactly as the sequential runner', async () => {
  const d = await loadDataset('iris');
  const folds = [{ train: Array.from({ length: 100 }, (_, i) => i * 1.5 | 0), test: [1, 4, 52, 100, 149] }];
  const jobs: TuneJob[] = [{ hiddenLayerSizes: [4] }, { activation: 'tanh' as const, learningRateInit: 0.01 }].map((params, index) => ({
    index, params, base: { maxIter: 5 }, task: 'classification' as const, x: d.x, y: d.y, folds, seed: 1,
  }));
  const seq = await sequentialTuneRunner(jobs, null);
  const par = await parallelTuneRunner({ threads: 2 })(jobs, null);
  assert.deepEqual(par.map((r) => r!.scores), seq.map((r) => r!.scores));
  const one = await evaluateCandidate(jobs[0]!);
  assert.deepEqual(one.scores, seq[0]!.scores);
});

test('the time budget stops new candidates from starting and reports them as skipped', async () => {
  const d = await loadDataset('iris');
  const r = await tune(d.x, d.y, { task: 'classification', trials: 40, folds: 2, seed: 0, base: { maxIter: 300, tol: 0 }, timeBudgetSeconds: 0.3, space: { hiddenLayerSizes: [[32]], learningRateInit: [1e-3, 1e-2] } });
  assert.ok(r.skipped > 0, 'some candidates were skipped');
  assert.equal(r.ranked.length + r.skipped, 41);
  assert.match(formatTuneTable(r), /not started within the time budget/);
});

test('a grid enumerates every combination, with ranges cut into grid points', () => {
  const g = candidates({ activation: ['relu', 'tanh'], alpha: { min: 1e-4, max: 1e-2, log: true } }, 'grid', 100, 0, 3);
  assert.equal(g.length, 6);
  assert.deepEqual(g.map((c) => c.activation), ['relu', 'relu', 'relu', 'tanh', 'tanh', 'tanh']);
  assert.ok(Math.abs(g[1]!.alpha! - 1e-3) < 1e-15);
  assert.equal(candidates({ activation: ['relu', 'tanh'], dropout: [0, 0.1, 0.2] }, 'grid', 4, 0).length, 4);
  assert.throws(() => candidates({ alpha: { min: 0, max: 1, log: true } }, 'random', 3, 0), /alpha is log-scaled, so min must be > 0, got 0/);
});

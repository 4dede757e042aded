import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare, configurations, formatCompareTable, type CompareData } from '../../src/tune/compare.js';
import { parallelCompareRunner } from '../../src/node/compare-worker.js';
import { moons } from '../../src/data/generators.js';

function moonsData(n: number): CompareData {
  const d = moons({ n, noise: 0.2, seed: 3 });
  return {
    task: 'binary',
    x: { rows: n, cols: 2, data: Float64Array.from(d.x.flat()) },
    y: { rows: n, cols: 1, data: Float64Array.from(d.y) },
  };
}

test('configurations are the product of the varied values, labelled by them; unknown options get a suggestion', () => {
  const c = configurations({ epochs: 5 }, { batchNorm: ['before', 'after'], learningRate: [0.01, 0.001] });
  assert.deepEqual(c.map((x) => x.label), ['batchNorm=before learningRate=0.01', 'batchNorm=before learningRate=0.001', 'batchNorm=after learningRate=0.01', 'batchNorm=after learningRate=0.001']);
  assert.equal(c[3]!.options.epochs, 5);
  assert.throws(() => configurations({}, { batchnorm: ['before'] } as never), /unknown option batchnorm \(did you mean batchNorm\?\)/);
  assert.throws(() => configurations({}, { activation: ['relu', 'rleu'] } as never), /activation "rleu" is not one of/);
  assert.throws(() => configurations({}, {}), /vary names no option/);
});

test('a real difference is found: one hidden unit against sixteen on the moons, both tests p < 0.05', async () => {
  const r = await compare(moonsData(300), { base: { epochs: 25, learningRate: 0.02 }, vary: { hidden: [[1], [16]] }, repeats: 8, seed: 1 });
  const [small, big] = r.configurations;
  assert.ok(big!.mean > small!.mean + 0.05, formatCompareTable(r));
  const p = r.comparisons[0]!;
  assert.equal(p.pairs, 8);
  assert.ok(p.t!.meanDifference > 0 && p.t!.p < 0.05 && p.wilcoxon.p < 0.05, formatCompareTable(r));
  assert.equal(big!.curve.heldOutLoss.length, 25);
  assert.ok(big!.curve.heldOutLoss[24]! < big!.curve.heldOutLoss[0]!);
});

test('the same configuration twice: paired differences are exactly 0 and p = 1', async () => {
  const r = await compare(moonsData(120), { base: { epochs: 5 }, vary: { learningRate: [0.01, 0.01] }, repeats: 3 });
  assert.deepEqual(r.configurations[0]!.scores, r.configurations[1]!.scores);
  assert.equal(r.comparisons[0]!.t!.p, 1);
  assert.equal(r.comparisons[0]!.wilcoxon.p, 1);
});

test('worker threads give the same scores and curves as the sequential runner', async () => {
  const o = { base: { epochs: 6, hidden: [8] }, vary: { batchNorm: ['before', 'after'] as const }, repeats: 3, seed: 2 };
  const seq = await compare(moonsData(150), o);
  const par = await compare(moonsData(150), { ...o, runner: parallelCompareRunner({ threads: 2 }) });
  assert.deepEqual(par.configurations.map((c) => [c.scores, c.curve]), seq.configurations.map((c) => [c.scores, c.curve]));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlp } from '../../src/graph/builders.js';
import { restartJobs, sequentialRunner, trainRestarts, type RestartFitOptions } from '../../src/train/restarts.js';
import { Ensemble } from '../../src/train/ensemble.js';
import { parallelRunner } from '../../src/node/restarts-worker.js';
import { moons, twoSpirals } from '../../src/data/generators.js';
import type { Matrix } from '../../src/matrix.js';

const accuracy = (p: Matrix, y: readonly number[]): number => y.filter((v, i) => (p.data[i]! > 0.5 ? 1 : 0) === v).length / y.length;

const spec = mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [12, 12], activation: 'tanh' });
const fitOptions: RestartFitOptions = { epochs: 25, batchSize: 16, optimizer: { kind: 'adam', learningRate: 0.02 } };

test('restarts: the best of 5 has a validation loss ≤ every single run and is returned as the model', async () => {
  const d = twoSpirals({ n: 200, seed: 2 });
  const y = d.y.map((v) => [Number(v)]);
  const out = await trainRestarts(spec, { x: d.x, y }, fitOptions, { runs: 5, seed: 10, validation: { fraction: 0.25 } });
  assert.equal(out.runs.length, 5);
  const losses = out.runs.map((r) => r.valLoss);
  for (const l of losses) assert.ok(out.runs[out.best]!.valLoss <= l);
  assert.ok(new Set(losses).size > 1, 'different seeds should reach different optima');
  assert.deepEqual(Array.from(out.model.getWeights()), Array.from(out.runs[out.best]!.weights));
});

test('a 5-member ensemble scores at least the mean accuracy of its members on held-out data', async () => {
  const tr = moons({ n: 200, seed: 2, noise: 0.3 });
  const te = moons({ n: 400, seed: 102, noise: 0.3 });
  const yte = te.y.map(Number);
  const wide = mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [16, 16], activation: 'tanh' });
  const out = await trainRestarts(wide, { x: tr.x, y: tr.y.map((v) => [Number(v)]) }, { ...fitOptions, epochs: 40 }, { runs: 5, seed: 2 });
  const memberAcc = out.ensemble.members.map((m) => accuracy(m.predict(te.x), yte));
  const mean = memberAcc.reduce((a, b) => a + b, 0) / memberAcc.length;
  const ens = accuracy(out.ensemble.predict(te.x), yte);
  assert.ok(ens >= mean, `ensemble ${ens} < members' mean ${mean} (${memberAcc.join(', ')})`);
});

test('an ensemble averages its members\' outputs', async () => {
  const d = moons({ n: 60, seed: 5 });
  const out = await trainRestarts(spec, { x: d.x, y: d.y.map((v) => [Number(v)]) }, { ...fitOptions, epochs: 2 }, { runs: 2 });
  const e = new Ensemble(out.ensemble.members);
  const p = e.predict([[0.1, 0.2]]).data[0]!;
  const q = out.ensemble.members.map((m) => m.predict([[0.1, 0.2]]).data[0]!);
  assert.ok(Math.abs(p - (q[0]! + q[1]!) / 2) < 1e-7);
});

test('bootstrap runs train on different samples than plain restarts with the same seeds', async () => {
  const d = moons({ n: 60, seed: 6 });
  const data = { x: d.x, y: d.y.map((v) => [Number(v)]) };
  const o = { ...fitOptions, epochs: 2 };
  const [a] = await sequentialRunner(restartJobs(spec, data, o, { runs: 1, seed: 3 }));
  const [b] = await sequentialRunner(restartJobs(spec, data, o, { runs: 1, seed: 3, bootstrap: true }));
  assert.notDeepEqual(Array.from(a!.weights), Array.from(b!.weights));
});

test('restarts on 2 worker threads give exactly the results of a sequential run with the same seeds', async () => {
  const d = twoSpirals({ n: 120, seed: 7 });
  const data = { x: d.x, y: d.y.map((v) => [Number(v)]) };
  const o = { ...fitOptions, epochs: 8 };
  const jobs = restartJobs(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [8], dropout: 0.1 }), data, o, { runs: 4, seed: 21, bootstrap: true });
  const seq = await sequentialRunner(jobs);
  const par = await parallelRunner({ threads: 2 })(jobs);
  assert.equal(par.length, 4);
  par.forEach((r, i) => {
    assert.equal(r.seed, seq[i]!.seed);
    assert.deepEqual(Array.from(r.weights), Array.from(seq[i]!.weights));
    assert.equal(r.valLoss, seq[i]!.valLoss);
  });
});

test('a failing run rejects the parallel runner with the run index and its error', async () => {
  const d = moons({ n: 40, seed: 8 });
  const jobs = restartJobs(spec, { x: d.x, y: d.y.map((v) => [Number(v)]) }, { ...fitOptions, epochs: 1 }, { runs: 3 });
  // A run whose learning rate is invalid fails inside its worker.
  const bad = jobs.map((j, i) => (i === 1 ? { ...j, fit: { ...j.fit, optimizer: { kind: 'adam' as const, learningRate: -1 } } } : j));
  await assert.rejects(parallelRunner({ threads: 2 })(bad), /^Error: restart 1: optimizer 'adam': learningRate must be a finite number > 0, got -1/);
});

// The playground's state survives its URL form, and the editor's network is the model the library builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/index.js';
import { MAX_CLASSES, makeProblem, inputWidth, inputsOf } from '../../web/data.js';
import { buildNetwork } from '../../web/network.js';
import { defaultState, stateFromHash, stateToHash, type PlaygroundState } from '../../web/state.js';
// The page and the worker are bundled by esbuild, which does not type-check: these type-only imports put
// them under the project's type check (npm test), and are erased at run time.
import type {} from '../../web/main.js';
import type {} from '../../web/worker.js';

test('a state round-trips through its URL hash, per-neuron activations and skips included', () => {
  const s: PlaygroundState = {
    ...defaultState(), dataset: 'spiral', noise: 25, trainRatio: 70, seed: 9, features: ['x1', 'x2', 'sin1', 'x1x2'],
    layers: [{ units: 5, activation: 'relu', perNeuron: { 0: 'sigmoid', 4: 'sin' }, skip: false }, { units: 3, activation: 'tanh', perNeuron: {}, skip: true }],
    init: 'heNormal', regularization: 'l2', regRate: 0.01, dropout: 0.2, batchNorm: 'before', optimizer: 'nesterov', learningRate: 0.1, batchSize: 20,
  };
  assert.deepEqual(stateFromHash(`#${stateToHash(s)}`), s);
});

test('the default state has an empty hash and bad URL values fall back to the defaults', () => {
  assert.equal(stateToHash(defaultState()), '');
  const s = stateFromHash('#data=moon&noise=500&layers=9z&lr=-1&opt=adam');
  assert.deepEqual(s, defaultState());
});

test('the network the editor describes builds, with a concat for the skip input and batch norm before f', () => {
  const s: PlaygroundState = {
    ...defaultState(), features: ['x1', 'x2', 'x1sq'], batchNorm: 'before', dropout: 0.1,
    layers: [{ units: 4, activation: 'tanh', perNeuron: { 1: 'relu' }, skip: false }, { units: 2, activation: 'relu', perNeuron: {}, skip: true }],
  };
  const p = makeProblem(s, null);
  const layout = buildNetwork(s, inputWidth(p, s.features), p.task, p.classes.length);
  const model = new Model(layout.spec, { seed: 1 });
  assert.equal(model.inputSize, 3);
  // hidden2 sees hidden1's 4 outputs and, through the skip, the 3 inputs.
  assert.equal(layout.layers[1]!.mainWidth, 4);
  assert.equal(model.param('hidden2', 'W').rows, 7);
  assert.deepEqual(layout.spec.layers.map((l) => l.kind), ['dense', 'batchNorm', 'activation', 'dropout', 'concat', 'dense', 'batchNorm', 'activation', 'dropout', 'dense']);
  const x = inputsOf(p, s.features, p.train.slice(0, 5));
  const y = model.predict({ rows: 5, cols: 3, data: x });
  assert.ok(Array.from(y.data).every((v) => v > 0 && v < 1));
});

test('the generated sets are scaled into [−1, 1] and split by the train ratio', () => {
  const p = makeProblem({ ...defaultState(), dataset: 'gauss', trainRatio: 30 }, null);
  assert.equal(p.train.length + p.test.length, p.n);
  assert.equal(p.train.length, Math.round(0.3 * p.n));
  assert.ok(Array.from(p.X).every((v) => v >= -1 && v <= 1));
  assert.deepEqual(new Set(p.y), new Set([0, 1]));
});

test('a skip written as a literal + in a link (read back as a space) still means a skip', () => {
  const s = stateFromHash('#layers=4r,4r+,2r');
  assert.deepEqual(s.layers.map((l) => [l.units, l.activation, l.skip]), [[4, 'relu', false], [4, 'relu', true], [2, 'relu', false]]);
});

function csvOf(header: string, rows: number, row: (i: number) => string): string {
  return [header, ...Array.from({ length: rows }, (_, i) => row(i))].join('\n');
}

test('a CSV whose last column is a free-text note takes the last column that can be a target', () => {
  const csv = csvOf('a,b,species,note', 60, (i) => `${Math.sin(i)},${Math.cos(i)},${['setosa', 'versicolor', 'virginica'][i % 3]},"row ${i}"`);
  const p = makeProblem({ ...defaultState(), dataset: 'csv' }, csv);
  assert.equal(p.targetName, 'species');
  assert.equal(p.targetIndex, 2);
  assert.equal(p.task, 'multiclass');
  assert.deepEqual(p.classes, ['setosa', 'versicolor', 'virginica']);
  assert.deepEqual(p.names, ['a', 'b']);
  assert.deepEqual(p.dropped, ['note']);
});

test('a text target with more distinct values than the class limit is refused with its name', () => {
  const csv = csvOf('a,b,note', 40, (i) => `${i},${i % 3},id${i}`);
  assert.throws(() => makeProblem({ ...defaultState(), dataset: 'csv', target: 2 }, csv),
    new RegExp(`'note' is text with 40 distinct values; a class target may have at most ${MAX_CLASSES}`));
});

test('a CSV with a numeric target of many values is a regression scaled into [−1, 1]', () => {
  const csv = csvOf('u;v;price', 50, (i) => `${Math.sin(i)};${Math.cos(i)};${(100 + 3.5 * i).toFixed(2)}`);
  const p = makeProblem({ ...defaultState(), dataset: 'csv' }, csv);
  assert.equal(p.task, 'regression');
  assert.equal(p.targetName, 'price');
  assert.equal(Math.min(...p.y), -1);
  assert.equal(Math.max(...p.y), 1);
});

test('the moons are centred in the view and the three clusters make a three-class problem', () => {
  const moons = makeProblem({ ...defaultState(), dataset: 'moons' }, null);
  for (const j of [0, 1]) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < moons.n; i++) { const v = moons.X[i * 2 + j]!; lo = Math.min(lo, v); hi = Math.max(hi, v); }
    assert.ok(Math.abs(lo + hi) < 1e-9, `axis ${j}: [${lo}, ${hi}] is centred`);
  }
  const clusters = makeProblem({ ...defaultState(), dataset: 'clusters' }, null);
  assert.equal(clusters.task, 'multiclass');
  assert.deepEqual(clusters.classes, ['0', '1', '2']);
  assert.deepEqual(new Set(clusters.y), new Set([0, 1, 2]));
});

// The playground's state survives its URL form, and the editor's network is the model the library builds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/index.js';
import { makeProblem, inputWidth, inputsOf } from '../../web/data.js';
import { buildNetwork } from '../../web/network.js';
import { defaultState, stateFromHash, stateToHash, type PlaygroundState } from '../../web/state.js';

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

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { neuronGraph } from '../src/graph/builders.js';
import { Model } from '../src/graph/model.js';
import type { Dense } from '../src/layers/dense.js';
import { adam } from './helpers/train.js';

test('neurons are grouped by depth into masked dense layers, with skips as concatenations', () => {
  const g = neuronGraph({
    inputs: 2,
    neurons: [
      { id: 'h', activation: 'sigmoid', from: ['x1', 'x2'] },
      { id: 'y', activation: 'sigmoid', from: ['x1', 'x2', 'h'] },
    ],
    outputs: ['y'],
    loss: 'binaryCrossEntropy',
  });
  assert.deepEqual(g.spec.layers.map((l) => `${l.kind}:${l.name}`), ['dense:layer1', 'concat:output_in', 'dense:output']);
  assert.deepEqual(g.neurons.get('h'), { layer: 'layer1', unit: 0, depth: 1 });
  assert.deepEqual(g.neurons.get('y'), { layer: 'output', unit: 0, depth: 2 });
  const e = g.edges.find((x) => x.from === 'h' && x.to === 'y')!;
  assert.deepEqual([e.layer, e.row, e.col], ['output', 2, 0]);
});

test('the lecture\'s 2-1-1 XOR network with a layer skip learns XOR', () => {
  const g = neuronGraph({
    inputs: 2,
    neurons: [
      { id: 'h', activation: 'sigmoid', from: ['x1', 'x2'] },
      { id: 'y', activation: 'sigmoid', from: ['x1', 'x2', 'h'] },
    ],
    outputs: ['y'],
    loss: 'binaryCrossEntropy',
    init: 'xavierNormal',
  });
  const model = new Model(g.spec, { seed: 3 });
  assert.equal(model.parameterCount, 2 + 1 + 3 + 1);
  const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const y = [[0], [1], [1], [0]];
  const loss = adam(model, x, y, 0.1, 800);
  assert.ok(loss < 0.05, `loss ${loss}`);
});

test('absent edges are masked: a neuron only sees inc(j)', () => {
  const g = neuronGraph({
    inputs: 3,
    neurons: [
      { id: 'a', activation: 'tanh', from: ['x1'] },
      { id: 'b', activation: 'relu', from: ['x2', 'x3'] },
      { id: 'y', from: ['a', 'b'] },
    ],
    outputs: ['y'],
    loss: 'mse',
  });
  const model = new Model(g.spec, { seed: 1 });
  const layer = model.node('layer1') as Dense;
  const W = Array.from(layer.W.value.a);
  // W is 3 inputs × 2 units: a ← x1 only; b ← x2, x3.
  // (the mask may leave −0, which is 0)
  assert.ok(W[0 * 2 + 1] === 0);
  assert.ok(W[1 * 2 + 0] === 0);
  assert.ok(W[2 * 2 + 0] === 0);
  assert.notEqual(W[0 * 2 + 0], 0);
  assert.ok(layer.act.type === 'perUnit');
});

test('tied edges share one weight and non-negative edges stay non-negative', () => {
  const g = neuronGraph({
    inputs: 2,
    neurons: [
      { id: 'h1', activation: 'tanh', from: [{ from: 'x1', tie: 'w' }, 'x2'] },
      { id: 'h2', activation: 'tanh', from: [{ from: 'x2', tie: 'w' }, { from: 'x1', nonNegative: true }] },
      { id: 'y', from: ['h1', 'h2'] },
    ],
    outputs: ['y'],
    loss: 'mse',
  });
  assert.equal(g.spec.ties?.length, 1);
  const model = new Model(g.spec, { seed: 2 });
  adam(model, [[1, 0], [0, 1], [1, 1]], [[1], [-1], [0.5]], 0.05, 50);
  const W = model.param('layer1', 'W').value.a; // rows x1, x2; cols h1, h2
  assert.equal(W[0 * 2 + 0], W[1 * 2 + 1]);
  assert.ok(W[0 * 2 + 1]! >= 0);
});

test('neuron graph errors name the neuron', () => {
  const base = { inputs: 2, outputs: ['y'], loss: 'mse' as const };
  assert.throws(() => neuronGraph({ ...base, neurons: [{ id: 'y', from: ['x9'] }] }), /neuron 'y': edge from unknown neuron 'x9'/);
  assert.throws(() => neuronGraph({ ...base, neurons: [{ id: 'a', from: ['b'] }, { id: 'b', from: ['a'] }, { id: 'y', from: ['a'] }] }), /cycle/);
  assert.throws(() => neuronGraph({ ...base, neurons: [{ id: 'y', from: ['x1'] }, { id: 'z', from: ['y'] }] }), /takes input from output neuron 'y'/);
  assert.throws(() => neuronGraph({ ...base, neurons: [{ id: 'y', from: [] }] }), /neuron 'y': inc\(j\) is empty/);
});

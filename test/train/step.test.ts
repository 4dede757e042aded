import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { Rng } from '../../src/rng.js';
import { apply, init } from '../../src/optim/rules.js';
import { createOptimizer } from '../../src/optim/optimizer.js';
import { trainStep } from '../../src/train/step.js';

const X = Float64Array.from([0, 0, 0, 1, 1, 0, 1, 1]);
const Y = Float64Array.from([0, 1, 1, 0]);
const net = (): Model => new Model(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [4], activation: 'tanh', dtype: 'float64' }), { seed: 5 });
const order = Int32Array.from([3, 0, 2, 1]);

test('trainStep is the five calls by hand: forward, loss, zeroGrad, backward, the rule, constraints', () => {
  const a = net();
  const b = net();
  const opt = createOptimizer({ kind: 'adam', learningRate: 0.1 }, undefined, a);
  const rule = { kind: 'adam', learningRate: 0.1 } as const;
  const st = init(rule, b.parameterCount);
  for (let t = 1; t <= 4; t++) {
    const r = trainStep(a, opt, { x: X, y: Y, order, start: 1, rows: 3 });
    b.forward([[0, 0], [1, 0], [0, 1]], { mode: 'train' });
    const loss = b.loss([[0], [1], [1]]);
    b.zeroGrad();
    b.backward();
    apply(rule, st, b.paramBuffer.a, b.gradBuffer.a, 0.1, t);
    b.applyConstraints();
    assert.ok(r.ok);
    assert.equal(r.loss, loss);
  }
  assert.deepEqual(Array.from(a.getWeights()), Array.from(b.getWeights()));
  assert.equal(opt.steps, 4);
});

test('an optimizer restored from its JSON continues exactly as the original', () => {
  const a = net();
  const b = net();
  const oa = createOptimizer({ kind: 'rmsprop', momentum: 0.5 }, { kind: 'step', stepSize: 2, gamma: 0.5 }, a);
  const batch = { x: X, y: Y, order, start: 0, rows: 4 };
  for (let e = 0; e < 3; e++) { oa.startEpoch(e, 0); trainStep(a, oa, batch); }
  b.setWeights(a.getWeights());
  const ob = createOptimizer({ kind: 'rmsprop', momentum: 0.5 }, { kind: 'step', stepSize: 2, gamma: 0.5 }, b);
  ob.fromJSON(JSON.parse(JSON.stringify(oa.toJSON())));
  for (let e = 3; e < 6; e++) { oa.startEpoch(e, 0); ob.startEpoch(e, 0); trainStep(a, oa, batch); trainStep(b, ob, batch); }
  assert.deepEqual(Array.from(b.getWeights()), Array.from(a.getWeights()));
  assert.equal(ob.learningRate, 0.001 * 0.5 ** 2);
});

test('a non-finite gradient is reported with its layer and no update is made', () => {
  const m = new Model(mlp({ inputSize: 2, outputSize: 1, task: 'regression', hidden: [3], dtype: 'float64' }), { seed: 1 });
  const before = m.getWeights();
  const opt = createOptimizer('sgd', undefined, m);
  const r = trainStep(m, opt, { x: Float64Array.from([1e300, 1e300]), y: Float64Array.from([1e300]), order: Int32Array.of(0), start: 0, rows: 1 }, { rng: new Rng(1) });
  assert.equal(r.ok, false);
  assert.ok(!r.ok && (r.problem === 'loss' || r.problem === 'gradient'));
  assert.deepEqual(m.getWeights(), before);
  assert.equal(opt.steps, 0);
});

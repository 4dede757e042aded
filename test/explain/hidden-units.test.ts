import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { hiddenUnitMaps } from '../../src/explain/hidden-units.js';

test('a first-layer neuron fires on its half-space b + w·x ≥ 0 and the map reports that line', () => {
  const model = new Model(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [3], activation: 'sigmoid', dtype: 'float64' }), { seed: 4 });
  const maps = hiddenUnitMaps(model, { resolution: 11 });
  assert.equal(maps.layers.length, 2);
  const hidden = maps.layers[0]!;
  assert.equal(hidden.layer, 'hidden1');
  assert.equal(hidden.activation, 'sigmoid');
  assert.equal(hidden.isOutput, false);
  assert.equal(maps.layers[1]!.isOutput, true);
  for (const u of hidden.units) {
    const line = u.line!;
    for (let iy = 0; iy < 11; iy++) {
      for (let ix = 0; ix < 11; ix++) {
        const I = line.b + line.w1 * maps.xs[ix]! + line.w2 * maps.ys[iy]!;
        const O = u.values[iy * 11 + ix]!;
        assert.ok(Math.abs(O - 1 / (1 + Math.exp(-I))) < 1e-12);
        assert.equal(O >= 0.5, I >= 0);
      }
    }
  }
});

test('the hidden-unit view folds the other inputs at their base values into the line', () => {
  const model = new Model(mlp({ inputSize: 3, outputSize: 1, task: 'regression', hidden: [2], activation: 'relu', dtype: 'float64' }), { seed: 1 });
  const maps = hiddenUnitMaps(model, { features: [0, 2], base: [0, 0.7, 0], resolution: 5 });
  const W = model.param('hidden1', 'W').value.a;
  const b = model.param('hidden1', 'b').value.a;
  const u = maps.layers[0]!.units[1]!;
  assert.ok(Math.abs(u.line!.b - (b[1]! + 0.7 * W[1 * 2 + 1]!)) < 1e-12);
  assert.equal(u.line!.w2, W[2 * 2 + 1]);
  assert.throws(() => hiddenUnitMaps(model, { features: [0, 0] }), /must differ/);
});

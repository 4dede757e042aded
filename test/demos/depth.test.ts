import { test } from 'node:test';
import assert from 'node:assert/strict';
import { depthDemo, sampleSet, setPolygons } from '../../src/demos/depth.js';
import { constructNetwork, insideUnion } from '../../src/demos/geometry.js';
import { GEOMETRIC_SETS } from '../../src/data/generators.js';
import { depthDemoPictures } from '../../src/report/pictures.js';

test('on the union of two disjoint polygons one layer fails and three layers succeed, as the lecture predicts', async () => {
  const r = await depthDemo({ set: 'polygon-union', depths: [1, 3], seed: 0, resolution: 11 });
  for (const activation of ['sigmoid', 'relu'] as const) {
    const one = r.runs.find((u) => u.depth === 1 && u.activation === activation)!;
    const three = r.runs.find((u) => u.depth === 3 && u.activation === activation)!;
    assert.ok(one.testAccuracy < 0.85, `${activation}, 1 layer: ${one.testAccuracy}`);
    assert.ok(three.testAccuracy > 0.97, `${activation}, 3 layers: ${three.testAccuracy}`);
  }
  assert.equal(r.constructed.depth, 3);
  assert.equal(r.constructed.stepAccuracy, 1);
  assert.ok(r.constructed.steepSigmoidAccuracy > 0.999);
  const pics = await depthDemoPictures(r);
  assert.ok(pics['polygon-union-3layer-relu.svg']!.startsWith('<svg'));
});

test('a convex polygon defeats one layer and is learned by two', async () => {
  const r = await depthDemo({ set: 'convex-polygon', depths: [1, 2], activations: ['relu'], seed: 1, resolution: 5 });
  assert.ok(r.runs[0]!.testAccuracy < 0.8, `1 layer: ${r.runs[0]!.testAccuracy}`);
  assert.ok(r.runs[1]!.testAccuracy > 0.97, `2 layers: ${r.runs[1]!.testAccuracy}`);
  assert.equal(r.constructed.depth, 2);
  assert.equal(r.constructed.stepAccuracy, 1);
});

test('a half-plane is selected exactly by a single trained neuron', async () => {
  const r = await depthDemo({ set: 'half-plane', depths: [1], activations: ['sigmoid'], seed: 2, resolution: 5 });
  assert.ok(r.runs[0]!.testAccuracy > 0.99, `1 layer: ${r.runs[0]!.testAccuracy}`);
  assert.equal(r.constructed.depth, 1);
  assert.deepEqual(r.constructed.widths, [1]);
});

test("the lecture's step construction needs 1, 2, 3 layers for half-plane, polygon and union, and is exact on every sampled point", () => {
  assert.equal(constructNetwork(GEOMETRIC_SETS['half-plane']).depth, 1);
  assert.equal(constructNetwork(GEOMETRIC_SETS['convex-polygon']).depth, 2);
  const union = constructNetwork(GEOMETRIC_SETS['polygon-union']);
  assert.equal(union.depth, 3);
  assert.deepEqual(union.widths, [7, 2, 1]);
  const { x, y } = sampleSet('non-convex', 500, 4);
  const L = setPolygons('non-convex');
  // Not convex: two inside points whose midpoint is outside.
  assert.equal(insideUnion([-0.5, 0.5], L), true);
  assert.equal(insideUnion([0.5, -0.5], L), true);
  assert.equal(insideUnion([0, 0], L), false);
  const nonConvex = constructNetwork(L);
  assert.equal(nonConvex.depth, 3);
  const out = nonConvex.model.predict(x).data;
  y.forEach((label, i) => assert.equal(out[i], label));
  assert.ok(y.some((v) => v === 1) && y.some((v) => v === 0));
});

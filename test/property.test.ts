import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Model } from '../src/graph/model.js';
import { ACTIVATION_NAMES } from '../src/activations.js';
import type { LayerSpec, ModelSpec } from '../src/spec.js';
import { Rng } from '../src/rng.js';

const smoothActivations = ACTIVATION_NAMES.filter((a) => a !== 'step');

/** A random DAG: each new layer draws its input(s) from any earlier node, joining two with add or concat. */
const dagArb = fc.record({
  inputSize: fc.integer({ min: 1, max: 5 }),
  steps: fc.array(fc.record({
    kind: fc.constantFrom('dense', 'dense', 'dense', 'activation', 'dropout', 'batchNorm', 'noise', 'concat', 'add'),
    units: fc.integer({ min: 1, max: 6 }),
    act: fc.constantFrom(...smoothActivations),
    pickA: fc.nat(),
    pickB: fc.nat(),
  }), { minLength: 1, maxLength: 7 }),
  outUnits: fc.integer({ min: 1, max: 4 }),
  loss: fc.constantFrom('mse', 'binaryCrossEntropy', 'categoricalCrossEntropy', 'huber'),
  rows: fc.integer({ min: 2, max: 9 }),
});

type Dag = typeof dagArb extends fc.Arbitrary<infer T> ? T : never;

function buildSpec(d: Dag): ModelSpec {
  const nodes: { name: string; width: number }[] = [{ name: 'input', width: d.inputSize }];
  const layers: LayerSpec[] = [];
  d.steps.forEach((s, i) => {
    const name = `n${i}`;
    const a = nodes[s.pickA % nodes.length]!;
    const b = nodes[s.pickB % nodes.length]!;
    switch (s.kind) {
      case 'dense': layers.push({ kind: 'dense', name, inputs: [a.name], units: s.units, activation: s.act }); nodes.push({ name, width: s.units }); break;
      case 'activation': layers.push({ kind: 'activation', name, inputs: [a.name], activation: s.act }); nodes.push({ name, width: a.width }); break;
      case 'dropout': layers.push({ kind: 'dropout', name, inputs: [a.name], rate: 0.3 }); nodes.push({ name, width: a.width }); break;
      case 'batchNorm': layers.push({ kind: 'batchNorm', name, inputs: [a.name] }); nodes.push({ name, width: a.width }); break;
      case 'noise': layers.push({ kind: 'gaussianNoise', name, inputs: [a.name], stddev: 0.1 }); nodes.push({ name, width: a.width }); break;
      case 'concat': layers.push({ kind: 'concat', name, inputs: [a.name, b.name] }); nodes.push({ name, width: a.width + b.width }); break;
      case 'add': {
        if (a.width === b.width) { layers.push({ kind: 'add', name, inputs: [a.name, b.name] }); nodes.push({ name, width: a.width }); }
        else { layers.push({ kind: 'concat', name, inputs: [a.name, b.name] }); nodes.push({ name, width: a.width + b.width }); }
        break;
      }
    }
  });
  // The output layer reads the concatenation of every node so far: every node is live.
  layers.push({ kind: 'concat', name: 'all', inputs: nodes.map((n) => n.name) });
  const outAct = d.loss === 'binaryCrossEntropy' ? 'sigmoid' : d.loss === 'categoricalCrossEntropy' ? 'softmax' : 'identity';
  layers.push({ kind: 'dense', name: 'out', inputs: ['all'], units: d.outUnits, activation: outAct });
  return { inputSize: d.inputSize, layers, loss: d.loss };
}

test('random DAGs run forward and backward in both modes with the declared output shape and finite gradients', () => {
  fc.assert(fc.property(dagArb, fc.integer({ min: 0, max: 1000 }), (d, seed) => {
    const spec = buildSpec(d);
    const model = new Model(spec, { seed });
    const rng = new Rng(seed);
    const x = Array.from({ length: d.rows }, () => Array.from({ length: d.inputSize }, () => rng.normal()));
    const y = Array.from({ length: d.rows }, (_, i) => Array.from({ length: d.outUnits }, (_, c) => (c === i % d.outUnits ? 1 : 0)));
    for (const mode of ['train', 'eval'] as const) {
      const out = model.forward(x, { mode, rng });
      assert.equal(out.rows, d.rows);
      assert.equal(out.cols, d.outUnits);
      const loss = model.loss(y);
      assert.ok(Number.isFinite(loss));
      model.zeroGrad();
      model.backward({ inputGradient: true });
      assert.ok(Array.from(model.gradBuffer.a).every(Number.isFinite));
      assert.equal(model.inputGradient().data.length, d.rows * d.inputSize);
    }
  }), { numRuns: 150, seed: 42 });
});

test('random stacks survive a save of their weights into a twin model with identical predictions', () => {
  fc.assert(fc.property(dagArb, (d) => {
    const spec = buildSpec(d);
    const a = new Model(spec, { seed: 1 });
    const b = new Model(spec, { seed: 2 });
    b.setWeights(a.getWeights());
    b.setState(a.getState());
    const x = [Array.from({ length: d.inputSize }, (_, i) => i - 1)];
    assert.deepEqual(Array.from(a.predict(x).data), Array.from(b.predict(x).data));
  }), { numRuns: 50, seed: 7 });
});

// The shared inference plan: float32 weights written exactly and briefly, a layer kind with no inference
// form refused naming the layer, and sources that are not a pipeline refused in one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { modelToFile } from '../../src/io/model-file.js';
import { exportC, exportJs, exportTorch } from '../../src/export/index.js';
import { networkPlan } from '../../src/export/graph.js';
import { float32Literal } from '../../src/export/plan.js';
import { Rng } from '../../src/rng.js';

test('float32Literal writes the shortest decimal that reads back as the same float32', () => {
  const rng = new Rng(4);
  for (let i = 0; i < 2000; i++) {
    const v = Math.fround((rng.uniform() - 0.5) * 10 ** rng.int(12) * 10 ** -rng.int(12));
    const s = float32Literal(v);
    assert.equal(Math.fround(Number(s)), v, `${v} → ${s}`);
    assert.ok(s.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').length <= 9, s);
  }
  assert.equal(float32Literal(0.1), '0.1');
  assert.equal(float32Literal(Math.fround(1 / 3)), '0.33333334');
  assert.equal(float32Literal(-0), '-0');
  assert.throws(() => float32Literal(Number.NaN), /only finite weights can be written/);
});

test('a layer kind with no inference form is refused in one line naming the layer', () => {
  const model = new Model(mlp({ inputSize: 2, outputSize: 1, task: 'regression', hidden: [3] }));
  const strange = { ...model, live: [model.live[0], { kind: 'conv2d', name: 'conv', inputs: [model.live[0]], width: 3 }], output: model.output } as unknown as Model;
  assert.throws(() => networkPlan(strange, 'exportC'), /^Error: exportC: layer 'conv' of kind 'conv2d' cannot be exported \(no inference form is known for it\)$/);
});

test('a bare network (no preprocessing) and text that is no model file are refused, naming the field', () => {
  const bare = modelToFile(new Model(mlp({ inputSize: 2, outputSize: 1, task: 'regression', hidden: [3] })));
  for (const f of [exportJs, exportTorch, (s: typeof bare) => exportC(s).source]) {
    assert.throws(() => f(bare), /\$\.preprocessing: the file holds a bare network with no preprocessing/);
  }
  assert.throws(() => exportJs('{"format": "something else"}'), /format/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp, neuronGraph } from '../../src/graph/builders.js';
import { formatTraceMarkdown, formatTraceText, lectureExample, traceSample } from '../../src/explain/trace.js';
import { modelFromFile, modelToFile } from '../../src/io/model-file.js';

test('the built-in example follows equations (1), (2) and (3) and agrees with finite differences', () => {
  const ex = lectureExample();
  const t = traceSample(ex.model, ex.x, ex.y, { names: ex.names });
  const by = new Map(t.neurons.map((n) => [n.name, n]));
  const o1 = by.get('o1')!;
  // (1) with L = ½(O − y)² and a sigmoid output: δ = (O − y)·O·(1 − O).
  assert.ok(Math.abs(o1.delta! - (o1.O - 0.01) * o1.O * (1 - o1.O)) < 1e-15);
  assert.ok(Math.abs(o1.dLdO! - (o1.O - 0.01)) < 1e-15);
  // (2): δ_h = δ_o·w_ho·f′(I_h).
  for (const [h, w] of [['h1', 0.4], ['h2', 0.45]] as const) {
    const n = by.get(h)!;
    assert.ok(Math.abs(n.delta! - o1.delta! * w * n.O * (1 - n.O)) < 1e-15, h);
  }
  // The forward pass: I_h1 = 0.15·0.05 + 0.2·0.1 + 0.35.
  assert.ok(Math.abs(by.get('h1')!.I! - 0.3775) < 1e-15);
  assert.equal(t.weights.length, 9);
  for (const w of t.weights) {
    assert.ok(Math.abs(w.product - w.backprop) < 1e-15, w.where);
    assert.ok(w.relError !== null && w.relError < 1e-7, `${w.where}: ${w.relError}`);
  }
  assert.ok(t.maxRelError < 1e-7);
});

test('a float32 softmax classifier is traced on a float64 copy, with δ taken from the fused loss', () => {
  const model = new Model(mlp({ inputSize: 3, outputSize: 3, task: 'multiclass', hidden: [4], activation: 'tanh' }), { seed: 3 });
  const t = traceSample(model, [0.3, -1, 2], [0, 1, 0]);
  assert.equal(t.neurons.length, 3 + 4 + 3);
  assert.equal(t.weights.length, model.parameterCount);
  const outputs = t.neurons.filter((n) => n.layer === 'output');
  assert.ok(outputs.every((n) => n.dLdO === null && n.delta !== null));
  // Softmax + cross-entropy: δ_j = O_j − y_j for one sample.
  outputs.forEach((n, k) => assert.ok(Math.abs(n.delta! - (n.O - [0, 1, 0][k]!)) < 1e-12));
  assert.ok(t.maxRelError < 1e-6, String(t.maxRelError));
  assert.ok(t.maxProductGap < 1e-12);
});

test('a skip edge from an input is numbered by the input it leaves', () => {
  const g = neuronGraph({
    inputs: ['a', 'b'],
    neurons: [{ id: 'h', from: ['a', 'b'] }, { id: 'o', from: ['h', 'a'] }],
    outputs: ['o'], loss: 'mse', dtype: 'float64',
  });
  const model = new Model(g.spec, { seed: 1 });
  const byPlace = new Map([...g.neurons].map(([id, p]) => [`${p.layer}:${p.unit}`, id]));
  const t = traceSample(model, [1, 2], [0.5], { names: (l, u) => byPlace.get(`${l}:${u}`) });
  const edges = t.weights.filter((w) => w.to === 'o').map((w) => `${w.from}:${w.i}`).sort();
  assert.deepEqual(edges, ['a:1', 'const:0', 'h:3']);
});

test('text and markdown use the lecture symbols I_j, O_j, δ_j and ∂L/∂w_ij = δ_j·O_i', () => {
  const ex = lectureExample();
  const t = traceSample(ex.model, ex.x, ex.y, { names: ex.names });
  const text = formatTraceText(t);
  assert.match(text, /j\s+neuron\s+f_j\s+I_j\s+O_j\s+∂L\/∂O_j\s+δ_j/);
  assert.match(text, /w_3,5\s+h1 → o1\s+0\.4\s+0\.59327/);
  const md = formatTraceMarkdown(t);
  assert.match(md, /\| j \| neuron \| f_j \| I_j \| O_j \| ∂L\/∂O_j \| δ_j \|/);
  assert.match(md, /\| w_0,5 \| const → o1 \| 0\.6 \| 1 \|/);
});

test('a sample of the wrong width is refused', () => {
  const ex = lectureExample();
  assert.throws(() => traceSample(ex.model, [1], ex.y), /the sample has 1 features, the model takes 2/);
});

test('a neuron graph\'s model names its neurons and inputs by the user\'s ids, and keeps them through its model file', () => {
  const g = neuronGraph({
    inputs: ['age', 'dose'],
    neurons: [{ id: 'risk', from: ['age', 'dose'] }, { id: 'outcome', from: ['risk', 'dose'] }],
    outputs: ['outcome'], loss: 'mse', dtype: 'float64',
  });
  const model = new Model(g.spec, { seed: 1 });
  const reread = modelFromFile(JSON.parse(JSON.stringify(modelToFile(model))));
  for (const m of [model, reread]) {
    const t = traceSample(m, [1, 2], [0.5]);
    assert.deepEqual(t.neurons.map((n) => n.name), ['age', 'dose', 'risk', 'outcome']);
    assert.deepEqual(t.inputNames, ['age', 'dose']);
    assert.ok(t.weights.some((w) => w.from === 'dose' && w.to === 'outcome'), 'the skip edge by its ids');
  }
  assert.throws(() => new Model({ ...g.spec, inputNames: ['age'] }), /inputNames must be 2 names/);
});

test('the raw sample is shown beside the x the network sees, saying how x was made', () => {
  const ex = lectureExample();
  const t = traceSample(ex.model, ex.x, ex.y, { raw: { inputs: { x: [10, 20], scaling: 'standardized, x = (raw − mean)/sd' } } });
  assert.deepEqual(t.raw?.inputs?.x, [10, 20]);
  const text = formatTraceText(t);
  assert.match(text, /x = \(0\.05, 0\.1\) \(as the network sees it\)/);
  assert.match(text, /Inputs: the row's raw value → x_j, the value the network sees \(standardized, x = \(raw − mean\)\/sd\)/);
  assert.match(text, /\n {2}x1\s+10 {2}→ {2}0\.05\n {2}x2\s+20 {2}→ {2}0\.1\n/);
  assert.match(formatTraceMarkdown(t), /\| x1 \| 10 \| 0\.05 \|/);
  assert.doesNotMatch(formatTraceText(traceSample(ex.model, ex.x, ex.y)), /Inputs:|as the network sees it/, 'nothing said when x is the raw sample');
});

// Loading model files from elsewhere: limits, prototype keys, cross-field invariants, batch-norm state; the
// memory estimate of a spec; values cut in messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { showValue, divergedMessage, userMessage } from '../../cli/errors.js';
import { mlp } from '../../src/graph/builders.js';
import { estimateMemory } from '../../src/graph/memory.js';
import { Model } from '../../src/graph/model.js';
import { decodeFloats, encodeFloats } from '../../src/io/base64.js';
import { MODEL_FILE_LIMITS } from '../../src/io/model-checks.js';
import { modelFromFile, modelToFile, parseModelFile } from '../../src/io/model-file.js';

function bnFile(): Record<string, unknown> {
  const model = new Model(mlp({ inputSize: 3, outputSize: 3, task: 'multiclass', hidden: [4], activation: 'relu', batchNorm: 'before' }), { seed: 1 });
  const file = modelToFile(model, { task: 'multiclass', classes: ['a', 'b', 'c'], metadata: { note: 'ok' } });
  return JSON.parse(JSON.stringify(file)) as Record<string, unknown>;
}

test('batch-norm running statistics that are NaN, infinite or negative are refused on load, naming the layer', () => {
  for (const bad of [NaN, Infinity, -1]) {
    const f = bnFile();
    const state = f.state as { base64: string };
    const v = decodeFloats(state.base64, 'float32', 'test');
    v[v.length - 1] = bad; // the last value is a running variance
    state.base64 = encodeFloats(v, 'float32');
    assert.throws(() => modelFromFile(f, { source: 'm.json' }), (e: Error) => /^m\.json: \$\.state: batch-norm layer '[^']+': running variance of unit \d+ is/.test(e.message) && !e.message.includes(' at '), String(bad));
  }
  const f = bnFile();
  const state = f.state as { base64: string };
  const v = decodeFloats(state.base64, 'float32', 'test');
  v[0] = NaN; // a running mean
  state.base64 = encodeFloats(v, 'float32');
  assert.throws(() => modelFromFile(f), /\$\.state: batch-norm layer '[^']+': running mean of unit 0 is NaN/);
});

test('a class list longer or shorter than the output layer is refused', () => {
  for (const classes of [['a', 'b', 'c', 'd', 'e'], ['a', 'b']]) {
    const f = { ...bnFile(), classes };
    assert.throws(() => parseModelFile(f), /\$\.classes: \d classes need an output layer \d wide, but the model's output is 3 wide/);
  }
});

test('a task whose output activation the network does not have is refused', () => {
  const f = { ...bnFile(), task: 'binary', classes: ['a', 'b'] };
  assert.throws(() => parseModelFile(f), /\$\.classes|\$\.task/);
});

test('__proto__, constructor and prototype keys are refused anywhere, in text and in objects', () => {
  const text = JSON.stringify(bnFile());
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    for (const section of ['metadata', 'training', 'preprocessing']) {
      const t = text.replace(/\}$/, `,"${section}":{"${key}":{"columns":["injected"]}}}`).replace(`"metadata":{"note":"ok"},`, section === 'metadata' ? '' : '"metadata":{"note":"ok"},');
      assert.throws(() => parseModelFile(t), new RegExp(`\\$\\.${section}\\.${key}: the key '${key}' is not allowed`), `${key} in ${section} (text)`);
      const o = JSON.parse(t) as Record<string, unknown>;
      assert.throws(() => parseModelFile(o), new RegExp(`\\$\\.${section}\\.${key}: the key '${key}' is not allowed`), `${key} in ${section} (object)`);
    }
  }
  const parsed = parseModelFile(text);
  assert.equal(Object.getPrototypeOf(parsed.metadata), Object.prototype);
});

test('explicit limits: nesting depth, string length, layers and parameters, each with the figure', () => {
  const base = bnFile();
  let deep: unknown = 1;
  for (let i = 0; i < MODEL_FILE_LIMITS.depth + 2; i++) deep = [deep];
  assert.throws(() => parseModelFile(JSON.stringify({ ...base, metadata: { deep } })), /\$\.metadata\.deep(\[0\])+: nested more than 64 levels deep/);
  assert.throws(() => parseModelFile(JSON.stringify({ ...base, metadata: { note: 'x'.repeat(MODEL_FILE_LIMITS.stringLength + 1) } })), /\$\.metadata\.note: a string of 65,537 characters, more than the 65,536 allowed/);
  const wide = mlp({ inputSize: 20000, outputSize: 3, task: 'multiclass', hidden: [10000], activation: 'relu' });
  assert.throws(() => parseModelFile({ ...base, spec: wide }), /\$\.spec: 200,040,003 parameters \(layer 'hidden1' has 200,010,000\), more than the 100,000,000/);
});

test('the memory estimate counts the parameters a built model has and grows with width and batch', () => {
  for (const hidden of [[4], [16, 8], []]) {
    const spec = mlp({ inputSize: 5, outputSize: 2, task: 'regression', hidden, activation: 'tanh', batchNorm: 'after' });
    assert.equal(estimateMemory(spec).parameters, new Model(spec).parameterCount, hidden.join(','));
  }
  const huge = estimateMemory(mlp({ inputSize: 4, outputSize: 3, task: 'multiclass', hidden: [10_000_000], activation: 'relu' }));
  assert.equal(huge.parameters, 4 * 1e7 + 1e7 + 1e7 * 3 + 3);
  assert.ok(huge.bytes > 4 * 1024 ** 3, `${huge.bytes}`);
  const a = estimateMemory(mlp({ inputSize: 4, outputSize: 1, task: 'regression', hidden: [100], activation: 'relu' }), { batchSize: 1000 });
  const b = estimateMemory(mlp({ inputSize: 4, outputSize: 1, task: 'regression', hidden: [100], activation: 'relu' }), { batchSize: 2000 });
  assert.ok(b.activationBytes === 2 * a.activationBytes);
});

test('a 10 MB value is quoted cut to a readable length, with its size', () => {
  const shown = showValue('x'.repeat(10_000_000));
  assert.ok(shown.length < 100, `${shown.length} characters`);
  assert.match(shown, /^'x{40}…' \(10,000,000 characters\)$/);
  assert.equal(showValue('a\tb'), "'a\\tb'");
  assert.equal(showValue(''), "'' (an empty cell)");
});

test('unexpected errors become one line without a stack; the divergence message promises no file', () => {
  assert.match(userMessage(new RangeError('offset is out of bounds')), /^internal error: offset is out of bounds \(run with --debug/);
  assert.match(userMessage(new RangeError('WebAssembly.Memory.grow(): Unable to grow instance memory')), /^out of memory .*--hidden or --batch-size/);
  const eisdir = Object.assign(new Error("EISDIR: illegal operation on a directory, read"), { code: 'EISDIR', syscall: 'read', path: 'data/' });
  assert.equal(userMessage(eisdir), 'data/: is a folder, not a file (EISDIR)');
  const m = divergedMessage("training diverged at epoch 3, batch 1: the loss is Infinity; no layer has a non-finite gradient. The model keeps its last finite weights; lower the learning rate or standardize the inputs.");
  assert.doesNotMatch(m, /keeps its last finite weights/);
  assert.match(m, /^training diverged at epoch 3, batch 1: .*No model, report or predictions file was written; try a smaller --lr/);
});

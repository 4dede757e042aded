import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { fit } from '../../src/train/fit.js';
import type { FitOptions } from '../../src/train/types.js';
import { DEFAULT_LEARNING_RATES, OPTIMIZER_KINDS, createOptimizer, resolveOptimizer } from '../../src/optim/optimizer.js';
import * as api from '../../src/index.js';

const X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const Y = [0, 1, 1, 0];
const small = (): Model => new Model(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [4], dtype: 'float64' }), { seed: 1 });

/** Options as a JavaScript caller may write them (misspelt keys are what is being tested). */
function loose(o: object): FitOptions {
  return { epochs: 1, ...o } as FitOptions;
}

const cases: [string, object, RegExp][] = [
  ['a misspelt top-level option', { earlystopping: { patience: 3 }, validation: { fraction: 0.5 } }, /^fit: unknown option earlystopping \(did you mean earlyStopping\?\)$/],
  ['an unknown top-level option with no near name', { colour: 'red' }, /^fit: unknown option colour; known options: epochs, batchSize, /],
  ['a misspelt early-stopping key', { validation: { fraction: 0.5 }, earlyStopping: { patiense: 3 } }, /^fit: unknown option earlyStopping\.patiense \(did you mean earlyStopping\.patience\?\)$/],
  ['a misspelt validation key', { validation: { fracton: 0.5 } }, /^fit: unknown option validation\.fracton \(did you mean validation\.fraction\?\)$/],
  ['a misspelt optimizer key', { optimizer: { kind: 'adam', beta: 0.9 } }, /^fit: unknown option optimizer\.beta \(did you mean optimizer\.beta1\?\)$/],
  ['an option of another optimizer', { optimizer: { kind: 'adam', momentum: 0.9 } }, /^fit: unknown option optimizer\.momentum; known options: optimizer\.kind, optimizer\.learningRate, /],
  ['a misspelt optimizer name', { optimizer: 'adma' }, /^fit: unknown optimizer "adma" \(did you mean adam\?\)/],
  ['a misspelt schedule key', { schedule: { kind: 'step', stepsize: 2 } }, /^fit: unknown option schedule\.stepsize \(did you mean schedule\.stepSize\?\)$/],
  ['a misspelt schedule name', { schedule: { kind: 'cosin', epochs: 3 } }, /^fit: unknown schedule "cosin" \(did you mean cosine\?\)/],
  ['a misspelt checkpoint key', { checkpoint: { every: 1, writer: () => undefined } }, /^fit: unknown option checkpoint\.writer \(did you mean checkpoint\.write\?\)$/],
];
for (const [what, o, expected] of cases) {
  test(`fit refuses ${what}, naming it and the closest known option`, async () => {
    await assert.rejects(fit(small(), { x: X, y: Y }, loose(o)), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, expected);
      return true;
    });
  });
}

test("optimizer: 'adam' trains with Adam at the default learning rate of the shared table", async () => {
  const h = await fit(small(), { x: X, y: Y }, { epochs: 2, optimizer: 'adam' });
  assert.equal(h.epochs[0]!.learningRate, DEFAULT_LEARNING_RATES.adam);
  const a = small();
  const b = small();
  await fit(a, { x: X, y: Y }, { epochs: 3, optimizer: 'sgd' });
  await fit(b, { x: X, y: Y }, { epochs: 3, optimizer: { kind: 'sgd', learningRate: DEFAULT_LEARNING_RATES.sgd } });
  assert.deepEqual(Array.from(a.getWeights()), Array.from(b.getWeights()));
});

test('a spec without learningRate, and no optimizer at all, take the default rates (Adam by default)', async () => {
  const h = await fit(small(), { x: X, y: Y }, { epochs: 1, optimizer: { kind: 'sgd', momentum: 0.9 } });
  assert.equal(h.epochs[0]!.learningRate, DEFAULT_LEARNING_RATES.sgd);
  const d = await fit(small(), { x: X, y: Y }, { epochs: 1 });
  assert.equal(d.epochs[0]!.learningRate, DEFAULT_LEARNING_RATES.adam);
});

test('every step rule has exactly one default learning rate, read the same through resolveOptimizer, createOptimizer and the public API', () => {
  const rules = OPTIMIZER_KINDS.filter((k) => k !== 'lbfgs');
  assert.deepEqual(Object.keys(DEFAULT_LEARNING_RATES).sort(), [...rules].sort());
  for (const kind of rules) {
    const spec = resolveOptimizer(kind);
    assert.ok(spec.kind !== 'lbfgs' && spec.learningRate === DEFAULT_LEARNING_RATES[kind]);
    assert.equal(createOptimizer(kind, undefined, 10).learningRate, DEFAULT_LEARNING_RATES[kind]);
  }
  assert.equal(api.DEFAULT_LEARNING_RATES, DEFAULT_LEARNING_RATES);
  assert.deepEqual(DEFAULT_LEARNING_RATES, { sgd: 0.01, adam: 1e-3, adamw: 1e-3, rmsprop: 1e-3, adagrad: 0.01 });
});

test('bad values are still refused with the option named', async () => {
  await assert.rejects(fit(small(), { x: X, y: Y }, { epochs: 0 }), /^Error: fit: epochs must be an integer ≥ 1, got 0/);
  await assert.rejects(fit(small(), { x: X, y: Y }, { epochs: 1, optimizer: { kind: 'adam', learningRate: -1 } }), /optimizer 'adam': learningRate must be a finite number > 0, got -1/);
  await assert.rejects(fit(small(), { x: X, y: Y }, { epochs: 1, earlyStopping: { patience: 2 } }), /fit: earlyStopping needs validation data or a validation fraction/);
  await assert.rejects(fit(small(), { x: X, y: Y }, { epochs: 1, validation: { fraction: 1.5 } }), /fit: validation\.fraction must be in \(0, 1\), got 1\.5/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradCheckCases, runGradCheckCase } from '../src/gradcheck-suite.js';
import { gradCheck, relativeError } from '../src/gradcheck.js';
import { Model } from '../src/graph/model.js';
import { ACTIVATIONS } from '../src/activations.js';

for (const c of gradCheckCases()) {
  test(`gradient check: ${c.name}`, () => {
    const r = runGradCheckCase(c);
    assert.ok(r.checked > 0, 'no component was checked');
    assert.ok(r.maxRelError <= 1e-6, `max relative error ${r.maxRelError} at ${r.worst?.where} (analytic ${r.worst?.analytic}, numeric ${r.worst?.numeric})`);
    assert.ok(r.skippedAtKinks <= r.checked * 0.05, `${r.skippedAtKinks} components skipped at kinks`);
  });
}

test('the gradient check detects a wrong derivative', () => {
  // Corrupt sin′ for the duration of the test: the check must report it.
  const sin = ACTIVATIONS.sin as { df: (x: number, y: number) => number };
  const original = sin.df;
  sin.df = (x) => 0.9 * Math.cos(x);
  try {
    const model = new Model({ inputSize: 2, layers: [{ kind: 'dense', units: 3, activation: 'sin' }, { kind: 'dense', units: 1 }], loss: 'mse', dtype: 'float64' }, { seed: 1 });
    const r = gradCheck(model, [[0.5, -1], [1.5, 0.2]], [[1], [0]], { mode: 'eval' });
    assert.ok(r.maxRelError > 1e-3, `a corrupted derivative passed with ${r.maxRelError}`);
  } finally {
    sin.df = original;
  }
});

test('gradCheck refuses a float32 model', () => {
  const model = new Model({ inputSize: 1, layers: [{ kind: 'dense', units: 1 }], loss: 'mse' });
  assert.throws(() => gradCheck(model, [[1]], [[1]]), /float64/);
});

test('relative error has a floor for tiny values', () => {
  assert.equal(relativeError(1, 1), 0);
  assert.ok(Math.abs(relativeError(2, 1) - 0.5) < 1e-15);
  assert.ok(relativeError(1e-12, 2e-12) < 1e-5);
});

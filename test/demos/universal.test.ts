import { test } from 'node:test';
import assert from 'node:assert/strict';
import { universalApproximation } from '../../src/demos/universal.js';

test('one hidden layer approximates a continuous 1-D function uniformly better as it widens', async () => {
  const r = await universalApproximation({ widths: [1, 4, 16], seed: 0 });
  const [w1, w4, w16] = r.runs;
  assert.ok(w4!.maxError < w1!.maxError && w16!.maxError < w4!.maxError, r.runs.map((u) => u.maxError).join(', '));
  assert.ok(w16!.maxError < 0.05, `max error at width 16: ${w16!.maxError}`);
  assert.ok(w1!.maxError > 0.5, `max error at width 1: ${w1!.maxError}`);
  assert.equal(w16!.curve.length, r.xs.length);
});

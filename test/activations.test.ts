import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIVATION_NAMES, ACTIVATIONS, activation, erf, sigmoid, softplus } from '../src/activations.js';
import { tsKernels } from '../src/kernels/ts.js';

const grid = Array.from({ length: 161 }, (_, i) => -8 + i * 0.1).filter((x) => Math.abs(x) > 1e-9);

for (const name of ACTIVATION_NAMES) {
  const a = ACTIVATIONS[name];
  if (!a.differentiable) continue;
  test(`${name}: f′ agrees with a central difference of f on [−8, 8]`, () => {
    const h = 1e-5;
    for (const x of grid) {
      if (a.kinks.some((k) => Math.abs(x - k) < 1e-3)) continue;
      const numeric = (a.f(x + h) - a.f(x - h)) / (2 * h);
      const analytic = a.df(x, a.f(x));
      assert.ok(Math.abs(numeric - analytic) <= 1e-6 * Math.max(1, Math.abs(numeric)), `${name}′(${x}) = ${analytic}, numeric ${numeric}`);
    }
  });
}

test('the TypeScript kernels\' specialised loops agree with the table for every activation', () => {
  const n = grid.length;
  const I = Float64Array.from(grid);
  for (const name of ACTIVATION_NAMES) {
    const a = ACTIVATIONS[name];
    const O = new Float64Array(n);
    const dO = Float64Array.from(grid, (_, i) => 0.5 + (i % 7) * 0.1);
    const dI = new Float64Array(n);
    tsKernels.map(a, I, O, n);
    tsKernels.mapGrad(a, I, O, dO, dI, n, 0);
    for (let i = 0; i < n; i++) {
      assert.ok(Math.abs(O[i]! - a.f(I[i]!)) < 1e-15, `${name}(${I[i]})`);
      assert.ok(Math.abs(dI[i]! - dO[i]! * a.df(I[i]!, O[i]!)) < 1e-15, `${name}′(${I[i]})`);
    }
  }
});

test('the step function is the lecture\'s indicator and is marked not differentiable', () => {
  const s = ACTIVATIONS.step;
  assert.equal(s.f(-0.1), 0);
  assert.equal(s.f(0), 1);
  assert.equal(s.f(2), 1);
  assert.equal(s.differentiable, false);
});

test('sigmoid and softplus stay finite and exact at extreme inputs', () => {
  assert.equal(sigmoid(1000), 1);
  assert.equal(sigmoid(-1000), 0);
  assert.ok(Math.abs(sigmoid(-30) - Math.exp(-30)) / Math.exp(-30) < 1e-12);
  assert.equal(softplus(1000), 1000);
  assert.ok(softplus(-1000) >= 0 && softplus(-1000) < 1e-300);
  assert.ok(Math.abs(softplus(0) - Math.LN2) < 1e-16);
});

test('σ′ = σ(1 − σ) peaks at 1/4, which is why deep sigmoid stacks shrink deltas', () => {
  const s = ACTIVATIONS.sigmoid;
  const xs = Array.from({ length: 2001 }, (_, i) => -10 + i * 0.01);
  const values = xs.map((x) => s.df(x, s.f(x)));
  const peak = Math.max(...values);
  assert.equal(peak, 0.25);
  assert.equal(xs[values.indexOf(peak)]!.toFixed(2), '0.00');
});

test('erf matches reference values to 1e-14', () => {
  const ref: [number, number][] = [[0, 0], [0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527], [3, 0.9999779095030014], [-1.5, -0.9661051464753108]];
  for (const [x, v] of ref) assert.ok(Math.abs(erf(x) - v) < 1e-14, `erf(${x}) = ${erf(x)}`);
});

test('an unknown activation name fails with the list of known names', () => {
  assert.throws(() => activation('swishy', 'layer h'), /layer h: unknown activation 'swishy'; expected one of identity, step, sigmoid/);
});

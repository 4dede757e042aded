import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lbfgsInit, lbfgsStateFromJSON, lbfgsStateToJSON, lbfgsStep, type LbfgsSpec } from '../../src/optim/lbfgs.js';

// Rosenbrock: f = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1).
const rosen = (v: Float64Array, g: Float64Array): number => {
  const x = v[0]!, y = v[1]!;
  g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
  g[1] = 200 * (y - x * x);
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
};

test('L-BFGS finds the Rosenbrock minimum from (−1.2, 1) within 100 iterations', () => {
  const spec: LbfgsSpec = { kind: 'lbfgs' };
  const st = lbfgsInit([-1.2, 1]);
  let it = 0;
  while (it < 100 && !lbfgsStep(spec, st, rosen).converged) it++;
  assert.ok(Math.abs(st.x[0]! - 1) < 1e-4 && Math.abs(st.x[1]! - 1) < 1e-4, `ended at ${Array.from(st.x)}`);
  assert.ok(it < 60, `${it} iterations`);
});

test('every L-BFGS iteration decreases the objective (sufficient decrease of the Wolfe line search)', () => {
  const st = lbfgsInit([-1.2, 1]);
  let prev = Infinity;
  for (let i = 0; i < 20; i++) {
    const r = lbfgsStep({ kind: 'lbfgs' }, st, rosen);
    assert.ok(r.f <= prev, `iteration ${i}: ${r.f} > ${prev}`);
    prev = r.f;
  }
});

test('L-BFGS state survives JSON and continues identically', () => {
  const spec: LbfgsSpec = { kind: 'lbfgs', historySize: 5 };
  const a = lbfgsInit([-1.2, 1]);
  for (let i = 0; i < 6; i++) lbfgsStep(spec, a, rosen);
  const b = lbfgsStateFromJSON(JSON.parse(JSON.stringify(lbfgsStateToJSON(a))));
  for (let i = 0; i < 6; i++) { lbfgsStep(spec, a, rosen); lbfgsStep(spec, b, rosen); }
  assert.deepEqual(Array.from(b.x), Array.from(a.x));
});

test('on an ill-conditioned quadratic L-BFGS reaches the minimum to 1e-8 within 20 iterations', () => {
  const d = [1, 10, 100];
  const q = (v: Float64Array, g: Float64Array): number => { let f = 0; for (let i = 0; i < 3; i++) { g[i] = d[i]! * (v[i]! - 1); f += 0.5 * d[i]! * (v[i]! - 1) ** 2; } return f; };
  const st = lbfgsInit([0, 0, 0]);
  let it = 0;
  while (it < 30 && !lbfgsStep({ kind: 'lbfgs', gradientTolerance: 1e-8 }, st, q).converged) it++;
  assert.ok(it <= 20, `${it} iterations`);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(st.x[i]! - 1) < 1e-8);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOSSES, quantileLoss } from '../src/losses.js';
import { Model } from '../src/graph/model.js';
import { mlp } from '../src/graph/builders.js';
import { fit } from '../src/train/fit.js';
import { Rng } from '../src/rng.js';

const f64 = (a: number[]): Float64Array => Float64Array.from(a);

test('poisson loss and its gradient equal PyTorch\'s poisson_nll_loss(log_input=True) to 1e-15', () => {
  // Golden values from torch.nn.functional.poisson_nll_loss (float64) on these logits and counts.
  const I = f64([0.3, -1.2, 2.0, 0.1, -30.0, 1.5]);
  const O = I.map(Math.exp);
  const Y = f64([1, 0, 7, 2, 0, 3]);
  assert.ok(Math.abs(LOSSES.poisson.value(O, I, Y, 3, 2) - -0.7288384821945565) < 1e-15);
  const d = new Float64Array(6);
  LOSSES.poisson.grad(O, I, Y, 3, 2, d);
  const torch = [0.05830980126266719, 0.050199035318700354, 0.06484268315510855, -0.14913818032072537, 1.559603828140029e-14, 0.24694817838967742];
  torch.forEach((g, i) => assert.ok(Math.abs(d[i]! - g) < 1e-15, `grad[${i}] ${d[i]} vs ${g}`));
});

test('poisson loss is finite where the predicted mean underflows to 0 (computed from the logit)', () => {
  const I = f64([-1000]);
  const v = LOSSES.poisson.value(I.map(Math.exp), I, f64([2]), 1, 1);
  assert.equal(v, 2000);
});

test('quantile loss equals scikit-learn\'s mean_pinball_loss, and τ = ½ is half the absolute error', () => {
  const y = f64([1, 2, 3, 4]);
  const p = f64([1.5, 1, 3, 5]);
  assert.ok(Math.abs(quantileLoss([0.9]).value(p, p, y, 4, 1) - 0.26249999999999996) < 1e-15);
  assert.ok(Math.abs(LOSSES.quantile.value(p, p, y, 4, 1) - 0.5 * LOSSES.mae.value(p, p, y, 4, 1)) < 1e-15);
});

test('a model spec refuses quantiles with another loss, of the wrong count, or outside (0, 1)', () => {
  const layers = [{ kind: 'dense', units: 2 }] as const;
  assert.throws(() => new Model({ inputSize: 1, layers, loss: 'mse', quantiles: [0.1, 0.9] }), /quantiles are the quantile loss's τ, but the loss is 'mse'/);
  assert.throws(() => new Model({ inputSize: 1, layers, loss: 'quantile', quantiles: [0.1, 0.5, 0.9] }), /one per output \(2\)/);
  assert.throws(() => new Model({ inputSize: 1, layers, loss: 'quantile', quantiles: [0.1, 1] }), /quantiles\[1\] must be a number/);
});

test('the poisson loss needs an exp output, and mlp() gives it one', () => {
  assert.throws(() => new Model({ inputSize: 1, layers: [{ kind: 'dense', units: 1 }], loss: 'poisson' }), /loss 'poisson' needs a exp output/);
  const spec = mlp({ inputSize: 2, outputSize: 1, task: 'regression', loss: 'poisson' });
  assert.equal((spec.layers[spec.layers.length - 1] as { activation?: unknown }).activation, 'exp');
});

/** Knuth's sampler: the number of uniform draws whose product stays above e^(−λ). */
function poissonDraw(lambda: number, rng: Rng): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng.uniform();
  while (p > limit) { k++; p *= rng.uniform(); }
  return k;
}

test('a poisson network recovers the rate exp(0.5 + x₁ − 0.7x₂) of counts within 10%', async () => {
  const rng = new Rng(3);
  const rate = (x: number[]): number => Math.exp(0.5 + x[0]! - 0.7 * x[1]!);
  const x = Array.from({ length: 3000 }, () => [rng.range(-1, 1), rng.range(-1, 1)]);
  const y = x.map((r) => [poissonDraw(rate(r), rng)]);
  const model = new Model(mlp({ inputSize: 2, outputSize: 1, task: 'regression', loss: 'poisson', hidden: [8], activation: 'tanh' }), { seed: 1 });
  await fit(model, { x, y }, { epochs: 40, batchSize: 64, optimizer: { kind: 'adam', learningRate: 0.01 }, seed: 2 });
  const test = Array.from({ length: 500 }, () => [rng.range(-0.9, 0.9), rng.range(-0.9, 0.9)]);
  const pred = model.predict(test).data;
  let rel = 0;
  test.forEach((r, i) => { assert.ok(pred[i]! > 0); rel += Math.abs(pred[i]! - rate(r)) / rate(r); });
  assert.ok(rel / test.length < 0.1, `mean relative error of the rate ${rel / test.length}`);
});

test('three quantile outputs (τ = 0.1, 0.5, 0.9) cover 10%, 50%, 90% of held-out rows within 3 points', async () => {
  const rng = new Rng(5);
  // Heteroscedastic: the spread grows with |x|, so a constant band would miss the target coverage locally.
  const draw = (n: number): { x: number[][]; y: number[][] } => {
    const x = Array.from({ length: n }, () => [rng.range(-2, 2)]);
    return { x, y: x.map((r) => [Math.sin(r[0]!) + (0.2 + 0.4 * Math.abs(r[0]!)) * rng.normal()]) };
  };
  const train = draw(4000);
  const held = draw(4000);
  const quantiles = [0.1, 0.5, 0.9];
  const spec = { ...mlp({ inputSize: 1, outputSize: 3, task: 'regression', loss: 'quantile', hidden: [16], activation: 'tanh' }), quantiles };
  const model = new Model(spec, { seed: 4 });
  // Every output is scored against the same target: the target column is repeated once per τ.
  await fit(model, { x: train.x, y: train.y.map((r) => [r[0]!, r[0]!, r[0]!]) }, { epochs: 60, batchSize: 64, optimizer: { kind: 'adam', learningRate: 0.01 }, seed: 6 });
  const pred = model.predict(held.x).data;
  quantiles.forEach((tau, j) => {
    const below = held.y.filter((r, i) => r[0]! < pred[i * 3 + j]!).length / held.y.length;
    assert.ok(Math.abs(below - tau) < 0.03, `τ = ${tau}: ${below} of the rows fall below the predicted quantile`);
  });
  // And locally: among |x| > 1.5 the band still holds about 80% of the rows.
  const wide = held.x.map((r, i) => i).filter((i) => Math.abs(held.x[i]![0]!) > 1.5);
  const inside = wide.filter((i) => held.y[i]![0]! >= pred[i * 3]! && held.y[i]![0]! <= pred[i * 3 + 2]!).length / wide.length;
  assert.ok(Math.abs(inside - 0.8) < 0.06, `80% band covers ${inside} where the noise is widest`);
});

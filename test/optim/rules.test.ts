import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apply, init, optimizerStateFromJSON, optimizerStateToJSON, validateRule, type StepRuleSpec } from '../../src/optim/rules.js';

// The quadratic f(θ) = ½ θᵀAθ − bᵀθ, ∇f = Aθ − b, from θ₀ = (0.5, −1, 2); g₀[0] is exactly 0.
const A = [[3, 0.5, 0], [0.5, 2, 0.2], [0, 0.2, 1]];
const b = [1, -2, 0.5];
const grad = (th: Float64Array, g: Float64Array): void => {
  for (let i = 0; i < 3; i++) g[i] = A[i]![0]! * th[0]! + A[i]![1]! * th[1]! + A[i]![2]! * th[2]! - b[i]!;
};

// Reference trajectories (θ after steps 1–4) from PyTorch 1.13 torch.optim in float64 on the same
// quadratic: zero_grad, loss = 0.5*θ@A@θ − b@θ, backward, step; printed by test/optim/torch-reference.py.
const TORCH: Record<string, number[][]> = {"gd": [[0.5, -1.065, 1.8699999999999999], [0.50325, -1.1143999999999998, 1.7543], [0.507995, -1.1517684999999998, 1.651158], [0.513184925, -1.1798377099999997, 1.55907757]], "momentum": [[0.5, -1.065, 1.8699999999999999], [0.50325, -1.1728999999999998, 1.6373], [0.513845, -1.2933385, 1.337598], [0.533893925, -1.3955096599999999, 1.00997317]], "nesterov": [[0.5, -1.1235, 1.753], [0.5117325, -1.243334, 1.452323], [0.533163455, -1.3306965415, 1.140566022], [0.5571820615924999, -1.372280523641, 0.852172724197]], "adam": [[0.5, -1.0999999984615385, 1.9000000007692308], [0.5744136613145986, -1.1969465877433636, 1.8003688272490064], [0.5365006371558967, -1.2879754666094438, 1.7014095999532457], [0.5208696501927145, -1.3647932560771916, 1.6034713348680645]], "adamw": [[0.4975, -1.0949999984615384, 1.8900000007692308], [0.5694261632275163, -1.1866493456944593, 1.7809577934760839], [0.5337646067526388, -1.272426283331083, 1.6732065424548037], [0.5205392950551698, -1.3449867852370543, 1.567132008101842]], "rmsprop": [[0.5, -1.099999984615387, 1.9000000076923071], [0.5999998000003692, -1.1553664445140017, 1.8326044417720055], [0.5024133848847548, -1.1971883043860438, 1.779161116452786], [0.5397939202940054, -1.2215548436776709, 1.7339418948729457]], "rmspropMomentum": [[0.5, -1.099999984615387, 1.9000000076923071], [0.5999998000003692, -1.2053664368216952, 1.7826044456181591], [0.5530342933066413, -1.2883602562849001, 1.6725918192230336], [0.522201172427616, -1.3341063727502938, 1.5763189219108955]], "adagrad": [[0.5, -1.0999999999846153, 1.9000000000076924], [0.5999999998, -1.1551735669241894, 1.832789440733015], [0.5024349887786879, -1.1967430259630258, 1.7796350103187044], [0.539532227529606, -1.2209360730030652, 1.7347786553021236]]};

const RULES: Record<string, StepRuleSpec> = {
  gd: { kind: 'sgd', learningRate: 0.1 },
  momentum: { kind: 'sgd', learningRate: 0.1, momentum: 0.9 },
  nesterov: { kind: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true },
  adam: { kind: 'adam', learningRate: 0.1 },
  adamw: { kind: 'adamw', learningRate: 0.1, weightDecay: 0.05 },
  rmsprop: { kind: 'rmsprop', learningRate: 0.01 },
  rmspropMomentum: { kind: 'rmsprop', learningRate: 0.01, momentum: 0.5 },
  adagrad: { kind: 'adagrad', learningRate: 0.1 },
};

function run(rule: StepRuleSpec, steps: number): number[][] {
  const th = Float64Array.from([0.5, -1, 2]);
  const g = new Float64Array(3);
  const st = init(rule, 3);
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    grad(th, g);
    apply(rule, st, th, g, rule.learningRate, t);
    out.push(Array.from(th));
  }
  return out;
}

for (const [name, rule] of Object.entries(RULES)) {
  test(`${name}: the first four steps equal PyTorch's to 1e-12`, () => {
    const ours = run(rule, 4);
    TORCH[name]!.forEach((row, t) => row.forEach((v, i) => {
      assert.ok(Math.abs(ours[t]![i]! - v) <= 1e-12 * Math.max(1, Math.abs(v)), `${name} step ${t + 1} θ[${i}]: ${ours[t]![i]} vs ${v}`);
    }));
  });
}

test('plain gradient descent takes the hand-computed step θ − η g', () => {
  // g₀ = Aθ₀ − b = (0, 0.65, 1.3): θ₁ = (0.5, −1 − 0.065, 2 − 0.13).
  assert.deepEqual(run(RULES.gd!, 1)[0]!.map((v) => Math.round(v * 1e12) / 1e12), [0.5, -1.065, 1.87]);
});

test("Adam's first step moves each coordinate by about η against the sign of its gradient", () => {
  // m̂ = g, v̂ = g², so the step is η g / (|g| + ε).
  const th1 = run(RULES.adam!, 1)[0]!;
  assert.equal(th1[0], 0.5);
  assert.ok(Math.abs(th1[1]! - (-1 - 0.1 * 0.65 / (0.65 + 1e-8))) < 1e-15);
  assert.ok(Math.abs(th1[2]! - (2 - 0.1 * 1.3 / (1.3 + 1e-8))) < 1e-15);
});

test('AdamW is Adam after multiplying the parameters by 1 − ηλ', () => {
  const th = Float64Array.from([0.5, -1, 2]);
  const g = Float64Array.from([0.3, -0.2, 1]);
  const s1 = init({ kind: 'adamw', learningRate: 0.1, weightDecay: 0.5 }, 3);
  apply({ kind: 'adamw', learningRate: 0.1, weightDecay: 0.5 }, s1, th, g, 0.1, 1);
  const th2 = Float64Array.from([0.5 * 0.95, -1 * 0.95, 2 * 0.95]);
  apply({ kind: 'adam', learningRate: 0.1 }, init({ kind: 'adam', learningRate: 0.1 }, 3), th2, g, 0.1, 1);
  assert.deepEqual(Array.from(th), Array.from(th2));
});

test('optimizer state survives JSON and continues the same trajectory', () => {
  const rule = RULES.adam!;
  const th = Float64Array.from([0.5, -1, 2]);
  const g = new Float64Array(3);
  const st = init(rule, 3);
  for (let t = 1; t <= 2; t++) { grad(th, g); apply(rule, st, th, g, 0.1, t); }
  const restored = optimizerStateFromJSON(JSON.parse(JSON.stringify(optimizerStateToJSON(st))), rule, 3);
  const th2 = th.slice();
  for (let t = 3; t <= 4; t++) {
    grad(th, g); apply(rule, st, th, g, 0.1, t);
    grad(th2, g); apply(rule, restored, th2, g, 0.1, t);
  }
  assert.deepEqual(Array.from(th2), Array.from(th));
});

test('bad hyperparameters are rejected with the option name and value', () => {
  assert.throws(() => validateRule({ kind: 'sgd', learningRate: -1 }), /learningRate must be a finite number > 0, got -1/);
  assert.throws(() => validateRule({ kind: 'adam', learningRate: 0.1, beta1: 1 }), /beta1 must be in \[0, 1\), got 1/);
  assert.throws(() => validateRule({ kind: 'sgd', learningRate: 0.1, nesterov: true }), /nesterov needs momentum/);
});

// The lecture's worked backpropagation example, checked number by number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../src/graph/model.js';
import { sigmoid } from '../src/activations.js';
import type { Dense } from '../src/layers/dense.js';

test('for L = ½Σ(O_j − y_j)² with sigmoid outputs, δ_j = (O_j − y_j)·O_j·(1 − O_j), and hidden deltas follow equation (2)', () => {
  const model = new Model({
    inputSize: 2,
    layers: [
      { kind: 'dense', name: 'hidden', units: 3, activation: 'sigmoid' },
      { kind: 'dense', name: 'out', units: 2, activation: 'sigmoid' },
    ],
    loss: 'halfSquaredError', dtype: 'float64',
  }, { seed: 4 });
  const x = [0.7, -1.2];
  const y = [1, 0];
  model.forward([x]);
  model.loss([y]);
  model.zeroGrad();
  model.backward();
  const hidden = model.node('hidden') as Dense;
  const out = model.node('out') as Dense;
  const W2 = out.W.value.a;
  const O = out.O.a;
  // Output layer, equation (1) with the lecture's example.
  for (let j = 0; j < 2; j++) {
    const expected = (O[j]! - y[j]!) * O[j]! * (1 - O[j]!);
    assert.ok(Math.abs(out.delta.a[j]! - expected) < 1e-15, `δ_out[${j}] = ${out.delta.a[j]}, expected ${expected}`);
    // O_j = σ(I_j)
    assert.ok(Math.abs(O[j]! - sigmoid(out.I.a[j]!)) < 1e-15);
  }
  // Hidden layer, equation (2): δ_j = Σ_{k∈out(j)} δ_k w_jk · f′(I_j).
  for (let j = 0; j < 3; j++) {
    const Oj = hidden.O.a[j]!;
    let s = 0;
    for (let k = 0; k < 2; k++) s += out.delta.a[k]! * W2[j * 2 + k]!;
    const expected = s * Oj * (1 - Oj);
    assert.ok(Math.abs(hidden.delta.a[j]! - expected) < 1e-15, `δ_hidden[${j}] = ${hidden.delta.a[j]}, expected ${expected}`);
  }
  // Equation (3): ∂L/∂w_ij = δ_j·O_i.
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 2; j++) {
      const expected = out.delta.a[j]! * hidden.O.a[i]!;
      assert.ok(Math.abs(out.W.grad.a[i * 2 + j]! - expected) < 1e-15);
    }
  }
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 3; j++) {
      assert.ok(Math.abs(hidden.W.grad.a[i * 3 + j]! - hidden.delta.a[j]! * x[i]!) < 1e-15);
    }
  }
  // The bias is the weight of the constant unit O_const ≡ 1, so its gradient is δ_j.
  for (let j = 0; j < 2; j++) assert.ok(Math.abs(out.b!.grad.a[j]! - out.delta.a[j]!) < 1e-15);
});

// Minimal update rules for engine tests (the library's optimizers live in src/optim and are tested there).
import type { Model } from '../../src/graph/model.js';
import type { MatrixLike } from '../../src/matrix.js';
import { Rng } from '../../src/rng.js';

/** The lecture's gradient descent: w ← w − α·∇L, on the full batch. Returns the final loss. */
export function gradientDescent(model: Model, x: MatrixLike, y: MatrixLike, lr: number, steps: number): number {
  let loss = NaN;
  for (let t = 0; t < steps; t++) {
    model.forward(x, { mode: 'train' });
    loss = model.loss(y);
    model.zeroGrad();
    model.backward();
    const w = model.paramBuffer.a;
    const g = model.gradBuffer.a;
    for (let i = 0; i < w.length; i++) w[i]! -= lr * g[i]!;
    model.applyConstraints();
  }
  return loss;
}

/** Adam on the full batch (Kingma & Ba, bias-corrected). Returns the final loss. */
export function adam(model: Model, x: MatrixLike, y: MatrixLike, lr: number, steps: number): number {
  const n = model.paramBuffer.length;
  const m1 = new Float64Array(n);
  const m2 = new Float64Array(n);
  let loss = NaN;
  for (let t = 1; t <= steps; t++) {
    model.forward(x, { mode: 'train' });
    loss = model.loss(y);
    model.zeroGrad();
    model.backward();
    const w = model.paramBuffer.a;
    const g = model.gradBuffer.a;
    const c1 = 1 - 0.9 ** t;
    const c2 = 1 - 0.999 ** t;
    for (let i = 0; i < n; i++) {
      m1[i] = 0.9 * m1[i]! + 0.1 * g[i]!;
      m2[i] = 0.999 * m2[i]! + 0.001 * g[i]! * g[i]!;
      w[i]! -= (lr * (m1[i]! / c1)) / (Math.sqrt(m2[i]! / c2) + 1e-8);
    }
    model.applyConstraints();
  }
  return loss;
}

/** Two Gaussian blobs in the plane, labels one-hot. */
export function blobs(n: number, seed = 5): { x: number[][]; y: number[][]; labels: number[] } {
  const rng = new Rng(seed);
  const x: number[][] = [];
  const y: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    x.push([c * 2 - 1 + 0.5 * rng.normal(), (c ? 1 : -1) * 0.5 + 0.5 * rng.normal()]);
    y.push(c ? [0, 1] : [1, 0]);
    labels.push(c);
  }
  return { x, y, labels };
}

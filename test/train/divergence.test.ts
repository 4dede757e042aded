import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { fit } from '../../src/train/fit.js';
import { TrainingDivergedError } from '../../src/train/types.js';
import { loadDataset } from '../../src/data/datasets.js';
import { StandardScaler } from '../../src/data/scalers.js';
import type { StepRuleKind } from '../../src/optim/optimizer.js';

/** The diabetes regression, inputs and target standardized. */
async function diabetes(): Promise<{ x: ReturnType<StandardScaler['fitTransform']>; y: number[] }> {
  const d = await loadDataset('diabetes');
  const t = d.y.map(Number);
  const mean = t.reduce((a, b) => a + b, 0) / t.length;
  const sd = Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) / t.length);
  return { x: new StandardScaler().fitTransform(d.x), y: t.map((v) => (v - mean) / sd) };
}

const net = (inputs: number): Model => new Model(mlp({ inputSize: inputs, outputSize: 1, task: 'regression', hidden: [32, 32], activation: 'relu' }), { seed: 1 });

for (const kind of ['adam', 'rmsprop'] as const satisfies readonly StepRuleKind[]) {
  test(`${kind} at learning rate 100 on a standardized regression stops with an error naming the epoch and the learning rate`, async () => {
    const data = await diabetes();
    const m = net(data.x.cols);
    const seen: number[] = [];
    await assert.rejects(
      fit(m, data, { epochs: 100, batchSize: 32, optimizer: { kind, learningRate: 100 }, onEpochEnd: (r) => { seen.push(r.trainLoss); } }),
      (e: unknown) => {
        assert.ok(e instanceof TrainingDivergedError, String(e));
        assert.match(e.message, /^training diverged at epoch (\d+): the training loss .* has stayed above 1000× its best .* for 3 epochs; .*optimizer\.learningRate, now 100/);
        assert.ok(e.epoch <= 10, `caught at epoch ${e.epoch}`);
        return true;
      },
    );
    assert.ok(Array.from(m.getWeights()).every(Number.isFinite));
  });
}

test('a healthy run with a tiny final loss is not taken for divergence', async () => {
  const x = Array.from({ length: 64 }, (_, i) => [i / 64]);
  const y = x.map((r) => 2 * r[0]! - 1);
  const m = new Model(mlp({ inputSize: 1, outputSize: 1, task: 'regression', hidden: [], dtype: 'float64' }), { seed: 2 });
  const h = await fit(m, { x, y }, { epochs: 300, batchSize: 64, optimizer: { kind: 'adam', learningRate: 0.05 } });
  assert.equal(h.stopReason, 'maxEpochs');
  assert.ok(h.epochs.at(-1)!.trainLoss < 1e-6, `loss ${h.epochs.at(-1)!.trainLoss}`);
});

test('plain SGD whose loss explodes (still finite) is stopped by the same test, three epochs after it started growing', async () => {
  const m = new Model(mlp({ inputSize: 2, outputSize: 1, task: 'regression', hidden: [8], activation: 'relu', dtype: 'float64' }), { seed: 1 });
  const x = Array.from({ length: 32 }, (_, i) => [i, 2 * i]);
  const y = x.map((r) => [r[0]! * 1000]);
  await assert.rejects(
    fit(m, { x, y }, { epochs: 50, batchSize: 8, optimizer: { kind: 'sgd', learningRate: 10 } }),
    (e: unknown) => e instanceof TrainingDivergedError && e.epoch === 3 && e.batch === 0 && /Lower the learning rate \(optimizer\.learningRate, now 10\)/.test(e.message),
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { tsBackend } from '../../src/kernels/ts.js';
import { apply, init } from '../../src/optim/rules.js';
import { evaluateLoss, fit, prepareData } from '../../src/train/fit.js';
import { TrainingDivergedError, type Checkpoint } from '../../src/train/types.js';
import { twoSpirals, xor } from '../../src/data/generators.js';

const XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const XOR_Y = [[0], [1], [1], [0]];
const small = (seed = 1, hidden = [8]): Model => new Model(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden, activation: 'tanh', dtype: 'float64' }), { seed });

test('batch = N with plain SGD is the lecture\'s gradient descent: fit equals the five calls by hand', async () => {
  const a = small();
  const b = small();
  await fit(a, { x: XOR_X, y: XOR_Y }, { epochs: 5, batchSize: 4, shuffle: false, optimizer: { kind: 'sgd', learningRate: 0.5 } });
  const rule = { kind: 'sgd', learningRate: 0.5 } as const;
  const st = init(rule, b.parameterCount);
  for (let t = 1; t <= 5; t++) {
    b.forward(XOR_X, { mode: 'train' });
    b.loss(XOR_Y);
    b.zeroGrad();
    b.backward();
    apply(rule, st, b.paramBuffer.a, b.gradBuffer.a, 0.5, t);
    b.applyConstraints();
  }
  assert.deepEqual(Array.from(a.getWeights()), Array.from(b.getWeights()));
});

test('the same seed gives the same weights and a different seed different ones', async () => {
  const d = xor({ n: 64, seed: 2 });
  const y = d.y.map((v) => [Number(v)]);
  const run = async (seed: number): Promise<number[]> => {
    const m = small();
    await fit(m, { x: d.x, y }, { epochs: 3, batchSize: 8, seed, optimizer: { kind: 'adam', learningRate: 0.01 } });
    return Array.from(m.getWeights());
  };
  assert.deepEqual(await run(5), await run(5));
  assert.notDeepEqual(await run(5), await run(6));
});

test('fit learns XOR and records per-layer gradient norms and mean |f′(I)| each epoch', async () => {
  const m = small(3);
  const h = await fit(m, { x: XOR_X, y: XOR_Y }, { epochs: 300, batchSize: 4, optimizer: { kind: 'adam', learningRate: 0.05 } });
  assert.equal(h.epochs.length, 300);
  assert.ok(h.epochs.at(-1)!.trainLoss < 0.05, `final loss ${h.epochs.at(-1)!.trainLoss}`);
  const r = h.epochs[0]!;
  assert.deepEqual(Object.keys(r.gradNorms).sort(), ['hidden1', 'output']);
  assert.ok(r.gradNorms.hidden1! > 0 && r.meanAbsDerivative.hidden1! > 0 && r.meanAbsDerivative.hidden1! <= 1);
  const p = m.predict(XOR_X).data;
  assert.deepEqual(Array.from(p, (v) => (v > 0.5 ? 1 : 0)), [0, 1, 1, 0]);
});

test('a non-finite gradient throws an error naming epoch, batch and the first layer, and leaves finite weights', async () => {
  const m = new Model(mlp({ inputSize: 2, outputSize: 1, task: 'regression', hidden: [8], activation: 'sigmoid', dtype: 'float32' }), { seed: 1 });
  const x = Array.from({ length: 32 }, (_, i) => [i, 2 * i]);
  const y = x.map((r) => [r[0]! * 1e18]);
  await assert.rejects(
    fit(m, { x, y }, { epochs: 5, batchSize: 8, optimizer: { kind: 'sgd', learningRate: 1 } }),
    (e: unknown) => {
      assert.ok(e instanceof TrainingDivergedError);
      assert.equal(e.message.split('.')[0], "training diverged at epoch 1, batch 3: a gradient is not finite; first layer with a non-finite gradient: 'hidden1'");
      assert.deepEqual([e.epoch, e.batch, e.layer], [1, 3, 'hidden1']);
      return true;
    },
  );
  assert.ok(Array.from(m.getWeights()).every(Number.isFinite));
});

test('an update that makes weights non-finite stops training and puts back exactly the weights before that step', async () => {
  const x = Array.from({ length: 64 }, (_, i) => [Math.sin(i), Math.cos(i)]);
  const y = x.map((r) => [r[0]! - r[1]!]);
  for (const [backend, dtype] of [[undefined, 'float32'], [tsBackend, 'float32'], [tsBackend, 'float64']] as const) {
    const what = `${backend?.name ?? 'default backend'}, ${dtype}`;
    const build = (): Model => new Model(mlp({ inputSize: 2, outputSize: 1, task: 'regression', hidden: [300], activation: 'tanh', dtype }), { seed: 3, ...(backend === undefined ? {} : { backend }) });
    // Two healthy epochs at η = 0.01, then (a checkpoint's resume) the largest double as η in the third: Adam's
    // step size η/(1 − β₁ᵗ) overflows in float32 and in float64.
    const m = build();
    const cps: Checkpoint[] = [];
    const opts = { epochs: 2, batchSize: 16, shuffle: false, optimizer: { kind: 'adam', learningRate: 0.01 } } as const;
    await fit(m, { x, y }, { ...opts, checkpoint: { every: 2, write: (cp) => { cps.push(cp); } } });
    const before = Array.from(m.getWeights());
    const huge = { ...opts, epochs: 3, optimizer: { kind: 'adam', learningRate: Number.MAX_VALUE }, resumeFrom: cps[0]!, resumeForce: true } as const;
    await assert.rejects(fit(m, { x, y }, huge), (e: unknown) => {
      assert.ok(e instanceof TrainingDivergedError, `${what}: ${String(e)}`);
      assert.match(e.message, /^training diverged at epoch 3, batch 1: the update made weights of layer 'hidden1' non-finite/, what);
      return true;
    });
    assert.deepEqual(Array.from(m.getWeights()), before, `${what}: the weights before the failing step`);
  }
});

test('a step that overflows the weights after healthy steps puts back the weights of the step before, not of the start', async () => {
  const x = Array.from({ length: 64 }, (_, i) => [Math.sin(i), Math.cos(i)]);
  const y = x.map((r) => [r[0]! - r[1]!]);
  y[40] = [1e38]; // batch 3's bias gradient ≈ 2·1e38/16; η = 100 takes the step past float32's largest value
  for (const backend of [undefined, tsBackend]) {
    const what = backend?.name ?? 'default backend';
    const m = new Model(mlp({ inputSize: 2, outputSize: 1, task: 'regression', hidden: [], dtype: 'float32' }), { seed: 3, ...(backend === undefined ? {} : { backend }) });
    const weights: number[][] = [];
    const opts = { epochs: 1, batchSize: 16, shuffle: false, optimizer: { kind: 'sgd', learningRate: 100 }, onBatchEnd: () => { weights.push(Array.from(m.getWeights())); } } as const;
    await assert.rejects(fit(m, { x, y }, opts), /^TrainingDivergedError: training diverged at epoch 1, batch 3: the update made weights of layer 'output' non-finite/, what);
    assert.equal(weights.length, 2, `${what}: two healthy steps`);
    assert.deepEqual(Array.from(m.getWeights()), weights[1], `${what}: the weights after batch 2`);
  }
});

test('an infinite loss also stops training, and the weights stay finite', async () => {
  const m = new Model(mlp({ inputSize: 2, outputSize: 1, task: 'regression', hidden: [8], activation: 'relu', dtype: 'float64' }), { seed: 1 });
  const x = Array.from({ length: 32 }, (_, i) => [i, 2 * i]);
  // Targets of 1e100: the loss overflows within the first epoch, before the growth test (3 epochs) could see it.
  const y = x.map((r) => [r[0]! * 1e100]);
  await assert.rejects(
    fit(m, { x, y }, { epochs: 50, batchSize: 8, optimizer: { kind: 'sgd', learningRate: 10 } }),
    /^TrainingDivergedError: training diverged at epoch \d+, batch \d+: the loss is Infinity/,
  );
  assert.ok(Array.from(m.getWeights()).every(Number.isFinite));
});

test('early stopping stops after `patience` epochs without improvement and restores the best weights', async () => {
  const d = twoSpirals({ n: 120, seed: 1, noise: 0.3 });
  const v = twoSpirals({ n: 60, seed: 2, noise: 0.3 });
  const validation = { x: v.x, y: v.y.map((t) => [Number(t)]) };
  const m = new Model(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [64, 64], activation: 'relu' }), { seed: 1 });
  const h = await fit(m, { x: d.x, y: d.y.map((t) => [Number(t)]) }, {
    epochs: 400, batchSize: 16, optimizer: { kind: 'adam', learningRate: 0.01 }, validation, earlyStopping: { patience: 10 },
  });
  assert.equal(h.stopReason, 'earlyStopping');
  assert.equal(h.epochs.length, h.bestEpoch + 10);
  const best = h.epochs[h.bestEpoch - 1]!.valLoss!;
  assert.ok(h.epochs.slice(h.bestEpoch).every((r) => r.valLoss! >= best));
  const val = prepareData(m, validation, 'validation');
  assert.equal(evaluateLoss(m, val, Int32Array.from({ length: val.x.rows }, (_, i) => i)), best);
});

test('a run resumed from a checkpoint reaches the same weights as an uninterrupted run', async () => {
  const d = twoSpirals({ n: 80, seed: 3 });
  const y = d.y.map((v) => [Number(v)]);
  const build = (): Model => new Model(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [16], dropout: 0.2, activation: 'relu' }), { seed: 4 });
  const opts = { epochs: 12, batchSize: 10, seed: 9, optimizer: { kind: 'adam', learningRate: 0.01 }, schedule: { kind: 'plateau', patience: 1 }, validation: { fraction: 0.25 } } as const;
  const full = build();
  const cps: Checkpoint[] = [];
  const h1 = await fit(full, { x: d.x, y }, { ...opts, checkpoint: { every: 5, write: (cp) => { cps.push(JSON.parse(JSON.stringify(cp)) as Checkpoint); } } });
  assert.deepEqual(cps.map((c) => c.epoch), [5, 10]);
  const resumed = build();
  const h2 = await fit(resumed, { x: d.x, y }, { ...opts, resumeFrom: cps[0]! });
  assert.deepEqual(Array.from(resumed.getWeights()), Array.from(full.getWeights()));
  assert.equal(h2.epochs.length, 12);
  assert.deepEqual(h2.epochs.map((r) => r.trainLoss), h1.epochs.map((r) => r.trainLoss));
});

test('an AbortSignal stops training at the next batch with stopReason aborted', async () => {
  const ac = new AbortController();
  const m = small();
  const h = await fit(m, { x: XOR_X, y: XOR_Y }, {
    epochs: 1000, batchSize: 1, optimizer: { kind: 'sgd', learningRate: 0.1 }, signal: ac.signal,
    onEpochEnd: (r) => { if (r.epoch === 3) ac.abort(); },
  });
  assert.equal(h.stopReason, 'aborted');
  assert.equal(h.epochs.length, 4);
});

test('a training loss stalled for nIterNoChange epochs stops with noImprovement', async () => {
  const m = small();
  const h = await fit(m, { x: XOR_X, y: XOR_Y }, { epochs: 500, batchSize: 4, optimizer: { kind: 'sgd', learningRate: 1e-9 }, tolerance: 1e-4, nIterNoChange: 5 });
  assert.equal(h.stopReason, 'noImprovement');
  assert.equal(h.epochs.length, 6); // the first epoch sets the reference, then 5 without improvement
});

test('class weights act as per-sample weights on the rows of each class', async () => {
  const d = xor({ n: 40, seed: 5 });
  const y = d.y.map((v) => [Number(v)]);
  const a = small();
  const b = small();
  const o = { epochs: 3, batchSize: 8, optimizer: { kind: 'sgd', learningRate: 0.1 } } as const;
  await fit(a, { x: d.x, y }, { ...o, classWeights: [1, 3] });
  await fit(b, { x: d.x, y, sampleWeights: y.map((r) => (r[0] === 1 ? 3 : 1)) }, o);
  assert.deepEqual(Array.from(a.getWeights()), Array.from(b.getWeights()));
});

test('L-BFGS fits XOR over the full batch, one iteration per epoch', async () => {
  const m = small(2);
  const h = await fit(m, { x: XOR_X, y: XOR_Y }, { epochs: 200, optimizer: { kind: 'lbfgs' } });
  assert.ok(h.epochs.at(-1)!.trainLoss < 1e-3, `loss ${h.epochs.at(-1)!.trainLoss}`);
  assert.equal(h.epochs[0]!.learningRate, null);
});

test('L-BFGS refuses a model with dropout (its objective must be deterministic)', async () => {
  const m = new Model(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [4], dropout: 0.5 }));
  await assert.rejects(fit(m, { x: XOR_X, y: XOR_Y }, { epochs: 1, optimizer: { kind: 'lbfgs' } }), /L-BFGS needs a deterministic objective, but layer 'hidden1_dropout'/);
});

test('bad data into fit names the row and column', async () => {
  const m = small();
  const o = { epochs: 1, optimizer: { kind: 'sgd', learningRate: 0.1 } } as const;
  await assert.rejects(fit(m, { x: [[0, 0], [0, NaN]], y: [[0], [1]] }, o), /fit\.x: row 1, column 1 is NaN/);
  await assert.rejects(fit(m, { x: [[0, 0], [0]], y: [[0], [1]] }, o), /fit\.x: row 1 has 1 values, expected 2/);
  await assert.rejects(fit(m, { x: [[0, 0, 1]], y: [[0]] }, o), /fit\.x: row 0 has 3 values, expected 2/);
  await assert.rejects(fit(m, { x: [], y: [] }, o), /fit\.x: no rows \(empty data\)/);
  await assert.rejects(fit(m, { x: [[0, 0], [1, 1]], y: [[0]] }, o), /fit\.y: has 1 rows, expected 2/);
});

test('onBatchEnd returning stop ends training at that batch', async () => {
  const m = small();
  const seen: string[] = [];
  const h = await fit(m, { x: XOR_X, y: XOR_Y }, {
    epochs: 10, batchSize: 1, optimizer: { kind: 'sgd', learningRate: 0.1 },
    onBatchEnd: (b) => { seen.push(`${b.epoch}.${b.batch}`); return b.epoch === 2 && b.batch === 3 ? 'stop' : undefined; },
  });
  assert.equal(h.stopReason, 'callback');
  assert.deepEqual(seen, ['1.1', '1.2', '1.3', '1.4', '2.1', '2.2', '2.3']);
});

test('a wall-time budget stops training with stopReason timeLimit', async () => {
  const m = small();
  const h = await fit(m, { x: XOR_X, y: XOR_Y }, { epochs: 1_000_000, batchSize: 1, optimizer: { kind: 'sgd', learningRate: 0.1 }, timeLimitSeconds: 0.05 });
  assert.equal(h.stopReason, 'timeLimit');
  assert.ok(h.epochs.length < 1_000_000 && h.epochs.length > 0);
});

test('metrics are computed on the training and validation sets each epoch', async () => {
  const d = xor({ n: 40, seed: 8 });
  const y = d.y.map((v) => [Number(v)]);
  const acc = (t: { data: ArrayLike<number>; rows: number }, p: { data: ArrayLike<number> }): number => {
    let ok = 0;
    for (let i = 0; i < t.rows; i++) if ((p.data[i]! > 0.5 ? 1 : 0) === t.data[i]) ok++;
    return ok / t.rows;
  };
  const h = await fit(small(), { x: d.x, y }, { epochs: 2, optimizer: { kind: 'adam', learningRate: 0.01 }, validation: { fraction: 0.25 }, metrics: { accuracy: acc } });
  const r = h.epochs[1]!;
  assert.ok(r.metrics.accuracy! >= 0 && r.metrics.accuracy! <= 1);
  assert.ok(r.valMetrics!.accuracy! >= 0 && r.valMetrics!.accuracy! <= 1);
  assert.equal(r.learningRate, 0.01);
});

test('an L-BFGS run resumed from a checkpoint reaches the same weights as an uninterrupted run', async () => {
  const d = twoSpirals({ n: 60, seed: 4 });
  const y = d.y.map((v) => [Number(v)]);
  const o = { epochs: 20, optimizer: { kind: 'lbfgs' } } as const;
  const a = small(7, [6]);
  let cp: Checkpoint | null = null;
  await fit(a, { x: d.x, y }, { ...o, checkpoint: { every: 8, write: (c) => { cp ??= JSON.parse(JSON.stringify(c)) as Checkpoint; } } });
  const b = small(7, [6]);
  await fit(b, { x: d.x, y }, { ...o, resumeFrom: cp! });
  assert.deepEqual(Array.from(b.getWeights()), Array.from(a.getWeights()));
});

test('refitting one model reuses its arena: moments and kept weights go back when a fit ends, even a diverged one', async () => {
  const x = Array.from({ length: 64 }, (_, i) => [Math.sin(i), Math.cos(i)]);
  const y = x.map((r) => [r[0]! - r[1]!]);
  for (const backend of [undefined, tsBackend]) {
    const what = backend?.name ?? 'default backend';
    const build = (): Model => new Model(mlp({ inputSize: 2, outputSize: 1, task: 'regression', hidden: [64], activation: 'tanh' }), { seed: 5, ...(backend === undefined ? {} : { backend }) });
    const m = build();
    const start = m.getWeights();
    const adam = { epochs: 2, batchSize: 16, optimizer: { kind: 'adam', learningRate: 0.01 } } as const;
    await fit(m, { x, y }, adam);
    const used = m.arena.used;
    for (const optimizer of [{ kind: 'sgd', learningRate: 0.05, momentum: 0.9 }, { kind: 'rmsprop', learningRate: 0.001 }, { kind: 'adam', learningRate: 0.01 }] as const) {
      await fit(m, { x, y }, { ...adam, optimizer });
    }
    await assert.rejects(fit(m, { x, y }, { ...adam, optimizer: { kind: 'adam', learningRate: Number.MAX_VALUE } }), TrainingDivergedError);
    assert.equal(m.arena.used, used, `${what}: five more fits, no more arena`);
    // The reused slots start as fresh ones: the same weights as a new model's first fit.
    m.setWeights(start);
    await fit(m, { x, y }, adam);
    const fresh = build();
    await fit(fresh, { x, y }, adam);
    assert.deepEqual(Array.from(m.getWeights()), Array.from(fresh.getWeights()), what);
  }
});

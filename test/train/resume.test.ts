import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import { fit } from '../../src/train/fit.js';
import type { Checkpoint, FitOptions } from '../../src/train/types.js';
import { twoSpirals } from '../../src/data/generators.js';

const d = twoSpirals({ n: 80, seed: 3 });
const data = { x: d.x, y: d.y.map(Number) };
const build = (hidden = [12]): Model => new Model(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden, activation: 'relu' }), { seed: 4 });
const base = { epochs: 6, batchSize: 10, seed: 9, optimizer: { kind: 'adam', learningRate: 0.01 }, validation: { fraction: 0.25 } } as const satisfies FitOptions;

/** Train with a checkpoint after every epoch; the checkpoints as JSON round-trips. */
async function checkpoints(model: Model, o: FitOptions): Promise<Checkpoint[]> {
  const cps: Checkpoint[] = [];
  await fit(model, data, { ...o, checkpoint: { every: 1, write: (cp) => { cps.push(JSON.parse(JSON.stringify(cp)) as Checkpoint); } } });
  return cps;
}

test('a resume with other options is refused, naming each option that differs and both values', async () => {
  const [cp] = await checkpoints(build(), base);
  await assert.rejects(
    fit(build(), data, { ...base, batchSize: 20, optimizer: { kind: 'adam', learningRate: 0.02 }, resumeFrom: cp! }),
    (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, /^fit: resumeFrom was made for another run; what differs: option optimizer \(checkpoint: \{"kind":"adam","learningRate":0\.01\}; now: \{"kind":"adam","learningRate":0\.02\}\); option batchSize \(checkpoint: 10; now: 20\)\. .*resumeForce: true/);
      return true;
    },
  );
});

test('a resume on other data of the same shape is refused; resumeForce continues and reports the difference', async () => {
  const [cp] = await checkpoints(build(), base);
  const other = { x: d.x.map(([a, b]) => [a! + 0.01, b!]), y: data.y };
  await assert.rejects(fit(build(), other, { ...base, resumeFrom: cp! }), /^Error: fit: resumeFrom was made for another run; what differs: the training data \(checkpoint: 80 rows, 2 inputs → 1 outputs, fingerprint [0-9a-f]{16}; now: 80 rows, 2 inputs → 1 outputs, fingerprint [0-9a-f]{16}\)/);
  const h = await fit(build(), other, { ...base, resumeFrom: cp!, resumeForce: true });
  assert.equal(h.epochs.length, 6);
  assert.equal(h.resumed?.epoch, 1);
  assert.match(h.resumed!.differences[0]!, /^the training data/);
});

test('a checkpoint of another model cannot apply, even with resumeForce', async () => {
  const [cp] = await checkpoints(build(), base);
  await assert.rejects(fit(build([20]), data, { ...base, resumeFrom: cp!, resumeForce: true }), /^Error: fit: resumeFrom was made for another model \(checkpoint: 49 parameters, .*; this model: 81 parameters/);
});

test('a checkpoint of a run ended by early stopping resumes to the same weights, with no extra epoch', async () => {
  const o: FitOptions = { ...base, epochs: 300, earlyStopping: { patience: 3 } };
  const a = build();
  const cps = await checkpoints(a, o);
  const last = cps.at(-1)!;
  assert.equal(last.stopReason, 'earlyStopping');
  const b = build();
  let epochsRun = 0;
  let written = 0;
  const h = await fit(b, data, { ...o, resumeFrom: last, onEpochEnd: () => { epochsRun++; }, checkpoint: { every: 1, write: () => { written++; } } });
  assert.deepEqual(Array.from(b.getWeights()), Array.from(a.getWeights()));
  assert.equal(h.stopReason, 'earlyStopping');
  assert.equal(h.epochs.length, last.epoch);
  assert.deepEqual([epochsRun, written], [0, 0]);
});

test('a finished run resumes untouched with the same epochs, and continues bit for bit when given more', async () => {
  const a = build();
  const cps = await checkpoints(a, base);
  const last = cps.at(-1)!;
  assert.deepEqual([last.epoch, last.stopReason], [6, 'maxEpochs']);
  const same = build();
  const h = await fit(same, data, { ...base, resumeFrom: last });
  assert.equal(h.epochs.length, 6);
  assert.deepEqual(Array.from(same.getWeights()), Array.from(a.getWeights()));
  const longer = build();
  await fit(longer, data, { ...base, epochs: 9 });
  const resumed = build();
  await fit(resumed, data, { ...base, epochs: 9, resumeFrom: last });
  assert.deepEqual(Array.from(resumed.getWeights()), Array.from(longer.getWeights()));
});

test('an old (version 1) checkpoint is refused with what to do', async () => {
  const [cp] = await checkpoints(build(), base);
  const old = JSON.parse(JSON.stringify({ ...cp!, version: 1 })) as Checkpoint;
  await assert.rejects(fit(build(), data, { ...base, resumeFrom: old }), /resumeFrom is a version 1 checkpoint; this mlpkit reads version 2 .*start the run afresh/);
});

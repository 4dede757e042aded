import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model } from '../../src/graph/model.js';
import { mlp } from '../../src/graph/builders.js';
import type { ActivationName } from '../../src/activations.js';
import type { InitName } from '../../src/init.js';
import { fit } from '../../src/train/fit.js';
import { diagnose, formatFindings, type Finding, type FindingCode } from '../../src/train/diagnose.js';
import { moons, sin, twoSpirals } from '../../src/data/generators.js';
import type { FitOptions, History } from '../../src/train/types.js';
import type { Task } from '../../src/workflow/tasks.js';

const MOONS = moons({ n: 400, noise: 0.15, seed: 1 });
const MX = MOONS.x;
const MY = MOONS.y.map((v) => [v]);

const binary = (hidden: number[], activation: ActivationName = 'relu', init?: InitName): Model =>
  new Model(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden, activation, ...(init === undefined ? {} : { init }) }), { seed: 1 });

interface Run { readonly history: History; readonly findings: Finding[] }

async function run(model: Model, x: number[][], y: number[][], task: Task, o: Partial<FitOptions> = {}): Promise<Run> {
  const history = await fit(model, { x, y }, { epochs: 40, batchSize: 32, optimizer: { kind: 'adam', learningRate: 0.01 }, seed: 1, ...o });
  return { history, findings: diagnose(history, { task, model, x, y }) };
}

const codes = (r: Run): FindingCode[] => r.findings.map((f) => f.code);

function assertFound(r: Run, code: FindingCode): Finding {
  const f = r.findings.find((x) => x.code === code);
  assert.ok(f !== undefined, `${code} not found; findings:\n${formatFindings(r.findings)}`);
  assert.ok(f.evidence.length > 0 && f.advice.includes(f.option), `${code}: the advice names the option '${f.option}': ${f.advice}`);
  return f;
}

test('a healthy classifier run reports nothing', async () => {
  const r = await run(binary([16, 16]), MX, MY, 'binary', { validation: { fraction: 0.2 } });
  assert.deepEqual(r.findings, [], formatFindings(r.findings));
  assert.equal(formatFindings(r.findings), 'diagnosis: nothing to report');
});

test('a healthy regression run reports nothing', async () => {
  const s = sin({ n: 400, seed: 2 });
  const model = new Model(mlp({ inputSize: 1, outputSize: 1, task: 'regression', hidden: [32], activation: 'tanh' }), { seed: 1 });
  const r = await run(model, s.x, s.y.map((v) => [v]), 'regression', { validation: { fraction: 0.2 }, epochs: 100 });
  assert.deepEqual(r.findings, [], formatFindings(r.findings));
});

test('eight sigmoid layers: vanishing gradients, named at the first layer', async () => {
  const r = await run(binary([16, 16, 16, 16, 16, 16, 16, 16], 'sigmoid'), MX, MY, 'binary', { epochs: 10, optimizer: { kind: 'sgd', learningRate: 0.1 } });
  const f = assertFound(r, 'vanishingGradients');
  assert.equal(f.layer, 'hidden1');
  assert.match(f.evidence, /'hidden1' is .* × that of 'output'/);
});

// The planted pathologies start from He's initialization, which keeps a ReLU stack's activations at scale, so
// that what is found is what was planted and not the default initializer's own scale.
test('weights three times too large in six ReLU layers: exploding gradients', async () => {
  const model = binary([32, 32, 32, 32, 32, 32], 'relu', 'heNormal');
  const w = model.paramBuffer.a;
  for (let i = 0; i < w.length; i++) w[i]! *= 3;
  const r = await run(model, MX, MY, 'binary', { epochs: 10, optimizer: { kind: 'sgd', learningRate: 1e-6 } });
  assertFound(r, 'explodingGradients');
  assert.ok(!codes(r).includes('vanishingGradients'));
});

test('half the ReLU units given a bias of −50: dead units, counted on the training rows', async () => {
  const model = binary([32], 'relu', 'heNormal');
  const b = model.param('hidden1', 'b').value.a;
  for (let j = 0; j < 16; j++) b[j] = -50;
  const r = await run(model, MX, MY, 'binary');
  const f = assertFound(r, 'deadRelu');
  assert.equal(f.layer, 'hidden1');
  assert.match(f.evidence, /^16 of 32 ReLU units .* on all 400 training rows/);
});

test('tanh units with weights 40 times too large: saturated units', async () => {
  const model = binary([16], 'tanh');
  const W = model.param('hidden1', 'W').value.a;
  for (let j = 0; j < W.length; j++) W[j]! *= 40;
  const r = await run(model, MX, MY, 'binary', { epochs: 10 });
  assert.equal(assertFound(r, 'saturatedUnits').layer, 'hidden1');
});

test('a wide network on 30 noisy rows: over-fitting (rising validation loss), from the history alone too', async () => {
  const t = sin({ n: 30, noise: 0.3, seed: 3 });
  const v = sin({ n: 300, noise: 0.3, seed: 4 });
  const model = new Model(mlp({ inputSize: 1, outputSize: 1, task: 'regression', hidden: [128, 128] }), { seed: 1 });
  const r = await run(model, t.x, t.y.map((q) => [q]), 'regression', { epochs: 600, batchSize: 30, validation: { x: v.x, y: v.y.map((q) => [q]) } });
  assert.equal(assertFound(r, 'overfitting').severity, 'warning');
  assert.ok(diagnose(r.history, { task: 'regression' }).some((f) => f.code === 'overfitting'));
  const caught = diagnose({ ...r.history, stopReason: 'earlyStopping' }, { task: 'regression' }).find((f) => f.code === 'overfitting');
  assert.equal(caught?.severity, 'info');
  assert.match(caught.evidence, /early stopping restored the best epoch/);
});

test('two hidden units on the two spirals: under-fitting against a constant prediction', async () => {
  const s = twoSpirals({ n: 400, seed: 1 });
  const r = await run(binary([2], 'tanh'), s.x, s.y.map((q) => [q]), 'binary', { epochs: 30 });
  assert.match(assertFound(r, 'underfitting').evidence, /of the loss of a constant prediction \(0\.693\)/);
});

test('Adam at learning rate 0.5: the loss oscillates, learning rate too high', async () => {
  const r = await run(binary([16, 16], 'tanh'), MX, MY, 'binary', { optimizer: { kind: 'adam', learningRate: 0.5 } });
  assertFound(r, 'learningRateTooHigh');
});

test('SGD at learning rate 1e-5: learning rate too low', async () => {
  const r = await run(binary([16, 16]), MX, MY, 'binary', { epochs: 20, optimizer: { kind: 'sgd', learningRate: 1e-5 } });
  assertFound(r, 'learningRateTooLow');
  assert.ok(!codes(r).includes('learningRateTooHigh'));
});

test('one positive row in thirteen: class imbalance, with the counts', async () => {
  const keep = MX.map((_, i) => i).filter((i) => MOONS.y[i] === 0 || i % 12 === 0);
  const r = await run(binary([16, 16]), keep.map((i) => MX[i]!), keep.map((i) => [MOONS.y[i]!]), 'binary');
  assert.match(assertFound(r, 'classImbalance').evidence, /^class 1 has 16 of 216 rows/);
});

test('a column in the thousands: unscaled inputs, naming the column', async () => {
  const x = MX.map((r) => [r[0]! * 1000 + 5000, r[1]!]);
  const history = (await run(binary([16, 16]), x, MY, 'binary')).history;
  const f = diagnose(history, { task: 'binary', x, featureNames: ['income', 'age'] }).find((g) => g.code === 'unscaledInputs');
  assert.ok(f !== undefined);
  assert.match(f.evidence, /^1 of 2 input columns are far from unit scale: income \(mean 5\d{3}, sd \d{3}\)$/);
});

test('findings are plain data: they survive JSON, and warnings come first', async () => {
  const model = binary([32]);
  const b = model.param('hidden1', 'b').value.a;
  for (let j = 0; j < 16; j++) b[j] = -50;
  const r = await run(model, MX.map((q) => [q[0]! * 100, q[1]!]), MY, 'binary', { epochs: 5 });
  assert.ok(r.findings.length >= 2);
  assert.deepEqual(JSON.parse(JSON.stringify(r.findings)), r.findings);
  const firstInfo = r.findings.findIndex((f) => f.severity === 'info');
  assert.ok(firstInfo === -1 || r.findings.slice(firstInfo).every((f) => f.severity === 'info'));
});

test('noisy labels learned in the first epoch of many rows: a flat curve after it is not a learning rate too low; adam\'s advice does not suggest adam', async () => {
  // 20,000 rows whose labels are 30% noise: one epoch of Adam reaches the noise floor, the next ones barely move.
  const big = moons({ n: 20000, noise: 0.15, seed: 2 });
  const flip = (i: number): boolean => (i * 2654435761) % 1000 < 300;
  const y = big.y.map((v, i) => [flip(i) ? 1 - v : v]);
  const r = await run(binary([16, 16]), big.x, y, 'binary', { epochs: 6, optimizer: { kind: 'adam', learningRate: 0.01 } });
  assert.ok(!codes(r).includes('learningRateTooLow'), formatFindings(r.findings));
  // When the finding is made for an adam run, its advice raises the rate and does not offer adam.
  const slow = await run(binary([16, 16]), MX, MY, 'binary', { epochs: 20, optimizer: { kind: 'adam', learningRate: 1e-6 } });
  const f = assertFound({ ...slow, findings: diagnose(slow.history, { task: 'binary', optimizer: 'adam' }) }, 'learningRateTooLow');
  assert.doesNotMatch(f.advice, /--optimizer adam/);
  assert.match(assertFound(await run(binary([16, 16]), MX, MY, 'binary', { epochs: 20, optimizer: { kind: 'sgd', learningRate: 1e-5 } }), 'learningRateTooLow').advice, /--optimizer adam/);
});

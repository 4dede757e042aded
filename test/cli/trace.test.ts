// `mlpkit trace MODEL DATA --row N` says what it shows: the row's raw values beside the standardized x the
// network sees, and a neuron graph's neurons by the user's ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMlpkit as run } from '../helpers/mlpkit.js';
import { neuronGraph } from '../../src/graph/builders.js';
import { Model } from '../../src/graph/model.js';
import { readTableFile } from '../../src/io/node/read-table.js';
import { Pipeline } from '../../src/workflow/pipeline.js';
import { Preprocessor } from '../../src/workflow/preprocessor.js';

const dir = mkdtempSync(join(tmpdir(), 'mlpkit-trace-'));
const csv = join(dir, 'doses.csv');
writeFileSync(csv, `age,dose,y\n${Array.from({ length: 20 }, (_, i) => `${30 + i},${(i % 5) * 10},${(0.1 * i).toFixed(1)}`).join('\n')}\n`);

test('trace prints each input\'s raw value beside the standardized x the network sees, and says so', async () => {
  const model = join(dir, 'mlp.json');
  assert.equal((await run('train', csv, '--target', 'y', '--hidden', '2', '--epochs', '2', '--test-size', '0', '--quiet', '--out', model)).code, 0);
  const r = await run('trace', model, csv, '--row', '3');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\(as the network sees it\)/);
  // Row 3's target is 0.2; the network is trained on it standardized, and the trace says both.
  assert.match(r.out, /\nin the target's units: y = \(0\.2\) {3}ŷ = \(-?[\d.]+(e-?\d+)?\) {3}\(the network is trained on \(y − mean\)\/sd\)\n/);
  assert.match(r.out, /Inputs: the row's raw value → x_j, the value the network sees \(standardized, x = \(raw − mean\)\/sd with the training file's mean and sd\)/);
  // Row 3: age 32, dose 20; the training file's age has mean 39.5 and sd √33.25, dose mean 20.
  const z = (32 - 39.5) / Math.sqrt(33.25);
  assert.match(r.out, new RegExp(`\\n  age\\s+32  →  ${z.toPrecision(6).replace('.', '\\.').replace('-', '\\-')}\\n  dose\\s+20  →  0\\n`));
  const json = JSON.parse((await run('trace', model, csv, '--row', '3', '--json')).out) as { x: number[]; raw: { inputs: { x: number[]; scaling: string } }; inputNames: string[] };
  assert.deepEqual(json.inputNames, ['age', 'dose']);
  json.raw.inputs.x.forEach((v, j) => assert.ok(Math.abs(v - [32, 20][j]!) < 1e-9, `raw ${v}`));
  assert.ok(Math.abs(json.x[0]! - z) < 1e-6);
  const none = join(dir, 'unscaled.json');
  assert.equal((await run('train', csv, '--target', 'y', '--hidden', '2', '--epochs', '2', '--scale', 'none', '--quiet', '--out', none)).code, 0);
  const unscaled = (await run('trace', none, csv, '--row', '3')).out;
  assert.doesNotMatch(unscaled, /Inputs:|as the network sees it/, 'unscaled inputs are the raw ones: nothing to say');
  assert.match(unscaled, /in the target's units: y = \(0\.2\)/, 'the target is still trained standardized');
});

test('trace labels a neuron graph\'s neurons by the ids the user gave them', async () => {
  const table = await readTableFile(csv);
  const prep = Preprocessor.fit(table, { target: 'y' });
  const g = neuronGraph({
    inputs: ['age', 'dose'],
    neurons: [{ id: 'risk', from: ['age', 'dose'] }, { id: 'response', from: ['risk', 'dose'] }],
    outputs: ['response'], loss: 'mse',
  });
  const path = join(dir, 'graph.json');
  writeFileSync(path, JSON.stringify(new Pipeline(new Model(g.spec, { seed: 2 }), prep).toFile()));
  const r = await run('trace', path, csv, '--row', '1');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\n3 {2}risk\s+sigmoid/);
  assert.match(r.out, /\n4 {2}response\s+identity/);
  assert.match(r.out, /dose → response/);
  assert.doesNotMatch(r.out, /layer1\[0\]|output\[0\]/);
});

test('trace and explain read decimal commas with --decimal , as predict and evaluate do', async () => {
  const model = join(dir, 'mlp.json');
  const commas = join(dir, 'commas.csv');
  writeFileSync(commas, `age;dose;y\n${Array.from({ length: 20 }, (_, i) => `${30 + i};${(i % 5) * 10};${(0.1 * i).toFixed(1).replace('.', ',')}`).join('\n')}\n`);
  assert.notEqual((await run('trace', model, commas, '--row', '3')).code, 0, 'refused without --decimal');
  const t = await run('trace', model, commas, '--row', '3', '--decimal', ',');
  assert.equal(t.code, 0, t.err);
  assert.match(t.out, /\n {2}age\s+32 {2}→/);
  const e = await run('explain', model, commas, '--repeats', '1', '--decimal', ',', '--json');
  assert.equal(e.code, 0, e.err);
});

// A model trained on a file with decimal commas reads its later files with decimal commas too (its file
// says so), and says how to read a file with decimal points; a file claiming another separator is refused.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMlpkit as run } from '../helpers/mlpkit.js';

const dir = mkdtempSync(join(tmpdir(), 'mlpkit-decimal-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const rows = Array.from({ length: 40 }, (_, i) => [(0.25 * i).toFixed(2), (i % 7) + 0.5, (0.1 * i).toFixed(1)]);
const commas = join(dir, 'commas.csv');
const points = join(dir, 'points.csv');
const semicolons = join(dir, 'semicolons.csv');
writeFileSync(commas, `a;b;y\n${rows.map((r) => r.map((v) => String(v).replace('.', ',')).join(';')).join('\n')}\n`);
writeFileSync(points, `a,b,y\n${rows.map((r) => r.join(',')).join('\n')}\n`);
writeFileSync(semicolons, `a;b;y\n${rows.map((r) => r.join(';')).join('\n')}\n`);
const model = join(dir, 'model.json');

test('predict and evaluate read a decimal-comma model\'s files with decimal commas, unless told otherwise', async () => {
  const t = await run('train', commas, '--target', 'y', '--decimal', ',', '--hidden', '4', '--epochs', '3', '--test-size', '0', '--quiet', '--out', model);
  assert.equal(t.code, 0, t.err);
  const stored = JSON.parse(readFileSync(model, 'utf8')) as { training: { summary: { data: { decimal?: string } } } };
  assert.equal(stored.training.summary.data.decimal, ',');
  const p = await run('predict', model, commas);
  assert.equal(p.code, 0, p.err);
  assert.equal(p.out.trim().split('\n').length, rows.length + 1, 'a header and one prediction a row');
  const e = await run('evaluate', model, commas, '--json');
  assert.equal(e.code, 0, e.err);
  const dots = await run('predict', model, points);
  assert.notEqual(dots.code, 0);
  assert.match(dots.err, /points\.csv: no column 'a' .*the columns are 'a,b,y'/, 'read with decimal commas, the commas did not separate the columns');
  assert.match(dots.err, /the columns are 'a,b,y'\. The model was trained on a file with decimal commas.*pass --decimal \./);
  assert.doesNotMatch(dots.err, /\n\s+at /, 'no stack trace');
  // The same hint where the table is read whole (trace) and the missing column is found after reading.
  const traced = await run('trace', model, points, '--row', '1');
  assert.notEqual(traced.code, 0);
  assert.match(traced.err, /no column 'a'.*The model was trained on a file with decimal commas.*pass --decimal \./);
  const told = await run('predict', model, points, '--decimal', '.');
  assert.equal(told.code, 0, told.err);
  assert.equal(told.out, p.out, 'the same predictions from either spelling of the numbers');
  const cell = await run('predict', model, semicolons);
  assert.notEqual(cell.code, 0);
  assert.match(cell.err, /semicolons\.csv, line 2, column 'a'.*'0\.00' is not a number.*pass --decimal \./);
});

test('a model file whose training summary names another decimal separator is refused, naming the field', async () => {
  const stored = JSON.parse(readFileSync(model, 'utf8')) as { training: { summary: { data: { decimal?: string } } } };
  stored.training.summary.data.decimal = ';';
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify(stored));
  const r = await run('predict', bad, commas);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /\$\.training\.summary\.data\.decimal: expected ',' \(or no such field\), got ";"/);
});

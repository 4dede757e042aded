/**
 * predict and evaluate read the data a block at a time and write predictions as they are made: over
 * several blocks the output is the whole table's predictions (one header, rows in order), a bad cell late
 * in the file leaves no output file behind, and evaluate's scores equal the library's on the whole table.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, readTableFile } from '../../src/node.js';
import { readTableFileBlocks } from '../../src/io/node/read-table.js';
import { Rng } from '../../src/rng.js';
import { BLOCK_ROWS } from '../../cli/blocks.js';
import { runMlpkit } from '../helpers/mlpkit.js';

const dir = mkdtempSync(join(tmpdir(), 'mlpkit-blocks-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** More rows than one block: numbers, a category, and a class target. */
const rows = BLOCK_ROWS + 4321;
function write(path: string, bad: number | null = null): void {
  const rng = new Rng(9);
  const lines = ['x1,x2,kind,y'];
  for (let i = 0; i < rows; i++) {
    const a = rng.normal();
    const b = rng.normal();
    const kind = ['p', 'q', 'r'][rng.int(3)]!;
    lines.push(`${i === bad ? 'oops' : a.toFixed(4)},${b.toFixed(4)},${kind},${a + b + (kind === 'p' ? 0.5 : 0) > 0 ? 'yes' : 'no'}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}
const data = join(dir, 'data.csv');
write(data);
const model = join(dir, 'model.json');

test('blocks of a file are the whole table\'s rows, in order, with their lines', async () => {
  const whole = await readTableFile(data);
  const seen: number[] = [];
  let at = 0;
  const n = await readTableFileBlocks(data, {}, 1000, (t) => {
    seen.push(t.rows);
    const x = t.columns.find((c) => c.name === 'x1')!;
    const wx = whole.columns.find((c) => c.name === 'x1')!;
    assert.equal(x.type, 'number');
    if (x.type === 'number' && wx.type === 'number') assert.deepEqual(Array.from(x.values), Array.from(wx.values.subarray(at, at + t.rows)));
    assert.deepEqual(Array.from(t.lines), Array.from(whole.lines.subarray(at, at + t.rows)));
    at += t.rows;
  });
  assert.equal(n, rows);
  assert.equal(seen.length, Math.ceil(rows / 1000));
});

test('mlpkit predict over several blocks writes the whole table\'s predictions, one header, rows in order', async () => {
  const t = await runMlpkit('train', data, '--target', 'y', '--epochs', '2', '--hidden', '4', '--out', model, '--quiet');
  assert.equal(t.code, 0, t.err);
  const p = await runMlpkit('predict', model, data, '--proba', '--out', join(dir, 'pred.csv'));
  assert.equal(p.code, 0, p.err);
  assert.match(p.err, new RegExp(`${rows} predictions: `));
  const lines = readFileSync(join(dir, 'pred.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, rows + 1);
  assert.equal(lines[0], 'y,no,yes');
  assert.equal(lines.filter((l) => l.startsWith('y,')).length, 1);
  const pipeline = await loadModel(model);
  const expected = pipeline.predict(await readTableFile(data, { types: pipeline.preprocessor.readTypes }));
  const names = pipeline.preprocessor.target.task === 'regression' ? [] : pipeline.preprocessor.target.classes.map(String);
  for (const r of [0, BLOCK_ROWS - 1, BLOCK_ROWS, rows - 1]) {
    const [label, pNo] = lines[r + 1]!.split(',');
    assert.equal(label, names[expected.classIndex![r]!]);
    assert.equal(Number(pNo), expected.proba![2 * r]);
  }
  const stdout = await runMlpkit('predict', model, data);
  assert.equal(stdout.out.trimEnd().split('\n').length, rows + 1);
});

test('a bad cell in a late block stops predict with its line, and no output file is left', async () => {
  const bad = join(dir, 'bad.csv');
  write(bad, BLOCK_ROWS + 100);
  const out = join(dir, 'bad-pred.csv');
  const p = await runMlpkit('predict', model, bad, '--out', out);
  assert.equal(p.code, 1);
  assert.match(p.err, new RegExp(`bad\\.csv, line ${BLOCK_ROWS + 102}, column 'x1' \\(column 1\\): 'oops' is not a number`));
  assert.equal(existsSync(out), false);
});

test('mlpkit evaluate over several blocks gives the library\'s scores on the whole table', async () => {
  const e = await runMlpkit('evaluate', model, data, '--json');
  assert.equal(e.code, 0, e.err);
  const got = JSON.parse(e.out) as Record<string, number>;
  const pipeline = await loadModel(model);
  const ev = pipeline.evaluate(await readTableFile(data, { types: pipeline.preprocessor.readTypes }));
  for (const k of Object.keys(ev.metrics)) assert.equal(got[k], ev.metrics[k], k);
});

test('a model trained with --unknown ignore says, after predict and evaluate, how many rows held a level it never saw', async () => {
  const small = join(dir, 'small.csv');
  const lines = ['x1,kind,y'];
  const rng = new Rng(4);
  for (let i = 0; i < 300; i++) { const a = rng.normal(); const kind = ['p', 'q'][i % 2]!; lines.push(`${a.toFixed(3)},${kind},${a > 0 ? 'yes' : 'no'}`); }
  writeFileSync(small, `${lines.join('\n')}\n`);
  const fresh = join(dir, 'fresh.csv');
  writeFileSync(fresh, 'x1,kind,y\n0.5,p,yes\n-0.2,z,no\n0.1,w,yes\n0.3,z,yes\n');
  const ignoring = join(dir, 'ignoring.json');
  assert.equal((await runMlpkit('train', small, '--target', 'y', '--epochs', '2', '--unknown', 'ignore', '--out', ignoring)).code, 0);
  const p = await runMlpkit('predict', ignoring, fresh, '--out', join(dir, 'fresh-pred.csv'));
  assert.equal(p.code, 0, p.err);
  assert.match(p.err, /rows of fresh\.csv: 3 hold levels of 'kind' never seen in training \('z', 'w'\); predicted with those one-hot columns all zero/);
  const e = await runMlpkit('evaluate', ignoring, fresh);
  assert.equal(e.code, 0, e.err);
  assert.match(e.err, /rows of fresh\.csv: 3 hold levels of 'kind' never seen in training \('z', 'w'\); scored with those one-hot columns all zero/);
  // A model without the option refuses the level, naming it, as before.
  const strict = join(dir, 'strict.json');
  assert.equal((await runMlpkit('train', small, '--target', 'y', '--epochs', '2', '--out', strict)).code, 0);
  const refused = await runMlpkit('predict', strict, fresh);
  assert.notEqual(refused.code, 0);
  assert.match(refused.err, /category 'z' was not in the training data/);
  assert.doesNotMatch(refused.err, /never seen in training \(/);
});

// Held-out scoring: the rows the command scores on are rows the model never saw, the figures it prints
// are the ones a computation on those rows gives, and the split is the library's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMlpkit as run } from '../helpers/mlpkit.js';
import { readTableFile } from '../../src/io/node/read-table.js';
import { loadModel } from '../../src/io/node/files.js';
import { Rng } from '../../src/rng.js';
import { readTableSync as readTable } from '../../src/table/read.js';
import { takeTableRows } from '../../src/table/rows.js';
import { holdOut, trainHeldOut } from '../../src/workflow/holdout.js';

const folder = (): string => mkdtempSync(join(tmpdir(), 'mlpkit-holdout-'));

/** A planted rule: label = 'hi' when 2a − b + (colour red) > 0, with 10% of the labels flipped, and an unbalanced colour. */
function plantedCsv(rows: number, seed: number, colours = ['red', 'green', 'blue']): string {
  const rng = new Rng(seed);
  const lines = ['a,b,colour,label'];
  for (let i = 0; i < rows; i++) {
    const a = rng.normal();
    const b = rng.normal();
    const c = colours[Math.min(colours.length - 1, Math.floor(rng.uniform() ** 2 * colours.length))]!;
    let hi = 2 * a - b + (c === 'red' ? 0.5 : 0) > 0;
    if (rng.uniform() < 0.1) hi = !hi;
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${c},${hi ? 'hi' : 'lo'}`);
  }
  return `${lines.join('\n')}\n`;
}

const FLAGS = ['--hidden', '6', '--epochs', '25', '--lr', '0.02', '--seed', '4'];

test('the printed accuracy is the accuracy on rows the model never saw, and the model equals the library\'s held-out run', async () => {
  const dir = folder();
  const csv = join(dir, 'planted.csv');
  writeFileSync(csv, plantedCsv(400, 1));
  const r = await run('train', csv, '--target', 'label', ...FLAGS, '--out', join(dir, 'm.json'), '--json');
  assert.equal(r.code, 0, r.err);
  const done = JSON.parse(r.out.trim().split('\n').at(-1)!) as { event: string; metrics: Record<string, number>; trainingMetrics: Record<string, number>; heldOut: { rows: number; source: string }; trainingRows: number };
  assert.equal(done.event, 'done');
  assert.deepEqual(done.heldOut, { rows: 80, source: '80 held-out rows of planted.csv' });
  assert.equal(done.trainingRows, 320);

  // The held-out rows, computed here from the library's split, are not among the rows trained on.
  const table = await readTableFile(csv);
  const options = { target: 'label', hidden: [6], epochs: 25, learningRate: 0.02, seed: 4 };
  const split = holdOut(table, options);
  const trainedLines = new Set(split.train.lines);
  assert.ok(split.test !== null && split.test.rows === 80);
  assert.ok(Array.from(split.test.lines).every((l) => !trainedLines.has(l)));
  // Stratified: each class's share on the held-out side is within one row of its share of the file.
  const labels = table.columns.find((c) => c.name === 'label')!;
  const his = (t: typeof table): number => { const c = t.columns.find((x) => x.name === 'label')!; return c.type === 'category' ? Array.from(c.codes).filter((k) => c.levels[k] === 'hi').length : NaN; };
  assert.ok(labels.type === 'category');
  assert.ok(Math.abs(his(split.test) - (his(table) * 80) / 400) <= 1);

  // Accuracy by hand on those rows, with the model the command wrote.
  const model = await loadModel(join(dir, 'm.json'));
  const predicted = model.predict(split.test).labels!;
  const truth = split.test.columns.find((c) => c.name === 'label')!;
  assert.ok(truth.type === 'category');
  const right = predicted.filter((p, i) => p === truth.levels[truth.codes[i]!]).length;
  assert.equal(done.metrics.accuracy, right / 80);
  assert.ok(done.metrics.accuracy! > 0.7, `planted rule learned: ${done.metrics.accuracy}`);
  // The training rows' figure is the same computation on the other rows.
  const trainPred = model.predict(split.train).labels!;
  const trainTruth = split.train.columns.find((c) => c.name === 'label')!;
  assert.ok(trainTruth.type === 'category');
  assert.equal(done.trainingMetrics.accuracy, trainPred.filter((p, i) => p === trainTruth.levels[trainTruth.codes[i]!]).length / 320);

  // The same bytes as the library's held-out workflow, and the file records the held-out scores.
  const lib = await trainHeldOut(table, { ...options, activation: 'relu', optimizer: 'adam', batchSize: 32 });
  assert.equal(`${JSON.stringify(lib.pipeline.toFile(), null, 1)}\n`, readFileSync(join(dir, 'm.json'), 'utf8'));
  assert.deepEqual(lib.pipeline.summary?.heldOut?.metrics, done.metrics);
  const info = await run('info', join(dir, 'm.json'));
  assert.match(info.out, /on 80 held-out rows of planted\.csv: accuracy /);
});

test('--test FILE scores on that file, read with the training columns\' types; --test-size 0 says nothing was held out', async () => {
  const dir = folder();
  writeFileSync(join(dir, 'train.csv'), plantedCsv(300, 2));
  // The test file's colour column holds only numbers-looking levels would be read as numbers on its own: here, a zip-like column.
  writeFileSync(join(dir, 'test.csv'), plantedCsv(60, 3));
  const r = await run('train', join(dir, 'train.csv'), '--target', 'label', ...FLAGS, '--test', join(dir, 'test.csv'), '--out', join(dir, 'm.json'));
  assert.equal(r.code, 0, r.err);
  const model = await loadModel(join(dir, 'm.json'));
  const test = await readTableFile(join(dir, 'test.csv'));
  const truth = test.columns.find((c) => c.name === 'label')!;
  assert.ok(truth.type === 'category');
  const acc = model.predict(test).labels!.filter((p, i) => p === truth.levels[truth.codes[i]!]).length / 60;
  assert.match(r.out, new RegExp(`accuracy ${acc.toFixed(4)}, .* on the 60 held-out rows of test\\.csv; on the 300 training rows: accuracy`));

  const all = await run('train', join(dir, 'train.csv'), '--target', 'label', ...FLAGS, '--test-size', '0', '--out', join(dir, 'm0.json'));
  assert.equal(all.code, 0, all.err);
  assert.match(all.out, /on the 300 training rows of train\.csv \(nothing held out: --test-size 0\)/);
  const both = await run('train', join(dir, 'train.csv'), '--target', 'label', '--test', join(dir, 'test.csv'), '--test-size', '0.3');
  assert.equal(both.code, 2);
  assert.match(both.err, /--test FILE holds the held-out rows: leave out --test-size/);
  const missing = await run('train', join(dir, 'train.csv'), '--target', 'label', '--test', join(dir, 'nope.csv'), '--out', join(dir, 'x.json'));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nope\.csv: no such file/);
});

test('a level only the held-out rows have is scored as unseen and said, not a failed run; a class too small to split is named', async () => {
  const dir = folder();
  const lines = plantedCsv(200, 5).trim().split('\n');
  const table = readTable(`${lines.join('\n')}\n`, { source: 'p.csv' });
  const split = holdOut(table, { target: 'label', seed: 4 });
  // Put a new colour on one held-out row.
  const row = split.testRows[0]!;
  lines[row + 1] = lines[row + 1]!.replace(/,(red|green|blue),/, ',violet,');
  writeFileSync(join(dir, 'p.csv'), `${lines.join('\n')}\n`);
  const r = await run('train', join(dir, 'p.csv'), '--target', 'label', ...FLAGS, '--out', join(dir, 'm.json'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /held-out rows: 1 hold levels of 'colour' never seen in training \('violet'\); scored with those one-hot columns all zero/);
  assert.match(r.out, /on 40 held-out rows of p\.csv/);

  writeFileSync(join(dir, 'tiny-class.csv'), `${plantedCsv(60, 6).trim()}\n0.1,0.2,red,rare\n`);
  const small = await run('train', join(dir, 'tiny-class.csv'), '--target', 'label', ...FLAGS, '--out', join(dir, 't.json'));
  assert.equal(small.code, 1);
  assert.match(small.err, /^mlpkit: tiny-class\.csv: the held-out split: class "rare" has only 1 row; stratification needs at least 2 per class \(option testSize, --test-size; 0 trains on every row\)\n$/);
});

test('some rows of a table are the table a file of those rows reads as', () => {
  const text = 'n,c,flag\n1,x,yes\n2,y,no\nNA,z,yes\n4,y,\n5,x,no\n';
  const table = readTable(new TextEncoder().encode(text), { source: 'f.csv' });
  const picked = takeTableRows(table, [3, 1, 4]);
  const again = readTable(new TextEncoder().encode('n,c,flag\n4,y,\n2,y,no\n5,x,no\n'), { source: 'f.csv' });
  for (const [a, b] of picked.columns.map((c, i) => [c, again.columns[i]!] as const)) {
    assert.deepEqual({ ...a, firstMissing: null }, { ...b, firstMissing: null }, a.name);
  }
  // The rows keep their lines in the original file, so messages point into it.
  assert.deepEqual(Array.from(picked.lines), [5, 3, 6]);
  assert.deepEqual(picked.columns[2]!.firstMissing, { line: 5, value: '' });
  assert.throws(() => takeTableRows(table, [5]), /row 5 is not a row of f\.csv \(0 to 4\)/);
});

// mlpkit cv: each fold's figures are those of a separate training on the other rows, scored on the fold,
// and the summary is their mean ± sample sd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMlpkit as run } from '../helpers/mlpkit.js';
import { readTableFile } from '../../src/io/node/read-table.js';
import { Rng } from '../../src/rng.js';
import { takeTableRows } from '../../src/table/rows.js';
import { foldsOf } from '../../src/workflow/cross-validate.js';
import { trainPipeline } from '../../src/workflow/train.js';

test('cv --folds 4: every fold equals a separate training on the other rows, stratified, and the summary is mean ± sd', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-cv-'));
  const rng = new Rng(2);
  const lines = ['a,b,colour,label'];
  for (let i = 0; i < 203; i++) {
    const a = rng.normal();
    const b = rng.normal();
    const c = ['red', 'blue'][i % 2]!;
    lines.push(`${a.toFixed(3)},${b.toFixed(3)},${c},${a - b + (c === 'red' ? 0.7 : 0) > 0.3 ? 'up' : 'down'}`);
  }
  writeFileSync(join(dir, 'd.csv'), `${lines.join('\n')}\n`);
  const r = await run('cv', join(dir, 'd.csv'), '--target', 'label', '--folds', '4', '--hidden', '5', '--epochs', '12', '--lr', '0.02', '--seed', '3', '--json');
  assert.equal(r.code, 0, r.err);
  const records = r.out.trim().split('\n').map((l) => JSON.parse(l) as { event: string; fold: number; testRows: number; metrics: Record<string, number>; mean: Record<string, number>; sd: Record<string, number> });
  const folds = records.filter((x) => x.event === 'fold');
  const done = records.at(-1)!;
  assert.equal(folds.length, 4);
  assert.equal(done.event, 'done');

  const table = await readTableFile(join(dir, 'd.csv'));
  const options = { target: 'label', hidden: [5], epochs: 12, learningRate: 0.02, seed: 3 };
  const splits = foldsOf(table, options, 4);
  assert.deepEqual(splits.map((s) => s.test.length).reduce((a, b) => a + b, 0), 203);
  const accuracies: number[] = [];
  for (const [k, s] of splits.entries()) {
    const out = await trainPipeline(takeTableRows(table, s.train), options);
    const ev = out.pipeline.evaluate(takeTableRows(table, s.test));
    assert.equal(folds[k]!.testRows, s.test.length);
    assert.deepEqual(folds[k]!.metrics, ev.metrics, `fold ${k + 1}`);
    accuracies.push(ev.metrics.accuracy!);
    // Stratified: each fold holds about its share of 'up'.
    const ups = (rows: ArrayLike<number>): number => {
      const c = takeTableRows(table, rows).columns.find((x) => x.name === 'label')!;
      return c.type === 'number' || c.type === 'empty' ? NaN : Array.from(c.codes).filter((code) => c.levels[code] === 'up').length;
    };
    const all = ups(Int32Array.from({ length: 203 }, (_, i) => i));
    assert.ok(Math.abs(ups(s.test) - (all * s.test.length) / 203) <= 1, `fold ${k + 1}: ${ups(s.test)} of ${s.test.length} up`);
  }
  const mean = accuracies.reduce((a, b) => a + b, 0) / 4;
  const sd = Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
  assert.ok(Math.abs(done.mean.accuracy! - mean) < 1e-12);
  assert.ok(Math.abs(done.sd.accuracy! - sd) < 1e-12);

  const words = await run('cv', join(dir, 'd.csv'), '--target', 'label', '--folds', '4', '--hidden', '5', '--epochs', '12', '--lr', '0.02', '--seed', '3');
  assert.match(words.out, /^fold 1\/4: accuracy 0\.\d{4}, balancedAccuracy 0\.\d{4}, f1 0\.\d{4} on 51 held-out rows \(12 epochs, /m);
  assert.match(words.out, new RegExp(`4-fold cross-validation on d\\.csv \\(203 rows\\), mean ± sd over the folds:\\n  accuracy +${mean.toFixed(4)} ± ${sd.toFixed(4)}`));
  const tooMany = await run('cv', join(dir, 'd.csv'), '--target', 'label', '--folds', '1');
  assert.equal(tooMany.code, 2);
  assert.match(tooMany.err, /--folds must be an integer in \[2, 1000\], got '1'/);
});

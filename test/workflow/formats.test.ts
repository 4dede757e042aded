// The same table as CSV, Parquet, Arrow IPC and JSON lines trains the same model, bit for bit (the files'
// names aside), and predictions are written in the format their file name says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMlpkit as run } from '../helpers/mlpkit.js';
import { readTableFile, writeTableFile } from '../../src/io/node/read-table.js';
import { Rng } from '../../src/rng.js';

/** Numbers with missing cells, a category with a missing cell, a label: 300 rows. */
function columns(): Record<string, Float64Array | (string | null)[]> {
  const rng = new Rng(9);
  const n = 300;
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const colour: (string | null)[] = [];
  const label: string[] = [];
  for (let i = 0; i < n; i++) {
    a[i] = i % 29 === 4 ? NaN : Math.round(rng.normal() * 1e4) / 1e4;
    b[i] = Math.round(rng.uniform() * 1e3) / 1e2;
    colour.push(i % 31 === 7 ? null : ['red', 'green', 'blue'][i % 3]!);
    label.push(a[i]! + 0.1 * b[i]! - (colour[i] === 'red' ? 0.5 : 0) > 0 ? 'yes' : 'no');
  }
  return { a, b, colour, label };
}

/** A model file with the data file's name taken out (the one thing that differs between the formats). */
function withoutSource(path: string): string {
  return readFileSync(path, 'utf8').replace(/"source": "[^"]*"/g, '"source": "…"');
}

test('CSV, Parquet, Arrow and JSON lines of one table give bit-identical models; predictions go out as Parquet, Arrow or CSV', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-formats-'));
  const cols = columns();
  const models: string[] = [];
  for (const ext of ['csv', 'parquet', 'arrow', 'jsonl']) {
    const data = join(dir, `data.${ext}`);
    await writeTableFile(data, cols);
    const r = await run('train', data, '--target', 'label', '--impute', 'mean', '--hidden', '6', '--epochs', '8', '--seed', '2', '--out', join(dir, `${ext}.json`), '--quiet');
    assert.equal(r.code, 0, `${ext}: ${r.err}`);
    models.push(withoutSource(join(dir, `${ext}.json`)));
  }
  assert.ok(models[0]!.includes('"source": "…"'));
  for (const m of models.slice(1)) assert.equal(m, models[0]);

  const printed = await run('predict', join(dir, 'csv.json'), join(dir, 'data.csv'), '--proba');
  assert.equal(printed.code, 0, printed.err);
  const csvRows = printed.out.trim().split('\n');
  assert.equal(csvRows[0], 'label,no,yes');
  for (const ext of ['parquet', 'arrow']) {
    const out = join(dir, `pred.${ext}`);
    const r = await run('predict', join(dir, 'csv.json'), join(dir, 'data.parquet'), '--proba', '--out', out);
    assert.equal(r.code, 0, r.err);
    const t = await readTableFile(out);
    assert.deepEqual(t.columns.map((c) => c.name), ['label', 'no', 'yes']);
    assert.equal(t.rows, 300);
    const labels = t.columns[0]!;
    const yes = t.columns[2]!;
    assert.ok((labels.type === 'category' || labels.type === 'boolean') && yes.type === 'number');
    csvRows.slice(1).forEach((line, i) => {
      const [l, , p] = line.split(',');
      assert.equal(labels.levels[labels.codes[i]!], l);
      assert.equal(yes.values[i], Number(p));
    });
  }
});

// Monotone columns through the workflow: `--monotone age:+,debt:-` names the user's columns, the scaling
// and a category column around them change nothing, and the saved model's prediction never moves against
// a declared direction when that raw column is swept, whatever the other cells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main.js';
import { loadModel } from '../../src/io/node/files.js';
import { Rng } from '../../src/rng.js';
import { tableFromColumns } from '../../src/table/values.js';
import type { Pipeline } from '../../src/workflow/pipeline.js';
import { trainPipeline } from '../../src/workflow/train.js';

const REGIONS = ['north', 'south', 'east'];

/** Risk that rises with age and falls with income, with a regional shift and a non-monotone part in 'hour'. */
function loansCsv(n: number, seed: number): string {
  const rng = new Rng(seed);
  const lines = ['age,income,hour,region,risk,late'];
  for (let i = 0; i < n; i++) {
    const age = 20 + 50 * rng.uniform();
    const income = 20 + 80 * rng.uniform();
    const hour = 24 * rng.uniform();
    const region = REGIONS[i % 3]!;
    const risk = 0.05 * age - 0.03 * income + Math.sin(hour / 3) + (region === 'south' ? 0.5 : 0) + 0.2 * rng.normal();
    lines.push([age.toFixed(2), income.toFixed(2), hour.toFixed(2), region, risk.toFixed(4), risk > 0.5 ? 'yes' : 'no'].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The worst step against the declared direction over 30-point sweeps of `column` in [lo, hi], for `bases` random rows. */
function worstViolation(p: Pipeline, column: string, dir: 'increasing' | 'decreasing', lo: number, hi: number, bases: number, seed: number): number {
  const rng = new Rng(seed);
  const G = 30;
  const cols: Record<string, Float64Array | string[]> = { age: new Float64Array(bases * G), income: new Float64Array(bases * G), hour: new Float64Array(bases * G), region: [] };
  for (let b = 0; b < bases; b++) {
    const base = { age: 10 + 70 * rng.uniform(), income: 10 + 100 * rng.uniform(), hour: 24 * rng.uniform(), region: REGIONS[Math.floor(3 * rng.uniform())]! };
    for (let g = 0; g < G; g++) {
      const i = b * G + g;
      (cols.age as Float64Array)[i] = column === 'age' ? lo + ((hi - lo) * g) / (G - 1) : base.age;
      (cols.income as Float64Array)[i] = column === 'income' ? lo + ((hi - lo) * g) / (G - 1) : base.income;
      (cols.hour as Float64Array)[i] = base.hour;
      (cols.region as string[]).push(base.region);
    }
  }
  const d = p.predict(tableFromColumns(cols, { source: 'sweep' }));
  const y = d.values ?? Float64Array.from({ length: d.rows }, (_, r) => d.proba![2 * r + 1]!);
  let worst = 0;
  for (let b = 0; b < bases; b++) {
    for (let g = 1; g < G; g++) {
      const step = y[b * G + g]! - y[b * G + g - 1]!;
      worst = Math.max(worst, dir === 'increasing' ? -step : step);
    }
  }
  return worst;
}

test('--monotone age:+,income:- on a regression: no violation over 2,000 random rows per column, and the library option gives the same file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-monotone-'));
  writeFileSync(join(dir, 'loans.csv'), loansCsv(1500, 1));
  let err = '';
  const argv = ['train', join(dir, 'loans.csv'), '--target', 'risk', '--drop', 'late', '--monotone', 'age:+,income:-', '--hidden', '16,8', '--activation', 'tanh', '--epochs', '40', '--lr', '0.01', '--test-size', '0', '--out', join(dir, 'm.json'), '--quiet'];
  assert.equal(await main(argv, { stdout: () => undefined, stderr: (s) => { err += s; } }), 0, err);
  const p = await loadModel(join(dir, 'm.json'));
  assert.equal(worstViolation(p, 'age', 'increasing', 0, 100, 2000, 2), 0);
  assert.equal(worstViolation(p, 'income', 'decreasing', 0, 150, 2000, 3), 0);
  // The prediction does move with them (the construction does not just freeze the inputs).
  const { readTableFile } = await import('../../src/io/node/read-table.js');
  const table = await readTableFile(join(dir, 'loans.csv'));
  const lib = await trainPipeline(table, {
    target: 'risk', drop: ['late'], monotone: { age: 'increasing', income: 'decreasing' }, hidden: [16, 8], activation: 'tanh', epochs: 40, learningRate: 0.01,
  });
  const { readFileSync } = await import('node:fs');
  assert.equal(`${JSON.stringify(lib.pipeline.toFile(), null, 1)}\n`, readFileSync(join(dir, 'm.json'), 'utf8'));
  const ev = p.evaluate(table);
  assert.ok(ev.metrics.r2! > 0.8, `a monotone network still fits: R² ${ev.metrics.r2}`);
});

test('a binary classifier is monotone in its second class\'s probability; a category column or a non-monotone activation is refused by name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-monotone-'));
  writeFileSync(join(dir, 'loans.csv'), loansCsv(800, 4));
  const run = async (...extra: string[]): Promise<{ code: number; err: string }> => {
    let err = '';
    const code = await main(['train', join(dir, 'loans.csv'), '--target', 'late', '--drop', 'risk', '--epochs', '15', '--out', join(dir, 'b.json'), '--quiet', ...extra], { stdout: () => undefined, stderr: (s) => { err += s; } });
    return { code, err };
  };
  const ok = await run('--monotone', 'age:+,income:-');
  assert.equal(ok.code, 0, ok.err);
  const p = await loadModel(join(dir, 'b.json'));
  assert.deepEqual(p.preprocessor.target.task === 'binary' ? p.preprocessor.target.classes : null, ['no', 'yes']);
  assert.equal(worstViolation(p, 'age', 'increasing', 0, 100, 2000, 5), 0);
  assert.equal(worstViolation(p, 'income', 'decreasing', 0, 150, 2000, 6), 0);
  assert.match((await run('--monotone', 'region:+')).err, /^mlpkit: --monotone names 'region', a category column; only numeric columns have a direction\n$/);
  assert.match((await run('--monotone', 'age:+', '--activation', 'gelu')).err, /monotone inputs need a monotone activation, but activation is 'gelu'/);
  assert.match((await run('--monotone', 'age')).err, /--monotone takes COLUMN:\+ or COLUMN:- separated by commas \(e\.g\. age:\+,debt:-\), got 'age'/);
});

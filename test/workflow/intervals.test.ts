// Prediction intervals and sets keep their promise: on rows the model never saw, the share of true values
// inside the 90% intervals (or sets) is within 2 points of 90%, on bundled and generated sets; the
// calibration travels in the model file, is checked on load, and the command prints it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMlpkit as run } from '../helpers/mlpkit.js';
import { loadDataset } from '../../src/datasets.js';
import { loadModel } from '../../src/io/node/files.js';
import { tableFromColumns } from '../../src/table/values.js';
import type { Table } from '../../src/table/types.js';
import { trainHeldOut } from '../../src/workflow/holdout.js';
import { Pipeline } from '../../src/workflow/pipeline.js';
import type { TrainOptions } from '../../src/workflow/options.js';

async function tableOf(name: string, options: Record<string, number> = {}): Promise<Table> {
  const d = await loadDataset(name, options);
  const cols: Record<string, Float64Array | string[]> = {};
  d.featureNames.forEach((f, j) => { cols[f] = Float64Array.from(d.x, (r) => r[j]!); });
  cols[d.targetName] = d.task === 'regression' ? Float64Array.from(d.y as number[]) : d.y.map(String);
  return tableFromColumns(cols, { source: name });
}

/** Mean coverage on the held-out rows over some seeds (each seed: its own split, calibration and network). */
async function meanCoverage(table: Table, options: TrainOptions, seeds: number): Promise<{ coverage: number; spread: number }> {
  let coverage = 0;
  let spread = 0;
  for (let s = 0; s < seeds; s++) {
    const r = await trainHeldOut(table, { ...options, seed: s, intervals: 0.9 }, { testSize: 0.3 });
    const c = r.heldOut!.coverage!;
    coverage += c.coverage / seeds;
    spread += (c.meanWidth ?? c.meanSize!) / seeds;
  }
  return { coverage, spread };
}

const quick = { hidden: [16], epochs: 30, learningRate: 0.01, batchSize: 64 } as const;

test('90% intervals cover 88–92% of held-out rows: generated sin (20,000 rows) and the bundled diabetes set (mean of 12 seeds)', async () => {
  const sin = await tableOf('sin', { n: 20000, noise: 0.3 });
  const a = await meanCoverage(sin, { target: 'y', ...quick, epochs: 8 }, 1);
  assert.ok(Math.abs(a.coverage - 0.9) <= 0.02, `sin: coverage ${a.coverage}`);
  // Noise 0.3: the best 90% interval is ±1.645·0.3 ≈ 0.99 wide; a reasonable network is not far off.
  assert.ok(a.spread > 0.9 && a.spread < 1.6, `sin: mean width ${a.spread}`);
  const diabetes = await tableOf('diabetes');
  const b = await meanCoverage(diabetes, { target: diabetes.columns.at(-1)!.name, ...quick }, 12);
  assert.ok(Math.abs(b.coverage - 0.9) <= 0.02, `diabetes: coverage ${b.coverage}`);
});

test('90% prediction sets cover 88–92% of held-out rows: generated gaussians (12,000 rows) and the bundled wine set (mean of 12 seeds)', async () => {
  const g = await tableOf('gaussians', { n: 12000, noise: 1.2, classes: 4 });
  const a = await meanCoverage(g, { target: g.columns.at(-1)!.name, ...quick, epochs: 8 }, 1);
  assert.ok(Math.abs(a.coverage - 0.9) <= 0.02, `gaussians: coverage ${a.coverage}`);
  assert.ok(a.spread > 1 && a.spread < 4, `gaussians: overlapping clusters need sets of more than one class: ${a.spread}`);
  const wine = await tableOf('wine');
  const b = await meanCoverage(wine, { target: wine.columns.at(-1)!.name, ...quick }, 12);
  assert.ok(Math.abs(b.coverage - 0.9) <= 0.02, `wine: coverage ${b.coverage}`);
});

test('the calibration is in the model file, predict --interval prints it, and a tampered one is refused on load', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-intervals-'));
  const sin = await tableOf('sin', { n: 600, noise: 0.2 });
  const lines = ['x,y', ...Array.from({ length: sin.rows }, (_, r) => `${(sin.columns[0] as { values: Float64Array }).values[r]},${(sin.columns[1] as { values: Float64Array }).values[r]}`)];
  writeFileSync(join(dir, 'sin.csv'), `${lines.join('\n')}\n`);
  const t = await run('train', join(dir, 'sin.csv'), '--target', 'y', '--intervals', '0.9', '--epochs', '20', '--lr', '0.01', '--out', join(dir, 'm.json'));
  assert.equal(t.code, 0, t.err);
  assert.match(t.out, /90% prediction intervals: coverage 0\.\d{3} on 120 held-out rows of sin\.csv, mean width \d\.\d+ \(calibrated on 96 rows set aside from training\)/);
  const p = await run('predict', join(dir, 'm.json'), join(dir, 'sin.csv'), '--interval');
  assert.equal(p.code, 0, p.err);
  const rows = p.out.trim().split('\n');
  assert.equal(rows[0], 'y,lower,upper');
  const model = await loadModel(join(dir, 'm.json'));
  const u = model.uncertainty(sin);
  assert.ok(u.kind === 'intervals');
  rows.slice(1).forEach((r, i) => {
    const [y, lo, hi] = r.split(',').map(Number);
    assert.equal(lo, u.lower[i]);
    assert.equal(hi, u.upper[i]);
    assert.ok(lo! < y! && y! < hi!);
  });
  const file = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as { training: { calibration: { calibrations: { quantile: unknown }[] }; options: { intervals: number } } };
  assert.equal(file.training.options.intervals, 0.9);
  file.training.calibration.calibrations[0]!.quantile = 'wide';
  assert.throws(() => Pipeline.fromFile(file, 'm.json'), /m\.json: \$\.training\.calibration\.calibrations\[0\]\.quantile: expected a number/);

  const plain = await run('train', join(dir, 'sin.csv'), '--target', 'y', '--epochs', '2', '--out', join(dir, 'plain.json'), '--quiet');
  assert.equal(plain.code, 0, plain.err);
  const refused = await run('predict', join(dir, 'plain.json'), join(dir, 'sin.csv'), '--interval');
  assert.equal(refused.code, 2);
  assert.match(refused.err, /--interval: .*plain\.json has no prediction intervals; train it with mlpkit train --intervals 0\.9/);
});

test('an ensemble\'s intervals widen where its members disagree, and still cover 88–92% of held-out rows', async () => {
  const { Rng } = await import('../../src/rng.js');
  const rng = new Rng(3);
  const n = 16000;
  const x = Float64Array.from({ length: n }, () => 4 * rng.uniform() - 2);
  // Noise grows with |x|: bootstrap members disagree more where the data are noisier.
  const y = Float64Array.from(x, (v) => Math.sin(2 * v) + (0.1 + 0.4 * Math.abs(v)) * rng.normal());
  const table = (await import('../../src/table/values.js')).tableFromColumns({ x, y }, { source: 'hetero' });
  const r = await trainHeldOut(table, { target: 'y', hidden: [16], epochs: 6, learningRate: 0.01, batchSize: 64, restarts: 4, ensemble: true, bootstrap: true, intervals: 0.9 }, { testSize: 0.3 });
  const cal = r.pipeline.calibration!;
  assert.equal((cal.calibrations[0] as { scale: string }).scale, 'ensembleSpread');
  const c = r.heldOut!.coverage!;
  assert.ok(Math.abs(c.coverage - 0.9) <= 0.02, `coverage ${c.coverage}`);
  const u = r.pipeline.uncertainty(r.heldOut!.table);
  assert.ok(u.kind === 'intervals');
  const widths = Array.from(u.upper, (hi, i) => hi - u.lower[i]!);
  assert.ok(Math.max(...widths) > 1.5 * Math.min(...widths), `widths from ${Math.min(...widths)} to ${Math.max(...widths)}`);
  // The calibration round-trips through the model file with its scale.
  const again = Pipeline.fromFile(JSON.parse(JSON.stringify(r.pipeline.toFile())));
  const v = again.uncertainty(r.heldOut!.table);
  assert.ok(v.kind === 'intervals');
  assert.deepEqual(Array.from(v.upper), Array.from(u.upper));
});

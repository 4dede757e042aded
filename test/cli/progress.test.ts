// What the command shows while it works: the phases' figures (throughput, ETA) in --json events and plain
// lines, driven by a fake clock, and one --json training run whose every stdout line is an event in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Progress, type ProgressOptions } from '../../cli/progress.js';
import { withSinks } from '../../cli/output.js';
import { predictWithProgress } from '../../cli/predictions.js';
import type { EpochRecord } from '../../src/train/types.js';
import { tableFromColumns } from '../../src/table/values.js';
import { trainPipeline } from '../../src/workflow/train.js';
import { Rng } from '../../src/rng.js';
import { runMlpkit } from '../helpers/mlpkit.js';

/** A Progress on a clock the test moves, and what it wrote to stdout and stderr. */
async function driven(mode: 'json' | 'plain', options: Omit<ProgressOptions, 'now'>, script: (p: Progress, at: (ms: number) => void) => void): Promise<{ out: string[]; err: string[] }> {
  let clock = 0;
  let out = '';
  let err = '';
  await withSinks({ stdout: (s) => { out += s; }, stderr: (s) => { err += s; } }, async () => {
    const p = new Progress(mode, { ...options, now: () => clock });
    script(p, (ms) => { clock = ms; });
  });
  const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');
  return { out: lines(out), err: lines(err) };
}

const record = (epoch: number): EpochRecord => ({ epoch, trainLoss: 0.5, valLoss: 0.6, metrics: { accuracy: 0.8 }, learningRate: 0.001, seconds: 1, gradNorms: {}, meanAbsDerivative: {} });

test('--json reading events: at most one a second, the figures measured so far, ETA = bytes left / bytes per second, one at the end', async () => {
  const { out } = await driven('json', { jsonEveryMs: 1000 }, (p, at) => {
    const report = p.phase('reading', 'big.csv');
    at(500); report({ bytes: 100, totalBytes: 1000, rows: 10 });
    at(1000); report({ bytes: 200, totalBytes: 1000, rows: 20 });
    at(1500); report({ bytes: 300, totalBytes: 1000, rows: 30 });
    at(2000); report({ bytes: 500, totalBytes: 1000, rows: 50 });
    at(2400); report({ bytes: 1000, totalBytes: 1000, rows: 100 });
    at(2500); p.phaseDone();
  });
  const events = out.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(events, [
    { event: 'progress', phase: 'reading', file: 'big.csv', bytes: 200, totalBytes: 1000, rows: 20, totalRows: null, bytesPerSecond: 200, rowsPerSecond: 20, etaSeconds: 4, seconds: 1, end: false },
    { event: 'progress', phase: 'reading', file: 'big.csv', bytes: 500, totalBytes: 1000, rows: 50, totalRows: null, bytesPerSecond: 250, rowsPerSecond: 25, etaSeconds: 2, seconds: 2, end: false },
    { event: 'progress', phase: 'reading', file: 'big.csv', bytes: 1000, totalBytes: 1000, rows: 100, totalRows: null, bytesPerSecond: 400, rowsPerSecond: 40, etaSeconds: 0, seconds: 2.5, end: true },
  ]);
});

test('--json: a phase over within its first second says nothing; stdin (no total) has no ETA; a failed phase has no end event', async () => {
  const { out } = await driven('json', { jsonEveryMs: 1000 }, (p, at) => {
    const small = p.phase('reading', 'small.csv');
    at(100); small({ bytes: 10, totalBytes: 10, rows: 1 });
    at(200); p.phaseDone();
    const stdin = p.phase('caching', 'stdin');
    at(1200); stdin({ bytes: 400, totalBytes: null, rows: 8 });
    at(1300); p.phaseDone('failed');
  });
  assert.equal(out.length, 1);
  const e = JSON.parse(out[0]!) as Record<string, unknown>;
  assert.equal(e.phase, 'caching');
  assert.equal(e.totalBytes, null);
  assert.equal(e.etaSeconds, null);
  assert.equal(e.bytesPerSecond, 400);
});

test('--json training: epoch records gain phase, epochs, samplesPerSecond and an ETA; batch events a second after the first step or the last report', async () => {
  const { out } = await driven('json', { jsonEveryMs: 1000 }, (p, at) => {
    p.trainStart(3);
    // Preprocessing takes 5 s: throughput counts from the end of the first step.
    at(5000); p.batch({ epoch: 1, batch: 1, rows: 100, loss: 1 });
    at(6000); p.batch({ epoch: 1, batch: 2, rows: 100, loss: 1 });
    at(7000); p.batch({ epoch: 1, batch: 3, rows: 100, loss: 1 });
    at(7000); p.epoch(record(1));
    at(7500); p.batch({ epoch: 2, batch: 1, rows: 100, loss: 1 });
    at(8000); p.batch({ epoch: 2, batch: 2, rows: 100, loss: 1 });
    at(8000); p.epoch(record(2));
    at(8100); p.trainDone();
    p.done({ model: 'm.json' });
  });
  const events = out.map((l) => JSON.parse(l) as Record<string, unknown>);
  const keys = ['event', 'epoch', 'epochs', 'rows', 'totalRows', 'samplesPerSecond', 'etaSeconds'];
  assert.deepEqual(events.map((e) => pick(e, keys)), [
    // Nothing at the first step (5 s); a second later, 100 rows/s, the rows of an epoch not known yet.
    { event: 'progress', epoch: 1, epochs: 3, rows: 200, totalRows: null, samplesPerSecond: 100, etaSeconds: null },
    { event: 'progress', epoch: 1, epochs: 3, rows: 300, totalRows: null, samplesPerSecond: 100, etaSeconds: null },
    // Epoch 1 had 300 rows: 2 epochs × 300 rows left at 100 rows/s.
    { event: 'epoch', epoch: 1, epochs: 3, rows: undefined, totalRows: undefined, samplesPerSecond: 100, etaSeconds: 6 },
    // The step at 7.5 s was within a second of the epoch record: no event. At 8 s, 400 rows in 3 s; 400 rows left.
    { event: 'progress', epoch: 2, epochs: 3, rows: 200, totalRows: 300, samplesPerSecond: 400 / 3, etaSeconds: 3 },
    { event: 'epoch', epoch: 2, epochs: 3, rows: undefined, totalRows: undefined, samplesPerSecond: 400 / 3, etaSeconds: 300 / (400 / 3) },
    { event: 'done', epoch: undefined, epochs: undefined, rows: undefined, totalRows: undefined, samplesPerSecond: undefined, etaSeconds: undefined },
  ]);
  assert.deepEqual(pick(events[0]!, ['phase', 'seconds', 'end']), { phase: 'training', seconds: 6, end: false });
  assert.deepEqual(pick(events[2]!, ['phase', 'trainLoss', 'valLoss']), { phase: 'training', trainLoss: 0.5, valLoss: 0.6 });
});

test('--json: the epochs of restarts, told after all the runs, have neither throughput nor ETA', async () => {
  const { out } = await driven('json', {}, (p, at) => {
    p.trainStart(3, { replayed: true });
    at(9000); p.epoch(record(1));
    p.epoch(record(2));
  });
  assert.deepEqual(out.map((l) => pick(JSON.parse(l) as Record<string, unknown>, ['epoch', 'epochs', 'samplesPerSecond', 'etaSeconds'])), [
    { epoch: 1, epochs: 3, samplesPerSecond: null, etaSeconds: null },
    { epoch: 2, epochs: 3, samplesPerSecond: null, etaSeconds: null },
  ]);
});

function pick(o: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}

test('plain lines name the phase with its figures, every few seconds and at its end; a small file reads in silence', async () => {
  const { err } = await driven('plain', { plainEveryMs: 5000, plainMinBytes: 1000 }, (p, at) => {
    const small = p.phase('reading', 'small.csv');
    at(100); small({ bytes: 999, totalBytes: 999, rows: 9 });
    at(9000); p.phaseDone();
    const big = p.phase('reading', 'big.csv');
    at(10000); big({ bytes: 1048576, totalBytes: 4 * 1048576, rows: 1000 });
    at(12000); big({ bytes: 2 * 1048576, totalBytes: 4 * 1048576, rows: 2000 });
    at(19000); big({ bytes: 3 * 1048576, totalBytes: 4 * 1048576, rows: 3000 });
    at(21000); big({ bytes: 4 * 1048576, totalBytes: 4 * 1048576, rows: 4000 });
    at(21000); p.phaseDone();
    p.trainStart(2);
    at(22000); p.batch({ epoch: 1, batch: 1, rows: 50, loss: 1 });
    at(23000); p.batch({ epoch: 1, batch: 2, rows: 50, loss: 1 });
    p.epoch(record(1));
    at(24000); p.batch({ epoch: 2, batch: 1, rows: 50, loss: 1 });
    p.epoch({ ...record(2), trainLoss: 0.25 });
    p.trainDone();
  });
  assert.deepEqual(err.slice(0, 3), [
    // 1 MB in the 1 s since the phase began; 3 MB left at 1 MB/s.
    'reading big.csv | 1.0 MB of 4.0 MB | 1,000 rows | 1.0 MB/s, 1,000 rows/s | ETA 3s',
    'reading big.csv | 3.0 MB of 4.0 MB | 3,000 rows | 0.3 MB/s, 300 rows/s | ETA 3s',
    'reading big.csv done | 4.0 MB of 4.0 MB | 4,000 rows | 0.3 MB/s, 333 rows/s | 12.0 s',
  ]);
  assert.equal(err.length, 5);
  assert.match(err[3]!, /^training: epoch 1\/2 \| loss 0\.5000 \| val loss 0\.6000 \| accuracy 0\.8000 \| 50 rows\/s \| ETA 2s$/);
  assert.match(err[4]!, /^training: epoch 2\/2 \| loss 0\.2500 \|/);
});

test('plain: a long epoch has a line every few seconds, and a run stopped early ends with its last epoch', async () => {
  const { err } = await driven('plain', { plainEveryMs: 5000 }, (p, at) => {
    p.trainStart(100);
    for (const t of [1000, 1500, 1900]) { at(t); p.batch({ epoch: 1, batch: [1000, 1500, 1900].indexOf(t) + 1, rows: 50, loss: 1 }); }
    at(2000); p.epoch(record(1));
    at(3000); p.batch({ epoch: 2, batch: 1, rows: 50, loss: 1 });
    at(7100); p.batch({ epoch: 2, batch: 2, rows: 50, loss: 1 });
    at(7200); p.epoch({ ...record(2), trainLoss: 0.125 });
    p.trainDone();
  });
  assert.equal(err.length, 3);
  assert.match(err[0]!, /^training: epoch 1\/100 \| loss 0\.5000/);
  // 200 rows in the 6.1 s since the first step (32.8 rows/s); 99 epochs of 150 rows left, less the 100 done: 449.9 s.
  assert.equal(err[1], 'training: epoch 2/100 | 100 of 150 rows of the epoch | 33 rows/s | ETA 7m 30s');
  // Every 5th epoch of 100 has a line, and the first: epoch 2 is said as the end of the phase (200 rows in 6.2 s).
  assert.match(err[2]!, /^training done after epoch 2\/100 \| loss 0\.1250 \| val loss 0\.6000 \| 32 rows\/s \| 7\.2 s$/);
});

test('predictions made in steps with their progress equal the predictions of one call', async () => {
  const rng = new Rng(4);
  const n = 5000;
  const a = Float64Array.from({ length: n }, () => rng.normal());
  const b = Float64Array.from({ length: n }, () => rng.normal());
  const table = tableFromColumns({ a, b, label: Array.from({ length: n }, (_, i) => (a[i]! + b[i]! > 0 ? 'up' : 'down')) }, { source: 'rows.csv' });
  const { pipeline } = await trainPipeline(table, { target: 'label', hidden: [4], epochs: 2, seed: 1 });
  const told: number[] = [];
  const stepped = predictWithProgress(pipeline, table, (u) => { told.push(u.rows); assert.equal(u.totalRows, n); }, 2048);
  assert.deepEqual(told, [2048, 4096, 5000]);
  assert.deepEqual(stepped, pipeline.predict(table));
});

test('mlpkit train --json on a few MB: every stdout line is JSON, reading progress, then training, then done last', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-progress-'));
  const rng = new Rng(9);
  const lines = ['a,b,c,label'];
  for (let i = 0; i < 60000; i++) {
    const a = rng.normal();
    const b = rng.normal();
    lines.push(`${a.toFixed(6)},${b.toFixed(6)},${(a * b).toFixed(6)},${a > b ? 'A' : 'B'}`);
  }
  const file = join(dir, 'big.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  // Events every millisecond instead of every second, so that a read of a few MB reports.
  process.env.MLPKIT_TEST_PROGRESS_INTERVAL_MS = '1';
  let r: Awaited<ReturnType<typeof runMlpkit>>;
  try {
    r = await runMlpkit('train', file, '--target', 'label', '--hidden', '4', '--epochs', '2', '--batch-size', '512', '--json', '--out', join(dir, 'm.json'));
  } finally {
    delete process.env.MLPKIT_TEST_PROGRESS_INTERVAL_MS;
  }
  assert.equal(r.code, 0, r.err);
  const events = r.out.trim().split('\n').map((l) => JSON.parse(l) as { event: string; phase?: string; end?: boolean; bytes?: number; totalBytes?: number; epoch?: number; epochs?: number; bytesPerSecond?: number });
  const order = events.map((e) => (e.event === 'progress' ? `${e.phase}` : e.event));
  // Reading first, then training (progress and epochs), and done last.
  const firstTraining = order.findIndex((o) => o !== 'reading');
  assert.ok(firstTraining > 0, order.join(' '));
  assert.ok(order.slice(firstTraining, -1).every((o) => o === 'training' || o === 'epoch'), order.join(' '));
  assert.equal(order.at(-1), 'done');
  const readEnd = events[firstTraining - 1]!;
  assert.equal(readEnd.end, true);
  assert.equal(readEnd.bytes, statSync(file).size);
  assert.equal(readEnd.totalBytes, statSync(file).size);
  assert.ok(readEnd.bytesPerSecond! > 0);
  const epochs = events.filter((e) => e.event === 'epoch');
  assert.deepEqual(epochs.map((e) => [e.epoch, e.phase, e.epochs]), [[1, 'training', 2], [2, 'training', 2]]);
});

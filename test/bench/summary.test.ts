// The benchmark's summary (bench/summary.ts): medians over rounds, the W1 fraction of the sgemm ceiling
// of the same round, and the ratio table with its load warnings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BenchRecord } from '../../bench/fairness.js';
import { fractionLines, median, noiseLines, ratioTable, summarize, W1_FLOP_PER_SAMPLE } from '../../bench/summary.js';

/** samples/s that make W1 run at `gflops` GFLOP/s. */
const spsAt = (gflops: number): number => gflops * 1e9 / W1_FLOP_PER_SAMPLE;
const gemm = (run: number, threads: number, g: number): BenchRecord => ({ framework: 'openblas-sgemm', workload: 'GEMM', threads, run, gflops_1024: g });
const mlpkit = (workload: string, run: number, extra: Partial<BenchRecord>): BenchRecord => ({ framework: 'mlpkit', variant: 'native', backend: 'native', workload, threads: 1, run, foreign_cores: 0, ...extra });
const peer = (workload: string, run: number, extra: Partial<BenchRecord>): BenchRecord => ({ framework: 'sklearn', workload, threads: 1, run, foreign_cores: 0, ...extra });

test('median of odd and even counts; no values is an error', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]), /median of no values/);
});

test("W1's fraction of the sgemm ceiling is taken round by round against that round's ceiling, then the median", () => {
  // Ceilings 100, 50, 80 and W1 at 50, 45, 40 GFLOP/s: 0.5, 0.9, 0.5 per round, median 0.5 (the medians
  // first would give 45 / 80 = 0.5625).
  const records = [gemm(1, 1, 100), gemm(2, 1, 50), gemm(3, 1, 80),
    mlpkit('W1', 1, { samples_per_s: spsAt(50) }), mlpkit('W1', 2, { samples_per_s: spsAt(45) }), mlpkit('W1', 3, { samples_per_s: spsAt(40) })];
  const [row] = summarize(records);
  assert.deepEqual(row!.fraction_of_gemm_peak_by_round, { 1: 0.5, 2: 0.9, 3: 0.5 });
  assert.equal(row!.fraction_of_gemm_peak, 0.5);
  assert.equal(row!.gemm_peak_gflops, 80);
  assert.equal(row!.effective_gflops, 45);
  assert.equal(row!.runs, 3);
  assert.deepEqual(fractionLines(summarize([...records, gemm(1, 1, 100), peer('W1', 1, { samples_per_s: spsAt(10) })])),
    ['  mlpkit (native) 1t: round 1 50.0%, round 2 90.0%, round 3 50.0% (median 50.0%)']);
});

test('superseded and failed records stay out of the medians; a round without a ceiling has no fraction', () => {
  const records = [gemm(1, 1, 100), { ...gemm(2, 1, 10), superseded: true },
    mlpkit('W1', 1, { samples_per_s: spsAt(50) }), mlpkit('W1', 2, { samples_per_s: spsAt(30) }),
    mlpkit('W1', 2, { samples_per_s: spsAt(99), superseded: true }), { framework: 'mlpkit', workload: 'error', threads: 0, error: 'exit 1' }];
  const rows = summarize(records);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.runs, 2);
  assert.deepEqual(rows[0]!.fraction_of_gemm_peak_by_round, { 1: 0.5 });
  assert.equal(rows[0]!.samples_per_s, Math.round(spsAt(40)));
});

test("W1's accuracy is the W1acc of the same framework and backend", () => {
  const records = [mlpkit('W1', 1, { samples_per_s: 1000 }), mlpkit('W1acc', 0, { accuracy: 0.88 }),
    { ...mlpkit('W1acc', 0, { accuracy: 0.5 }), variant: 'wasm', backend: 'wasm' }, peer('W1acc', 0, { accuracy: 0.7 })];
  assert.equal(summarize(records)[0]!.accuracy, 0.88);
});

test('ratios are of the medians of one run, latency inverted, and marked when a median rests on a loaded record', () => {
  const records: BenchRecord[] = [];
  for (const run of [1, 2, 3]) {
    records.push(mlpkit('W1', run, { samples_per_s: 3000 * run, own_cores: 1 }), peer('W1', run, { samples_per_s: 1000 * run, own_cores: 1 }));
    records.push(mlpkit('W3', run, { latency_us: 10, samples_per_s: 100 }), peer('W3', run, { latency_us: 30, samples_per_s: 200, foreign_cores: run === 2 ? 0.5 : 0 }));
  }
  const table = ratioTable(summarize(records, ['mlpkit (native)', 'sklearn']), 0.3);
  const same = table.find((r) => r[0] === 'mlpkit (native) 1t ÷ sklearn 1t');
  assert.deepEqual(same, ['mlpkit (native) 1t ÷ sklearn 1t', '3.00×', '—', '3.00× ⚠', '0.50× ⚠']);
  const perCpu = table.find((r) => r[0] === 'mlpkit (native) 1t ÷ sklearn 1t, per CPU-s');
  assert.deepEqual(perCpu, ['mlpkit (native) 1t ÷ sklearn 1t, per CPU-s', '3.00×', '—', '', '']);
});

test('a peer measured at one thread only is compared with mlpkit at one and at two threads', () => {
  const records = [mlpkit('W2', 1, { samples_per_s: 400 }), { ...mlpkit('W2', 1, { samples_per_s: 600 }), threads: 2 },
    { framework: 'brain.js', workload: 'W2', threads: 1, run: 1, samples_per_s: 200, foreign_cores: 0 }];
  const names = ratioTable(summarize(records), 0.3).map((r) => [r[0], r[2]]);
  assert.deepEqual(names, [['mlpkit (native) 1t ÷ brain.js 1t', '2.00×'], ['mlpkit (native) 2t ÷ brain.js 1t', '3.00×']]);
});

test('the notes under the table flag fewer than 3 rounds and count the medians measured under load', () => {
  const one = summarize([mlpkit('W2', 1, { samples_per_s: 400, foreign_cores: 0.9 }), peer('W2', 1, { samples_per_s: 100 })]);
  const lines = noiseLines(one, 0.3, 2).join('\n');
  assert.match(lines, /medians over 1 round\(s\); most foreign CPU .* 0\.90 cores/);
  assert.match(lines, /fewer than 3 rounds: a smoke test/);
  assert.match(lines, /⚠: 1 of 2 medians rest on a record measured while other processes used more than 0\.3 cores \(after up to 2 re-runs\)/);
  const three = summarize([1, 2, 3].map((run) => peer('W2', run, { samples_per_s: 100 })));
  const quiet = noiseLines(three, 0.3, 2).join('\n');
  assert.doesNotMatch(quiet, /fewer than 3 rounds/);
  assert.match(quiet, /no median rests on a record above 0\.3 foreign cores/);
});

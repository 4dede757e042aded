// The benchmark's summary: medians over the rounds of every (framework, variant, workload, threads), the
// W1 fraction of the sgemm ceiling measured in the same round, and the printed tables with their
// ratios (a ratio resting on a record measured under foreign load carries a warning). Pure: bench/run.ts
// gives it the records; tested in test/bench/summary.test.ts.
import { LOAD_WARNING, ratioCell, type BenchRecord } from './fairness.js';

/** FLOP of one W1 training sample: forward 469,504 + backward 537,600 (the products only). */
export const W1_FLOP_PER_SAMPLE = 1_007_104;

export function median(v: readonly number[]): number {
  if (v.length === 0) throw new Error('median of no values');
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface Row {
  framework: string; variant?: string; workload: string; threads: number; runs: number;
  samples_per_s?: number; samples_per_s_min?: number; samples_per_s_max?: number;
  latency_us?: number; latency_p10_us?: number; latency_p90_us?: number; accuracy?: number;
  effective_gflops?: number; gemm_peak_gflops?: number;
  /** Median over the rounds of (this round's W1 GFLOP/s ÷ the sgemm ceiling measured in the same round). */
  fraction_of_gemm_peak?: number;
  /** Each round's fraction, by round number. */
  fraction_of_gemm_peak_by_round?: Record<string, number>;
  timed_samples?: number; peak_rss_mb?: number; foreign_cores_max: number;
  /**
   * Samples per second of CPU the harness itself got (samples/s ÷ own cores): on a machine shared with other
   * processes, an estimate of the one-thread figure on an idle one (time slices taken by others do not count;
   * the cache they evict still does).
   */
  samples_per_cpu_s?: number;
}

const live = (r: BenchRecord): boolean => r.error === undefined && r.superseded !== true;
const round1 = (v: number): number => Math.round(v * 10) / 10;

/** The sgemm ceiling (1024³ GFLOP/s) of each round and thread count, keyed `run|threads`. */
export function gemmByRound(records: readonly BenchRecord[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) {
    if (live(r) && r.framework === 'openblas-sgemm' && typeof r.gflops_1024 === 'number') out.set(`${r.run ?? 0}|${r.threads}`, r.gflops_1024);
  }
  return out;
}

/** The median ceiling per thread count over the rounds. */
export function gemmPeaks(records: readonly BenchRecord[]): Map<number, number> {
  const by = new Map<number, number[]>();
  for (const [key, g] of gemmByRound(records)) { const t = Number(key.split('|')[1]); by.set(t, [...(by.get(t) ?? []), g]); }
  return new Map([...by].map(([t, v]) => [t, median(v)]));
}

/** W1's GFLOP/s against the same round's ceiling, per round (rounds without a ceiling are left out). */
function w1Fractions(rs: readonly BenchRecord[], gemm: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rs) {
    const peak = gemm.get(`${r.run ?? 0}|${r.threads}`);
    if (typeof r.samples_per_s === 'number' && peak !== undefined) out[String(r.run ?? 0)] = Math.round(r.samples_per_s * W1_FLOP_PER_SAMPLE / 1e9 / peak * 1000) / 1000;
  }
  return out;
}

/** One row from the records of one (framework, variant, workload, threads); `all` for W1's accuracy (W1acc). */
function rowOf(rs: readonly BenchRecord[], all: readonly BenchRecord[], gemm: ReadonlyMap<string, number>, peaks: ReadonlyMap<number, number>): Row {
  const pick = (k: string): number[] => rs.map((r) => r[k]).filter((x): x is number => typeof x === 'number');
  const med = (k: string): number | undefined => { const v = pick(k); return v.length === 0 ? undefined : median(v); };
  const r0 = rs[0]!;
  const row: Row = { framework: r0.framework, workload: r0.workload, threads: r0.threads, runs: rs.length, foreign_cores_max: Math.max(0, ...pick('foreign_cores')) };
  if (r0.variant !== undefined) row.variant = r0.variant;
  const sps = med('samples_per_s');
  const perCpu = rs.filter((r) => typeof r.samples_per_s === 'number' && typeof r.own_cores === 'number' && r.own_cores > 0).map((r) => r.samples_per_s! / r.own_cores!);
  if (perCpu.length > 0) row.samples_per_cpu_s = Math.round(median(perCpu));
  if (sps !== undefined) { row.samples_per_s = Math.round(sps); row.samples_per_s_min = Math.round(Math.min(...pick('samples_per_s'))); row.samples_per_s_max = Math.round(Math.max(...pick('samples_per_s'))); }
  for (const k of ['latency_us', 'latency_p10_us', 'latency_p90_us'] as const) { const v = med(k); if (v !== undefined) row[k] = round1(v); }
  const acc = med('accuracy');
  if (acc !== undefined && r0.workload === 'W2') row.accuracy = acc;
  const ts = med('timed_samples');
  if (ts !== undefined && r0.workload === 'W1') row.timed_samples = ts;
  const rss = med('peak_rss_mb');
  if (rss !== undefined) row.peak_rss_mb = rss;
  if (r0.workload === 'W1' && sps !== undefined) {
    row.effective_gflops = round1(sps * W1_FLOP_PER_SAMPLE / 1e9);
    const peak = peaks.get(r0.threads);
    if (peak !== undefined) row.gemm_peak_gflops = round1(peak);
    const byRound = w1Fractions(rs, gemm);
    if (Object.keys(byRound).length > 0) { row.fraction_of_gemm_peak_by_round = byRound; row.fraction_of_gemm_peak = median(Object.values(byRound)); }
    // W1's accuracy is its framework's (and backend's) W1acc: test accuracy after 5 epochs, one thread.
    const a = all.filter((x) => live(x) && x.framework === r0.framework && x.backend === r0.backend && x.workload === 'W1acc' && typeof x.accuracy === 'number').map((x) => x.accuracy!);
    if (a.length > 0) row.accuracy = median(a);
  }
  return row;
}

/** How a row is named in the tables: the framework, or mlpkit with its backend. */
export const ident = (r: Row): string => (r.framework === 'mlpkit' && r.variant !== undefined ? `mlpkit (${r.variant})` : r.framework);

/** The medians of the kept W1, W2 and W3 records, one row per (framework, variant, workload, threads), in `order`. */
export function summarize(records: readonly BenchRecord[], order: readonly string[] = []): Row[] {
  const groups = new Map<string, BenchRecord[]>();
  for (const r of records) {
    if (!live(r) || !['W1', 'W2', 'W3'].includes(r.workload)) continue;
    const key = `${r.framework}|${r.variant ?? ''}|${r.workload}|${r.threads}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const gemm = gemmByRound(records), peaks = gemmPeaks(records);
  const rank = (r: Row): number => { const i = order.indexOf(ident(r)); return i < 0 ? order.length : i; };
  return [...groups.values()].map((rs) => rowOf(rs, records, gemm, peaks))
    .sort((a, b) => rank(a) - rank(b) || ident(a).localeCompare(ident(b)) || a.threads - b.threads || a.workload.localeCompare(b.workload));
}

const find = (rows: readonly Row[], f: string, w: string, t: number): Row | undefined => rows.find((r) => ident(r) === f && r.workload === w && r.threads === t);

/**
 * The ratios mlpkit ÷ each peer, same run (W3 batch-1 latency: peer ÷ mlpkit, so > 1 always means mlpkit
 * is faster), at the same thread count (a one-thread-only peer against mlpkit at 1 and 2 threads), and at one
 * thread per CPU-second each harness got. A ratio with a record measured above `maxLoad` cores is marked.
 */
export function ratioTable(rows: readonly Row[], maxLoad: number): string[][] {
  const loaded = (...rs: (Row | undefined)[]): boolean => rs.some((r) => r !== undefined && r.foreign_cores_max > maxLoad);
  const cell = (a: Row | undefined, b: Row | undefined, k: 'samples_per_s' | 'latency_us' | 'samples_per_cpu_s'): string =>
    ratioCell(a?.[k], b?.[k], a !== undefined && b !== undefined && loaded(a, b));
  const frameworks = [...new Set(rows.map(ident))];
  const ours = frameworks.filter((x) => x.startsWith('mlpkit')), peers = frameworks.filter((x) => !x.startsWith('mlpkit'));
  const out: string[][] = [];
  for (const f of peers) {
    const peerThreads = [1, 2].filter((t) => rows.some((r) => ident(r) === f && r.threads === t));
    for (const me of ours) {
      for (const mt of [1, 2]) {
        const pt = peerThreads.includes(mt) ? mt : peerThreads.length === 1 ? peerThreads[0]! : undefined;
        if (pt === undefined || !rows.some((r) => ident(r) === me && r.threads === mt)) continue;
        const [a, b] = [(w: string) => find(rows, me, w, mt), (w: string) => find(rows, f, w, pt)];
        out.push([`${me} ${mt}t ÷ ${f} ${pt}t`, cell(a('W1'), b('W1'), 'samples_per_s'), cell(a('W2'), b('W2'), 'samples_per_s'),
          cell(b('W3'), a('W3'), 'latency_us'), cell(a('W3'), b('W3'), 'samples_per_s')]);
      }
    }
  }
  // One thread, per CPU-second each harness got: the comparison least moved by other processes' load.
  for (const f of peers) {
    for (const me of ours) {
      const [a, b] = [(w: string) => find(rows, me, w, 1), (w: string) => find(rows, f, w, 1)];
      if (b('W1')?.samples_per_cpu_s !== undefined || b('W2')?.samples_per_cpu_s !== undefined) {
        out.push([`${me} 1t ÷ ${f} 1t, per CPU-s`, cell(a('W1'), b('W1'), 'samples_per_cpu_s'), cell(a('W2'), b('W2'), 'samples_per_cpu_s'), '', '']);
      }
    }
  }
  return out;
}

const k = (v: number | undefined): string => (v === undefined ? '—' : v >= 1e5 ? `${Math.round(v / 1000)}k` : v >= 1000 ? `${(v / 1000).toFixed(1)}k` : `${Math.round(v)}`);
const pct = (v: number | undefined): string => (v === undefined ? '—' : `${(100 * v).toFixed(1)}%`);

/** The table of medians: one line per (framework, threads). */
export function mediansTable(rows: readonly Row[]): string[][] {
  const out: string[][] = [];
  for (const f of [...new Set(rows.map(ident))]) {
    for (const t of [1, 2]) {
      const [w1, w2, w3] = ['W1', 'W2', 'W3'].map((w) => find(rows, f, w, t));
      const any = w1 ?? w2 ?? w3;
      if (any === undefined) continue;
      const name = f + (any.variant !== undefined && any.framework !== 'mlpkit' ? ` (${any.variant})` : '');
      const part = w1?.timed_samples !== undefined && w1.timed_samples < 60000 ? ` (${k(w1.timed_samples)} samples)` : '';
      const gflops = w1?.effective_gflops === undefined ? '—' : `${w1.effective_gflops.toFixed(1)}${w1.fraction_of_gemm_peak === undefined ? '' : ` (${pct(w1.fraction_of_gemm_peak)})`}`;
      out.push([name, String(t), k(w1?.samples_per_s) + part, k(w1?.samples_per_cpu_s), gflops, pct(w1?.accuracy), k(w2?.samples_per_s),
        k(w2?.samples_per_cpu_s), pct(w2?.accuracy), w3?.latency_us === undefined ? '—' : w3.latency_us.toFixed(1), k(w3?.samples_per_s),
        String(Math.max(w1?.peak_rss_mb ?? 0, w2?.peak_rss_mb ?? 0, w3?.peak_rss_mb ?? 0) || '—')]);
    }
  }
  return out;
}

export const MEDIANS_HEAD = ['framework', 'thr', 'W1 samples/s', 'W1 /CPU-s', 'GFLOP/s (of sgemm)', 'W1 test acc', 'W2 samples/s', 'W2 /CPU-s', 'W2 acc', 'W3 b1 µs', 'W3 b1024 /s', 'peak RSS MB'];
export const RATIO_HEAD = ['mlpkit vs peer', 'W1', 'W2', 'W3 b1', 'W3 b1024'];

/** Columns padded to their widest cell (the first left-aligned), under a rule. */
export function formatTable(head: readonly string[], body: readonly string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
}

/** mlpkit's W1 fraction of the ceiling, round by round (one line per backend and thread count; every row has it in the JSON). */
export function fractionLines(rows: readonly Row[]): string[] {
  return rows.filter((r) => r.framework === 'mlpkit' && r.fraction_of_gemm_peak_by_round !== undefined).map((r) =>
    `  ${ident(r)} ${r.threads}t: ${Object.entries(r.fraction_of_gemm_peak_by_round!).map(([run, f]) => `round ${run} ${pct(f)}`).join(', ')} (median ${pct(r.fraction_of_gemm_peak)})`);
}

/** The lines that say how far the table can be trusted: rounds, foreign load and what the warning means. */
export function noiseLines(rows: readonly Row[], maxLoad: number, reruns: number): string[] {
  const rounds = Math.max(0, ...rows.map((r) => r.runs));
  const loaded = rows.filter((r) => r.foreign_cores_max > maxLoad).length;
  const out = [`medians over ${rounds} round(s); most foreign CPU (other processes) in a timed section: ${Math.max(0, ...rows.map((r) => r.foreign_cores_max)).toFixed(2)} cores`];
  if (rounds < 3) out.push(`fewer than 3 rounds: a smoke test, not figures to publish`);
  out.push(loaded === 0 ? `no median rests on a record above ${maxLoad} foreign cores`
    : `${LOAD_WARNING}: ${loaded} of ${rows.length} medians rest on a record measured while other processes used more than ${maxLoad} cores (after up to ${reruns} re-runs): ratios with them are noise-prone`);
  return out;
}

// How bench/run.ts keeps a run fair and its noise visible: a one-thread harness is pinned to one core, a
// harness run while other processes took more than --max-load cores is run again, and a ratio that rests
// on a record still above it is marked. Pure (no process is started here), so that it is tested:
// test/bench/fairness.test.ts.

/** One JSON record a harness prints (BENCHMARKS.md; the peers' keys plus what bench/run.ts adds). */
export interface BenchRecord {
  framework: string; workload: string; threads: number; variant?: string; run?: number;
  samples_per_s?: number; latency_us?: number; accuracy?: number; foreign_cores?: number; own_cores?: number;
  peak_rss_mb?: number; gflops_1024?: number; gflops_w1_step?: number; timed_samples?: number;
  superseded?: boolean; error?: string; [k: string]: unknown;
}

/** A harness's command line and how it is pinned (copied into each of its records). */
export interface Pinned { readonly argv: string[]; readonly pinning: string }

/**
 * The command line of `exe` for `threads` threads. One thread: `taskset -c 0` (when the machine has it)
 * and, for Node, V8's --single-threaded, so that its compiler and collector threads do not use a second
 * core. More threads: as given.
 */
export function pinCommand(threads: number, exe: string, how: { readonly node: boolean; readonly taskset: boolean }): Pinned {
  if (threads !== 1) return { argv: [exe], pinning: `not pinned (${threads} threads)` };
  const argv = [...(how.taskset ? ['taskset', '-c', '0'] : []), exe, ...(how.node ? ['--single-threaded'] : [])];
  const parts = [how.taskset ? 'taskset -c 0' : 'no core pinning (taskset is missing)', ...(how.node ? ['node --single-threaded'] : [])];
  return { argv, pinning: parts.join(' + ') };
}

/** The most foreign CPU (cores other processes used) in any timed section of these records; 0 when none says. */
export function loadOf(records: readonly BenchRecord[]): number {
  return Math.max(0, ...records.map((r) => (typeof r.foreign_cores === 'number' ? r.foreign_cores : 0)));
}

/** What one run of a harness gave: its records, and why it failed (null when it did not). */
export interface Attempt { readonly got: BenchRecord[]; readonly error: string | null }

/** The attempt kept, the records of the others (marked superseded) and how many runs it took. */
export interface Retried { readonly kept: Attempt; readonly superseded: BenchRecord[]; readonly attempts: number }

/**
 * Runs `attempt`; while the kept attempt's load is above `maxLoad` cores, runs it again, up to `reruns`
 * more times, and keeps the least loaded attempt that did not fail. The kept records say how many runs
 * it took (`attempts`) and whether their load is still above `maxLoad` (`over_max_load`).
 */
export function runWithRetries(attempt: () => Attempt, maxLoad: number, reruns: number, onRetry: (load: number, retry: number) => void = () => {}): Retried {
  let best = attempt();
  let attempts = 1;
  const superseded: BenchRecord[] = [];
  const drop = (a: Attempt): void => { superseded.push(...a.got.map((r) => ({ ...r, superseded: true }))); };
  while (attempts <= reruns && best.error === null && loadOf(best.got) > maxLoad) {
    onRetry(loadOf(best.got), attempts);
    const next = attempt();
    attempts++;
    if (next.error !== null) { drop(next); break; }
    if (loadOf(next.got) < loadOf(best.got)) { drop(best); best = next; } else drop(next);
  }
  const over = loadOf(best.got) > maxLoad;
  return { kept: { ...best, got: best.got.map((r) => ({ ...r, attempts, over_max_load: over })) }, superseded, attempts };
}

/** The warning printed beside a ratio that rests on a record measured above --max-load cores. */
export const LOAD_WARNING = '⚠';

/** `a ÷ b` as printed (`1.23×`), with the warning when either side was measured under load; '—' when one is missing. */
export function ratioCell(a: number | undefined, b: number | undefined, loaded: boolean): string {
  if (a === undefined || b === undefined) return '—';
  return `${(a / b).toFixed(2)}×${loaded ? ` ${LOAD_WARNING}` : ''}`;
}

/** The core OpenBLAS picked, from the addon's config() ("OpenBLAS 0.3.21 … ; core Cooperlake"); null when it does not say. */
export function openblasCoreOf(config: string): string | null {
  return /\bcore (\S+)/.exec(config)?.[1] ?? null;
}

/**
 * Comparison trials on worker threads (Node only). Each worker runs `runTrial`, a pure function of its
 * trial, so the scores equal the sequential runner's.
 */

import { runTrial, type CompareRunner, type Trial, type TrialResult } from '../tune/compare.js';
import { runJobs, serveJobs } from './pool.js';

const ROLE = 'mlpkit-compare-worker';

/** How parallelCompareRunner runs: the number of worker threads. */
export interface ParallelCompareOptions {
  /** Threads, this one included (default: the machine's available parallelism): this thread runs jobs too. */
  readonly threads?: number;
}

/** A runner that spreads the trials over a pool of worker threads; results come back in trial order. */
export function parallelCompareRunner(options: ParallelCompareOptions = {}): CompareRunner {
  return async (trials) => {
    const results = await runJobs<Trial, TrialResult>(import.meta.url, ROLE, trials, { ...options, what: 'trial' }, runTrial);
    return results.map((r, i) => {
      if (r === null) throw new Error(`trial ${i}: no result`);
      return r;
    });
  };
}

// runTrial reports a failed fit in its result instead of throwing.
serveJobs<Trial, TrialResult>(ROLE, runTrial);

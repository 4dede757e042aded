/**
 * Parallel restarts on worker threads (Node only). Each worker runs `runRestart`, a pure function of
 * its job, so the results equal `sequentialRunner`'s with the same seeds.
 */

import { runRestart, type RestartJob, type RestartResult, type RestartRunner } from '../train/restarts.js';
import { runJobs, serveJobs } from './pool.js';

const ROLE = 'mlpkit-restarts-worker';

/** How many worker threads parallelRunner uses. */
export interface ParallelRunnerOptions {
  /** Threads, this one included (default: the machine's available parallelism): this thread runs jobs too. */
  readonly threads?: number;
}

/** A runner that spreads the jobs over a pool of worker threads; results come back in job order. */
export function parallelRunner(options: ParallelRunnerOptions = {}): RestartRunner {
  return async (jobs) => {
    const results = await runJobs<RestartJob, RestartResult>(import.meta.url, ROLE, jobs, { ...options, what: 'restart' }, runRestart);
    return results.map((r, i) => {
      if (r === null) throw new Error(`restart ${i}: no result`);
      return r;
    });
  };
}

serveJobs<RestartJob, RestartResult>(ROLE, runRestart);

/**
 * Hyperparameter-search candidates on worker threads (Node only). Each worker runs
 * `evaluateCandidate`, a pure function of its job, so the scores equal the sequential runner's.
 * A worker takes its next candidate only while the time budget lasts.
 */

import { evaluateCandidate, type CandidateResult, type TuneJob, type TuneRunner } from '../tune/search.js';
import { runJobs, serveJobs } from './pool.js';

const ROLE = 'mlpkit-tune-worker';

/** How many worker threads parallelTuneRunner uses. */
export interface ParallelTuneOptions {
  /** Threads, this one included (default: the machine's available parallelism): this thread runs jobs too. */
  readonly threads?: number;
}

/** A runner that spreads the candidates over a pool of worker threads; results come back in job order. */
export function parallelTuneRunner(options: ParallelTuneOptions = {}): TuneRunner {
  return (jobs, deadline) => runJobs<TuneJob, CandidateResult>(import.meta.url, ROLE, jobs, { ...options, deadline, what: 'candidate' }, evaluateCandidate);
}

// evaluateCandidate reports a failed fit in its result instead of throwing.
serveJobs<TuneJob, CandidateResult>(ROLE, evaluateCandidate);

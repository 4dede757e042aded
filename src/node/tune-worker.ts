/**
 * Hyperparameter-search candidates on worker threads (Node only). This module is both the pool (in
 * the main thread) and the worker's entry point (the same file, started with a role marker). Each
 * worker runs `evaluateCandidate`, a pure function of its job, so the scores equal the sequential
 * runner's. A worker takes its next candidate only while the time budget lasts.
 */

import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { evaluateCandidate, type CandidateResult, type TuneJob, type TuneRunner } from '../tune/search.js';

const ROLE = 'mlpkit-tune-worker';

export interface ParallelTuneOptions {
  /** Worker threads (default: the machine's available parallelism). */
  readonly threads?: number;
}

/** A runner that spreads the candidates over a pool of worker threads; results come back in job order. */
export function parallelTuneRunner(options: ParallelTuneOptions = {}): TuneRunner {
  return async (jobs, deadline) => {
    const results = new Array<CandidateResult | null>(jobs.length).fill(null);
    if (jobs.length === 0) return results;
    const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), jobs.length));
    let next = 0;
    const work = (): Promise<void> => new Promise<void>((resolve, reject) => {
      const w = startWorker();
      const feed = (): void => {
        if (next >= jobs.length || (deadline !== null && Date.now() >= deadline)) { void w.terminate().then(() => resolve()); return; }
        w.postMessage(jobs[next++]);
      };
      w.on('message', (r: CandidateResult) => { results[r.index] = r; feed(); });
      w.on('error', (e) => { void w.terminate(); reject(e); });
      feed();
    });
    await Promise.all(Array.from({ length: threads }, work));
    return results;
  };
}

/** From the TypeScript sources a new thread does not inherit the loader, so it registers tsx first. */
function startWorker(): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL(self), { workerData: { role: ROLE } });
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(self)}); });`;
  return new Worker(boot, { eval: true, workerData: { role: ROLE } });
}

function isWorkerData(d: unknown): boolean {
  return typeof d === 'object' && d !== null && (d as { role?: unknown }).role === ROLE;
}

if (!isMainThread && parentPort !== null && isWorkerData(workerData)) {
  const port = parentPort;
  // evaluateCandidate reports a failed fit in its result instead of throwing.
  port.on('message', (job: TuneJob) => { void evaluateCandidate(job).then((r) => port.postMessage(r)); });
}

/**
 * Parallel restarts on worker threads (Node only). This module is both the pool (in the main
 * thread) and the worker's entry point (the same file, started with a role marker), so it works
 * from TypeScript sources and from the compiled package alike. Each worker runs `runRestart`, a
 * pure function of its job, so the results equal `sequentialRunner`'s with the same seeds.
 */

import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { runRestart, type RestartJob, type RestartResult, type RestartRunner } from '../train/restarts.js';

const ROLE = 'mlpkit-restarts-worker';

type Reply = { readonly ok: true; readonly result: RestartResult } | { readonly ok: false; readonly message: string; readonly index: number };

export interface ParallelRunnerOptions {
  /** Worker threads (default: the machine's available parallelism). */
  readonly threads?: number;
}

/** A runner that spreads the jobs over a pool of worker threads; results come back in job order. */
export function parallelRunner(options: ParallelRunnerOptions = {}): RestartRunner {
  return async (jobs) => {
    const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), jobs.length));
    const results = new Array<RestartResult>(jobs.length);
    let next = 0;
    let failed = false;
    const work = (): Promise<void> => new Promise<void>((resolve, reject) => {
      const w = startWorker();
      const feed = (): void => {
        // After a failure the other workers stop taking jobs.
        if (next >= jobs.length || failed) { void w.terminate().then(() => resolve()); return; }
        w.postMessage(jobs[next++]);
      };
      w.on('message', (r: Reply) => {
        if (!r.ok) { failed = true; void w.terminate(); reject(new Error(`restart ${r.index}: ${r.message}`)); return; }
        results[r.result.index] = r.result;
        feed();
      });
      w.on('error', (e) => { failed = true; reject(e); });
      feed();
    });
    await Promise.all(Array.from({ length: threads }, work));
    return results;
  };
}

/**
 * A worker running this file. From the TypeScript sources (tests, tsx) a new thread does not inherit
 * the TypeScript loader's hooks, so the worker first registers tsx's loader and then imports the file.
 */
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
  port.on('message', (job: RestartJob) => {
    runRestart(job).then(
      (result) => port.postMessage({ ok: true, result } satisfies Reply),
      (e: unknown) => port.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e), index: job.index } satisfies Reply),
    );
  });
}

/**
 * A small pool of worker threads (Node only) for jobs that are pure functions of their input:
 * restarts and hyperparameter candidates. A module that uses it is both the pool (in the main
 * thread) and the worker's entry point (the same file, started with a role marker), so it works from
 * the TypeScript sources and from the compiled package alike. Results come back in job order, so a
 * parallel run equals a sequential one.
 */

import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/** A worker's answer to one job. */
export type Reply<R> = { readonly ok: true; readonly result: R } | { readonly ok: false; readonly message: string };

export interface PoolOptions {
  /** Worker threads (default: the machine's available parallelism, at most one per job). */
  readonly threads?: number;
  /** Epoch milliseconds after which no new job starts (the jobs not started stay null). */
  readonly deadline?: number | null;
  /** How a failed job is named in the error, e.g. 'restart'. */
  readonly what: string;
}

/**
 * Run `jobs` on worker threads started from `moduleUrl` (a module that calls `serveJobs(role, …)`).
 * One failure stops the pool: the other workers take no new job and the error names the job.
 */
export async function runJobs<J, R>(moduleUrl: string, role: string, jobs: readonly J[], options: PoolOptions): Promise<(R | null)[]> {
  const results = new Array<R | null>(jobs.length).fill(null);
  if (jobs.length === 0) return results;
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), jobs.length));
  const deadline = options.deadline ?? null;
  let next = 0;
  let failed = false;
  const work = (): Promise<void> => new Promise<void>((resolve, reject) => {
    const w = startWorker(moduleUrl, role);
    let current = -1;
    const feed = (): void => {
      if (next >= jobs.length || failed || (deadline !== null && Date.now() >= deadline)) {
        void w.terminate().then(() => resolve());
        return;
      }
      current = next++;
      w.postMessage(jobs[current]);
    };
    w.on('message', (r: Reply<R>) => {
      if (!r.ok) {
        failed = true;
        void w.terminate();
        reject(new Error(`${options.what} ${current}: ${r.message}`));
        return;
      }
      results[current] = r.result;
      feed();
    });
    w.on('error', (e) => { failed = true; void w.terminate(); reject(e); });
    feed();
  });
  await Promise.all(Array.from({ length: threads }, work));
  return results;
}

/** In a worker started by `runJobs` with this role: answer every job with `handle(job)`. */
export function serveJobs<J, R>(role: string, handle: (job: J) => Promise<R>): void {
  if (isMainThread || parentPort === null || !isRole(workerData, role)) return;
  const port = parentPort;
  port.on('message', (job: J) => {
    handle(job).then(
      (result) => port.postMessage({ ok: true, result } satisfies Reply<R>),
      (e: unknown) => port.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) } satisfies Reply<R>),
    );
  });
}

/**
 * A worker running `moduleUrl`. From the TypeScript sources (tests, tsx) a new thread does not inherit
 * the TypeScript loader's hooks, so the worker first registers tsx's loader and then imports the file.
 */
export function startWorker(moduleUrl: string, role: string): Worker {
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(moduleUrl), { workerData: { role } });
  // tsx is resolved here, not in the worker, whose eval'd code would resolve it against the working directory.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(moduleUrl)}); });`;
  return new Worker(boot, { eval: true, workerData: { role } });
}

function isRole(d: unknown, role: string): boolean {
  return typeof d === 'object' && d !== null && (d as { role?: unknown }).role === role;
}

/**
 * A small pool of worker threads (Node only) for jobs that are pure functions of their input:
 * restarts and hyperparameter candidates. A module that uses it is both the pool (in the main
 * thread) and the worker's entry point (the same file, started with a role marker), so it works from
 * the TypeScript sources and from the compiled package alike. Results come back in job order, so a
 * parallel run equals a sequential one. Given the job's handler, the calling thread takes jobs too
 * (one worker fewer is started): jobs shorter than a worker's start-up then all run here, one after
 * another, as fast as without the pool. A worker uses the native products when the calling thread does,
 * so the kernels, and the results, are the same whichever thread runs a job.
 */

import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { defaultBackend } from '../kernels/default.js';

/** A worker's answer to one job. */
export type Reply<R> = { readonly ok: true; readonly result: R } | { readonly ok: false; readonly message: string };

/** What a failed job says: an Error's message, anything else as a string. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A worker's first message (serveJobs's): it has booted and takes jobs. */
export interface Ready { readonly ready: true }

/** Whether a message from a serveJobs worker is its Ready, not an answer. */
export function isReady(m: unknown): m is Ready {
  return typeof m === 'object' && m !== null && (m as { ready?: unknown }).ready === true;
}

export interface PoolOptions {
  /** Threads running jobs, the calling thread among them when runJobs has the handler (default: the machine's available parallelism, at most one per job). */
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
export async function runJobs<J, R>(moduleUrl: string, role: string, jobs: readonly J[], options: PoolOptions,
                                    local?: (job: J) => Promise<R>): Promise<(R | null)[]> {
  const results = new Array<R | null>(jobs.length).fill(null);
  if (jobs.length === 0) return results;
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), jobs.length));
  const deadline = options.deadline ?? null;
  let next = 0;
  let failed = false;
  /** The next job's index, or null when none is left to start. */
  const take = (): number | null => (next >= jobs.length || failed || (deadline !== null && Date.now() >= deadline) ? null : next++);
  /** Workers still booting: stopped, not waited for, once this thread has found nothing left to take. */
  const booting = new Set<() => void>();
  const work = (): Promise<void> => new Promise<void>((resolve, reject) => {
    const w = startWorker(moduleUrl, role);
    let current = -1;
    const stop = (): void => { booting.delete(stop); void w.terminate().then(() => resolve()); };
    booting.add(stop);
    const feed = (): void => {
      const i = take();
      if (i === null) { stop(); return; }
      booting.delete(stop);
      current = i;
      w.postMessage(jobs[current]);
    };
    w.on('message', (r: Reply<R> | Ready) => {
      // A worker is fed once it has booted: until then the jobs stay for the threads that are running.
      if (isReady(r)) { feed(); return; }
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
  });
  // This thread's share: taken after the workers have started booting, with a turn of the event loop
  // between jobs so that a worker's answer is heard and the worker fed without waiting for the next.
  const here = async (): Promise<void> => {
    for (let i = take(); i !== null; i = take()) {
      try {
        results[i] = await local!(jobs[i]!);
      } catch (e) {
        failed = true;
        throw new Error(`${options.what} ${i}: ${messageOf(e)}`);
      }
      await new Promise<void>((resolve) => { setImmediate(resolve); });
    }
    for (const stop of [...booting]) stop();
  };
  const workers = local === undefined ? threads : threads - 1;
  await Promise.all([...Array.from({ length: workers }, work), ...(local === undefined ? [] : [here()])]);
  return results;
}

/** In a worker started by `runJobs` with this role: answer every job with `handle(job)`. */
export function serveJobs<J, R>(role: string, handle: (job: J) => Promise<R>): void {
  if (isMainThread || parentPort === null || !isRole(workerData, role)) return;
  const port = parentPort;
  // The calling thread's kind of kernels (its default backend), so that a job's result does not depend on where it ran.
  const ready = (workerData as { native?: unknown }).native === true
    ? import('./native.js').then((m) => { m.useNativeBackend(); })
    : Promise.resolve();
  void ready.then(() => { port.postMessage({ ready: true } satisfies Ready); });
  port.on('message', (job: J) => {
    ready.then(() => handle(job)).then(
      (result) => port.postMessage({ ok: true, result } satisfies Reply<R>),
      (e: unknown) => port.postMessage({ ok: false, message: messageOf(e) } satisfies Reply<R>),
    );
  });
}

/**
 * A worker running `moduleUrl`. From the TypeScript sources (tests, tsx) a new thread does not inherit
 * the TypeScript loader's hooks, so the worker first registers tsx's loader and then imports the file.
 */
export function startWorker(moduleUrl: string, role: string): Worker {
  const data = { role, native: defaultBackend().name.startsWith('native') };
  if (!moduleUrl.endsWith('.ts')) return new Worker(new URL(moduleUrl), { workerData: data });
  // tsx is resolved here, not in the worker, whose eval'd code would resolve it against the working directory.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(moduleUrl)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}

function isRole(d: unknown, role: string): boolean {
  return typeof d === 'object' && d !== null && (d as { role?: unknown }).role === role;
}

/**
 * A queue worker (Node only): takes trials from the BullMQ queue and runs each on one of its worker
 * threads, so the main thread stays free to renew the trial's lock and to reconnect; a trial whose
 * worker died (its lock expired) goes back to the queue for another worker. This file is also the
 * threads' entry point.
 *
 * What is retried and what is not: a trial that fails by itself (a bad spec, training that diverges)
 * would fail again anywhere, so it fails once (BullMQ's UnrecoverableError) with its message; data that
 * cannot be fetched, or a thread that died, is tried again (up to ATTEMPTS, with backoff).
 */

import { hostname } from 'node:os';
import type { Worker as Thread } from 'node:worker_threads';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RestartResult } from '../../train/restarts.js';
import type { CandidateResult } from '../../tune/search.js';
import { isReady, messageOf, serveJobs, startWorker, type Ready, type Reply } from '../pool.js';
import { BundleCache } from './bundle.js';
import { connect, resolveConnection, type QueueConnection } from './connection.js';
import { DATA_PREFIX, MAX_STALLS, QUEUE } from './names.js';
import { checkTrial, runTrial, type Trial } from './trials.js';
import { fromWire, toWire, type Json } from './wire.js';

const ROLE = 'mlpkit-queue-trial';

/** How a worker takes trials: the connection, its name, trials at a time, a shared data folder and the stall time. */
export interface QueueWorkerOptions {
  readonly connection: QueueConnection;
  /** Trials run at once, each on its own thread (default 1). */
  readonly concurrency?: number;
  /** Shown in the submitter's progress (default HOST-PID). */
  readonly name?: string;
  readonly queue?: string;
  /** This machine's mount of the submitters' shared data folder, for trials whose data is a file. */
  readonly dataDir?: string;
  /** A trial whose worker has not renewed its lock for this long goes to another worker (default 30). */
  readonly stallSeconds?: number;
  readonly onEvent?: (e: WorkerEvent) => void;
}

/** One event of a worker: a trial started or done, or Redis lost and regained. */
export type WorkerEvent =
  | { readonly kind: 'started'; readonly id: string; readonly trial: Trial; readonly attempt: number }
  | { readonly kind: 'done'; readonly id: string; readonly seconds: number }
  | { readonly kind: 'failed'; readonly id: string; readonly message: string; readonly retried: boolean }
  | { readonly kind: 'note'; readonly message: string };

/** A running queue worker: its name, and a stop that finishes the trials it is running. */
export interface QueueWorker {
  readonly name: string;
  /** Where it takes trials from, without credentials. */
  readonly display: string;
  /** Finish the trials running, take no new one, and disconnect. */
  close(): Promise<void>;
}

type Outcome = RestartResult | CandidateResult;
interface Message { readonly trial: Trial; readonly bytes: Uint8Array }

/** Threads that each run one trial at a time; a thread that dies is replaced. */
class Threads {
  private readonly idle: Thread[] = [];
  private readonly waiting: ((t: Thread) => void)[] = [];
  private readonly all = new Set<Thread>();

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.idle.push(this.spawn());
  }

  private spawn(): Thread {
    const t = startWorker(import.meta.url, ROLE);
    this.all.add(t);
    return t;
  }

  private release(t: Thread): void {
    const next = this.waiting.shift();
    if (next !== undefined) next(t);
    else this.idle.push(t);
  }

  async run(m: Message): Promise<Reply<Outcome>> {
    const t = this.idle.pop() ?? await new Promise<Thread>((resolve) => this.waiting.push(resolve));
    return new Promise((resolve, reject) => {
      const done = (): void => { t.off('message', onMessage); t.off('error', onError); t.off('exit', onExit); };
      // A thread's Ready arrives before its first answer: the trial is already posted (the thread takes it once booted).
      const onMessage = (r: Reply<Outcome> | Ready): void => { if (isReady(r)) return; done(); this.release(t); resolve(r); };
      const lost = (why: string): void => { done(); this.all.delete(t); this.release(this.spawn()); reject(new Error(`the trial's thread ${why}`)); };
      const onError = (e: Error): void => { void t.terminate(); lost(`failed: ${e.message}`); };
      const onExit = (code: number): void => lost(`exited with code ${code}`);
      t.on('message', onMessage);
      t.once('error', onError);
      t.once('exit', onExit);
      t.postMessage(m);
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.all].map((t) => t.terminate()));
  }
}

function processor(threads: Threads, cache: BundleCache, emit: (e: WorkerEvent) => void) {
  return async (job: Job<Json, Json>): Promise<Json> => {
    const id = job.id ?? '?';
    let trial: Trial;
    try {
      trial = checkTrial(fromWire(job.data, `trial ${id}`));
    } catch (e) {
      emit({ kind: 'failed', id, message: messageOf(e), retried: false });
      throw new UnrecoverableError(messageOf(e));
    }
    emit({ kind: 'started', id, trial, attempt: job.attemptsStarted });
    const t0 = performance.now();
    let reply: Reply<Outcome>;
    try {
      reply = await threads.run({ trial, bytes: await cache.get(trial.data) });
    } catch (e) {
      emit({ kind: 'failed', id, message: messageOf(e), retried: true });
      throw e;
    }
    if (!reply.ok) {
      emit({ kind: 'failed', id, message: reply.message, retried: false });
      throw new UnrecoverableError(reply.message);
    }
    emit({ kind: 'done', id, seconds: (performance.now() - t0) / 1000 });
    return toWire(reply.result);
  };
}

/** Start a worker; it runs until `close()`. */
export async function startQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  const c = resolveConnection(o.connection);
  const concurrency = o.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`worker: concurrency must be an integer ≥ 1, got ${concurrency}`);
  const stall = o.stallSeconds ?? 30;
  if (!(stall >= 0.5)) throw new Error(`worker: stallSeconds must be ≥ 0.5, got ${stall}`);
  const name = o.name ?? `${hostname()}-${process.pid}`;
  const emit = (e: WorkerEvent): void => o.onEvent?.(e);
  const note = (message: string): void => emit({ kind: 'note', message });
  const redis: Redis = connect(c, note);
  const threads = new Threads(concurrency);
  const cache = new BundleCache(redis, DATA_PREFIX, o.dataDir ?? null);
  const bull = connect(c, null);
  const worker = new Worker<Json, Json>(o.queue ?? QUEUE, processor(threads, cache, emit), {
    connection: bull, name, concurrency,
    lockDuration: stall * 1000, stalledInterval: stall * 1000, maxStalledCount: MAX_STALLS,
  });
  let lastError = '';
  worker.on('error', (e) => {
    // The connection's own client reports outages; this reports what BullMQ adds (e.g. a trial whose lock was lost).
    if (e.message !== lastError) note(`worker: ${e.message}`);
    lastError = e.message;
  });
  await worker.waitUntilReady();
  return {
    name, display: c.display,
    close: async () => {
      await worker.close();
      await threads.close();
      bull.disconnect();
      redis.disconnect();
    },
  };
}

serveJobs<Message, Outcome>(ROLE, (m) => runTrial(m.trial, m.bytes));

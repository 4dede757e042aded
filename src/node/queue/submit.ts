/**
 * Runners on a Redis job queue (Node only): `queueRunner` for restarts and ensembles, `queueTuneRunner`
 * for a search, beside the worker-thread runners. Workers on any machine (`mlpkit worker`) take the
 * trials; the result equals the local one bit for bit, since every trial is a pure function of its data.
 *
 * The submitter keeps the state in Redis and not in itself. A job's id is its run's content hash (of
 * every trial, data hash included) and its index, so the same command run again — after the submitter
 * was killed — finds the trials done and running instead of starting over. Each poll looks every
 * pending trial up; one missing (Redis restarted and lost it) is queued again, its data stored again
 * first. A result is taken once per index, so nothing is counted twice.
 */

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RestartResult, RestartRunner } from '../../train/restarts.js';
import type { CandidateResult, TuneRunner } from '../../tune/search.js';
import { deleteBundle, hasBundle, putBundle, sha256, writeBundleFile, type DataRef } from './bundle.js';
import { connect, resolveConnection, type QueueConnection } from './connection.js';
import { ATTEMPTS, DATA_PREFIX, QUEUE } from './names.js';
import { restartTrials, tuneTrials, type TrialSet } from './trials.js';
import { fromWire, toWire, type Json } from './wire.js';

/** How a submitter uses the queue: the connection, a shared data folder instead of Redis, polling and progress. */
export interface QueueRunnerOptions {
  readonly connection: QueueConnection;
  readonly queue?: string;
  /**
   * A folder every worker can read (each worker's `dataDir`): the data goes there as a file, named by
   * its hash, instead of into Redis.
   */
  readonly dataDir?: string;
  /** Progress per trial and worker. */
  readonly onProgress?: (e: TrialProgress) => void;
  /** Connection lost and regained. */
  readonly onNote?: (message: string) => void;
  /** Milliseconds between looks at the pending trials (default 100). */
  readonly pollMs?: number;
}

/** One event of a trial as the submitter sees it: started, done, found from an earlier run, or lost and queued again. */
export type TrialProgress =
  /** Queued now; `found`: already on the queue from an earlier submission of the same run. */
  | { readonly kind: 'queued' | 'found'; readonly index: number; readonly id: string }
  /** Taken by a worker (`attempt` > 1: after its earlier worker was lost). */
  | { readonly kind: 'started'; readonly index: number; readonly worker: string; readonly attempt: number }
  | { readonly kind: 'done'; readonly index: number; readonly worker: string }
  /** Gone from Redis (restarted without its data) and queued again. */
  | { readonly kind: 'lost'; readonly index: number };

interface Pending { known: boolean; worker: string | null; attempt: number }

/** How long a finished trial waits in Redis for a submitter to come back for it. */
const KEEP_SECONDS = 24 * 3600;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The id of every job of a run: kind, the run's content hash, index (BullMQ ids may not hold ':'). */
export function jobIds(set: TrialSet): string[] {
  const run = sha256(JSON.stringify(set.trials.map((t) => toWire(t)))).slice(0, 16);
  return set.trials.map((t) => `${t.kind}-${run}-${t.index}`);
}

class Submission {
  private readonly results: (Json | null)[];
  private readonly pending = new Map<number, Pending>();
  private readonly ids: string[];

  constructor(private readonly set: TrialSet, private readonly q: Queue<Json, Json>, private readonly redis: Redis,
              private readonly o: QueueRunnerOptions, private readonly what: string) {
    this.ids = jobIds(set);
    this.results = set.trials.map(() => null);
    set.trials.forEach((_, i) => this.pending.set(i, { known: false, worker: null, attempt: 0 }));
  }

  private async storeData(): Promise<void> {
    for (const b of this.set.bundles) {
      if (this.o.dataDir !== undefined) await writeBundleFile(this.o.dataDir, b);
      else if (!(await hasBundle(this.redis, DATA_PREFIX, b.sha256))) await putBundle(this.redis, DATA_PREFIX, b);
    }
  }

  private progress(e: TrialProgress): void { this.o.onProgress?.(e); }

  /** Queue a trial that is not in Redis (or, past the deadline, give it up as not started). */
  private async add(i: number, p: Pending, late: boolean): Promise<void> {
    if (late) { this.pending.delete(i); return; }
    await this.storeData();
    await this.q.add(this.set.trials[i]!.kind, toWire(this.set.trials[i]), {
      jobId: this.ids[i]!, attempts: ATTEMPTS, backoff: { type: 'exponential', delay: 500 },
      // A job left behind (its submitter gone for good, or still running when the run failed) expires.
      removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS },
    });
    this.progress(p.known ? { kind: 'lost', index: i } : { kind: 'queued', index: i, id: this.ids[i]! });
    p.known = true;
    p.worker = null;
  }

  /** One look at a pending trial: its state first, then the job (so a result is never read from before it was there). */
  private async look(i: number, p: Pending, late: boolean): Promise<void> {
    const id = this.ids[i]!;
    const state = await this.q.getJobState(id);
    const job = state === 'unknown' ? undefined : await this.q.getJob(id);
    if (job === undefined) { await this.add(i, p, late); return; }
    if (!p.known) { p.known = true; this.progress({ kind: 'found', index: i, id }); }
    const worker = job.processedBy ?? '?';
    if (state === 'completed') {
      this.results[i] = job.returnvalue;
      this.pending.delete(i);
      this.progress({ kind: 'done', index: i, worker });
    } else if (state === 'failed') {
      throw new Error(`${this.what} ${i}: ${job.failedReason}`);
    } else if (state === 'active') {
      if (p.worker !== worker || p.attempt !== job.attemptsStarted) this.progress({ kind: 'started', index: i, worker, attempt: job.attemptsStarted });
      p.worker = worker;
      p.attempt = job.attemptsStarted;
    } else if (late && (await this.q.remove(id)) === 1) {
      this.pending.delete(i);
    }
  }

  async run(deadline: number | null): Promise<(Json | null)[]> {
    await this.storeData();
    try {
      while (this.pending.size > 0) {
        const late = deadline !== null && Date.now() >= deadline;
        for (const [i, p] of [...this.pending]) await this.look(i, p, late);
        if (this.pending.size > 0) await sleep(this.o.pollMs ?? 100);
      }
    } finally {
      await this.cleanUp();
    }
    return this.results;
  }

  /** Remove the run's jobs and data (a job still running stays; its worker's result is then dropped). */
  private async cleanUp(): Promise<void> {
    for (const id of this.ids) await this.q.remove(id).catch(() => 0);
    if (this.o.dataDir === undefined) for (const b of this.set.bundles) await deleteBundle(this.redis, DATA_PREFIX, b);
  }
}

async function submit(set: TrialSet, what: string, o: QueueRunnerOptions, deadline: number | null): Promise<(Json | null)[]> {
  const c = resolveConnection(o.connection);
  const redis = connect(c, o.onNote ?? null);
  const q = new Queue<Json, Json>(o.queue ?? QUEUE, { connection: redis });
  // The client reports an outage once (onNote); the queue would print every failed reconnection.
  q.on('error', () => undefined);
  try {
    return await new Submission(set, q, redis, o, what).run(deadline);
  } finally {
    await q.close();
    redis.disconnect();
  }
}

const store = (o: QueueRunnerOptions): DataRef['kind'] => (o.dataDir === undefined ? 'redis' : 'file');

/** Restarts (and ensemble members) on the queue; results in job order, equal to the local runners'. */
export function queueRunner(o: QueueRunnerOptions): RestartRunner {
  return async (jobs) => {
    const out = await submit(restartTrials(jobs, store(o)), 'restart', o, null);
    return out.map((r, i) => {
      if (r === null) throw new Error(`restart ${i}: no result`);
      return fromWire(r, `restart ${i}`) as RestartResult;
    });
  };
}

/** Search candidates on the queue; a candidate not started by the deadline is null, as locally. */
export function queueTuneRunner(o: QueueRunnerOptions): TuneRunner {
  return async (jobs, deadline) => {
    const out = await submit(tuneTrials(jobs, store(o)), 'candidate', o, deadline);
    return out.map((r, i) => (r === null ? null : fromWire(r, `candidate ${i}`) as CandidateResult));
  };
}

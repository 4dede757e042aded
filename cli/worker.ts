/**
 * `mlpkit worker --redis URL`: take trials (restart runs, search candidates) from the queue until
 * stopped (Ctrl-C or SIGTERM finish the trials running first). Also the flags → queue options of the
 * submitting commands (`train --restarts K --redis URL`, `tune --redis URL`) and their progress lines.
 */

import type { QueueConnection } from '../src/node/queue/connection.js';
import type { QueueRunnerOptions, TrialProgress } from '../src/node/queue/submit.js';
import type { WorkerEvent } from '../src/node/queue/worker.js';
import type { RestartRunner } from '../src/train/restarts.js';
import type { TuneRunner } from '../src/tune/search.js';
import { needOptional } from '../src/io/node/optional.js';
import { CliError, usageError } from './errors.js';
import { out } from './output.js';

export interface RedisFlags {
  readonly redis: string;
  readonly redisPasswordFile?: string;
}

export interface WorkerFlags extends RedisFlags {
  readonly concurrency: number;
  readonly name?: string;
  readonly dataDir?: string;
  readonly stallSeconds: number;
}

async function connection(o: RedisFlags): Promise<QueueConnection> {
  const { readPasswordFile, resolveConnection } = await queueModule(() => import('../src/node/queue/connection.js'));
  let c: QueueConnection;
  try {
    c = { url: o.redis, ...(o.redisPasswordFile === undefined ? {} : { password: readPasswordFile(o.redisPasswordFile) }) };
    resolveConnection(c, '--redis');
  } catch (e) {
    throw usageError((e as Error).message);
  }
  return c;
}

function workerLine(name: string, e: WorkerEvent): string {
  switch (e.kind) {
    case 'started': return `${name} ${e.id}: started${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`;
    case 'done': return `${name} ${e.id}: done in ${e.seconds.toFixed(2)} s`;
    case 'failed': return `${name} ${e.id}: failed${e.retried ? ', to be retried' : ''}: ${e.message}`;
    case 'note': return `${name} ${e.message}`;
  }
}

export async function worker(o: WorkerFlags): Promise<void> {
  const c = await connection(o);
  const { startQueueWorker } = await queueModule(() => import('../src/node/queue/worker.js'));
  let name = o.name ?? '';
  const w = await startQueueWorker({
    connection: c, concurrency: o.concurrency, stallSeconds: o.stallSeconds,
    ...(o.name === undefined ? {} : { name: o.name }), ...(o.dataDir === undefined ? {} : { dataDir: o.dataDir }),
    onEvent: (e) => out(`${workerLine(name, e)}\n`),
  });
  name = w.name;
  out(`mlpkit worker ${w.name}: ${o.concurrency} trial${o.concurrency === 1 ? '' : 's'} at a time from ${w.display} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      out(`${w.name}: stopping after the trials running\n`);
      void w.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function progressLine(what: string, e: TrialProgress): string | null {
  switch (e.kind) {
    case 'queued': return null;
    case 'found': return `${what} ${e.index + 1}: found on the queue from an earlier submission`;
    case 'started': return `${what} ${e.index + 1}: started on ${e.worker}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`;
    case 'done': return `${what} ${e.index + 1}: done on ${e.worker}`;
    case 'lost': return `${what} ${e.index + 1}: gone from Redis, queued again`;
  }
}

/** The queue runner options of a submitting command, progress going to `note`; `summary()` tells trials per worker. */
async function submitter(o: RedisFlags, what: string, note: (line: string) => void): Promise<{ options: QueueRunnerOptions; summary: () => string }> {
  const c = await connection(o);
  const perWorker = new Map<string, number>();
  const options: QueueRunnerOptions = {
    connection: c, onNote: note,
    onProgress: (e) => {
      if (e.kind === 'done') perWorker.set(e.worker, (perWorker.get(e.worker) ?? 0) + 1);
      const line = progressLine(what, e);
      if (line !== null) note(line);
    },
  };
  const summary = (): string => `trials per worker: ${[...perWorker].sort(([a], [b]) => a.localeCompare(b)).map(([w, n]) => `${w} ${n}`).join(', ') || 'none'}`;
  return { options, summary };
}

/** The flags of a command that can submit to the queue. */
export interface QueueChoice { readonly redis?: string; readonly redisPasswordFile?: string }

function checkChoice(o: QueueChoice): RedisFlags | null {
  if (o.redis === undefined && o.redisPasswordFile !== undefined) throw usageError('--redis-password-file goes with --redis URL');
  return o.redis === undefined ? null : { redis: o.redis, ...(o.redisPasswordFile === undefined ? {} : { redisPasswordFile: o.redisPasswordFile }) };
}

/** With `--redis URL`: the restarts' queue runner and a summary of trials per worker; null without. */
export async function restartQueue(o: QueueChoice, note: (line: string) => void): Promise<{ runner: RestartRunner; summary: () => string } | null> {
  const flags = checkChoice(o);
  if (flags === null) return null;
  const { options, summary } = await submitter(flags, 'restart', note);
  return { runner: (await queueModule(() => import('../src/node/queue/submit.js'))).queueRunner(options), summary };
}

/** With `--redis URL`: the search's queue runner and a summary of trials per worker; null without. */
export async function tuneQueue(o: QueueChoice, note: (line: string) => void): Promise<{ runner: TuneRunner; summary: () => string } | null> {
  const flags = checkChoice(o);
  if (flags === null) return null;
  const { options, summary } = await submitter(flags, 'candidate', note);
  return { runner: (await queueModule(() => import('../src/node/queue/submit.js'))).queueTuneRunner(options), summary };
}

/** A module of the job queue: its packages (bullmq, ioredis) are optional; a missing one is named. */
async function queueModule<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await needOptional(() => needOptional(load, 'bullmq', '^6.7.0', 'the Redis job queue (--redis, mlpkit worker)'), 'ioredis', '^6.0.0', 'the Redis job queue (--redis, mlpkit worker)');
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('the Redis job queue')) throw new CliError(e.message);
    throw e;
  }
}

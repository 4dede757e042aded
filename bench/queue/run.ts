// npx tsx bench/queue/run.ts [--trials 16] [--epochs 300] [--workers 1,2,4] [--json]
// Restarts on the Redis job queue against the worker-thread runner, on this machine: a loopback
// redis-server (Debian's), `mlpkit worker` processes of one trial at a time. Prints trials per second
// and the speed-up over one in-process run after the other for each runner; and the queue's overhead
// per trial, measured on trials of one tiny epoch (so the training is next to nothing). Every queue run is
// checked bit for bit against the sequential one. The machine's load is printed beside the figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { mlp } from '../../src/graph/builders.js';
import { parallelRunner } from '../../src/node/restarts-worker.js';
import { queueRunner } from '../../src/node/queue/submit.js';
import { restartJobs, sequentialRunner, type RestartFitOptions, type RestartJob, type RestartResult, type RestartRunner } from '../../src/train/restarts.js';
import { hasRedisServer, REDIS_SERVER, RedisServer, type Proc } from '../../test/helpers/queue-processes.js';

const argv = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1]! : fallback;
};
const trials = Number(opt('trials', '16'));
const epochs = Number(opt('epochs', '300'));
const workerCounts = opt('workers', '1,2,4').split(',').map(Number);
const json = argv.includes('--json');
const log = (s: string): void => { process.stderr.write(`${s}\n`); };

if (!hasRedisServer()) throw new Error(`${REDIS_SERVER} is not installed (Debian package redis-server)`);

// The workload: restarts of a 8-32-1 network on 1,000 rows of a smooth function.
const rows = 1000;
const x = Array.from({ length: rows }, (_, i) => Array.from({ length: 8 }, (_, j) => Math.sin(0.37 * i * (j + 1) + j)));
const y = x.map((r) => [r.reduce((s, v, j) => s + v * (j % 2 === 0 ? 1 : -0.5), 0) / 4]);
const spec = mlp({ inputSize: 8, outputSize: 1, task: 'regression', hidden: [32], activation: 'tanh' });
const fit = (e: number): RestartFitOptions => ({ epochs: e, batchSize: 32, optimizer: { kind: 'adam', learningRate: 0.01 } });
const jobsOf = (e: number, n: number): RestartJob[] => restartJobs(spec, { x, y }, fit(e), { runs: n, seed: 1 });

async function timed(runner: RestartRunner, jobs: readonly RestartJob[]): Promise<{ seconds: number; runs: RestartResult[] }> {
  const t0 = performance.now();
  const runs = await runner(jobs);
  return { seconds: (performance.now() - t0) / 1000, runs };
}

const bits = (r: RestartResult): string => Buffer.from(r.weights.buffer, r.weights.byteOffset, r.weights.byteLength).toString('hex');
function same(a: readonly RestartResult[], b: readonly RestartResult[]): boolean {
  return a.length === b.length && a.every((r, i) => bits(r) === bits(b[i]!) && Object.is(r.valLoss, b[i]!.valLoss));
}

interface Row { runner: string; workers: number; seconds: number; trials_per_s: number; speedup: number; identical: boolean }

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-queue-bench-'));
  const redis = await RedisServer.start(dir);
  const connection = { url: redis.url, password: redis.password };
  const load0 = loadavg()[0]!;
  const rowsOut: Row[] = [];
  const workers: Proc[] = [];
  try {
    const jobs = jobsOf(epochs, trials);
    const seq = await timed(sequentialRunner, jobs);
    const add = (runner: string, n: number, t: { seconds: number; runs: RestartResult[] }): void => {
      rowsOut.push({ runner, workers: n, seconds: t.seconds, trials_per_s: trials / t.seconds, speedup: seq.seconds / t.seconds, identical: same(t.runs, seq.runs) });
      log(`${runner} ×${n}: ${t.seconds.toFixed(2)} s`);
    };
    add('sequential (in process)', 1, seq);
    for (const n of workerCounts) add('worker threads', n, await timed(parallelRunner({ threads: n }), jobs));
    // Overhead: trials of one epoch on 32 rows, one worker, against the same trials run in process.
    const tiny = restartJobs(spec, { x: x.slice(0, 40), y: y.slice(0, 40) }, fit(1), { runs: 50, seed: 1 });
    const tinySeq = await timed(sequentialRunner, tiny);
    let overheadMs = NaN;
    for (const n of workerCounts) {
      while (workers.length < n) workers.push(await redis.worker(`b${workers.length + 1}`));
      // One warm-up trial per worker (thread start, first fetch of the data), not counted.
      await queueRunner({ connection })(jobsOf(1, n));
      add('queue (worker processes)', n, await timed(queueRunner({ connection }), jobs));
      if (n === 1) {
        const q = await timed(queueRunner({ connection, pollMs: 20 }), tiny);
        overheadMs = ((q.seconds - tinySeq.seconds) / tiny.length) * 1000;
      }
    }
    const load1 = loadavg()[0]!;
    if (json) {
      process.stdout.write(`${JSON.stringify({ trials, epochs, cores: cpus().length, loadavg_1min: [load0, load1], rows: rowsOut, overhead_ms_per_trial: overheadMs })}\n`);
      return;
    }
    const out = [
      `restarts of an 8-32-1 network, ${rows} rows, ${epochs} epochs, ${trials} trials; ${cpus().length} cores, 1-min load average ${load0.toFixed(1)} → ${load1.toFixed(1)}`,
      'runner                      workers  seconds  trials/s  speed-up  identical',
      ...rowsOut.map((r) => `${r.runner.padEnd(28)}${String(r.workers).padStart(7)}  ${r.seconds.toFixed(2).padStart(7)}  ${r.trials_per_s.toFixed(2).padStart(8)}  ${r.speedup.toFixed(2).padStart(8)}  ${r.identical ? 'yes' : 'NO'}`),
      `queue overhead per trial (50 trials of one epoch on 40 rows, 1 worker, poll every 20 ms): ${overheadMs.toFixed(1)} ms`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

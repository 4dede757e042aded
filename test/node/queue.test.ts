// Restarts and a search on the Redis job queue, with Debian's redis-server on a loopback port and
// `mlpkit worker` processes: the results equal the local runners' bit for bit, also when a worker is
// killed mid-trial, when the submitter is killed and started again, and when Redis restarts mid-run.
import '../helpers/command-kernels.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadDataset } from '../../src/data/datasets.js';
import { mlp } from '../../src/graph/builders.js';
import { queueRunner, queueTuneRunner, type QueueRunnerOptions, type TrialProgress } from '../../src/node/queue/submit.js';
import { QUEUE } from '../../src/node/queue/names.js';
import { toWire } from '../../src/node/queue/wire.js';
import { sequentialRunner, trainRestarts, type RestartResult, type RestartFitOptions } from '../../src/train/restarts.js';
import { sequentialTuneRunner, tune, type TuneResult } from '../../src/tune/search.js';
import { hasRedisServer, makeCertificates, mlpkit, REDIS_SERVER, RedisServer, type Proc } from '../helpers/queue-processes.js';

const skip = hasRedisServer() ? false : `${REDIS_SERVER} is not installed (Debian package redis-server): the queue tests need it`;

const dir = mkdtempSync(join(tmpdir(), 'mlpkit-queue-'));
/** The folder every worker reads data files from (on several machines: a shared mount). */
const shared = join(dir, 'shared');
let redis: RedisServer;
const workers = new Map<string, Proc>();

async function startWorker(name: string): Promise<Proc> {
  const w = await redis.worker(name, ['--stall-seconds', '2', '--data-dir', shared]);
  workers.set(name, w);
  return w;
}

const connection = (): QueueRunnerOptions['connection'] => ({ url: redis.url, password: redis.password });

// Small data: a smooth function of two inputs (regression) and iris (the search).
const x = Array.from({ length: 160 }, (_, i) => [Math.sin(i * 0.37), Math.cos(i * 0.71)]);
const y = x.map((r) => [r[0]! * r[1]! + 0.1 * r[0]!]);
const spec = mlp({ inputSize: 2, outputSize: 1, task: 'regression', hidden: [12], activation: 'tanh' });
const fitOptions = (epochs: number): RestartFitOptions => ({ epochs, batchSize: 16, optimizer: { kind: 'adam', learningRate: 0.01 } });

/** Everything of a run but the seconds it took. */
function comparable(r: RestartResult): unknown {
  return {
    index: r.index, seed: r.seed, valLoss: r.valLoss, weights: Buffer.from(r.weights.buffer, r.weights.byteOffset, r.weights.byteLength).toString('hex'),
    state: Buffer.from(r.state.buffer, r.state.byteOffset, r.state.byteLength).toString('hex'), stopReason: r.history.stopReason, bestEpoch: r.history.bestEpoch,
    epochs: r.history.epochs.map(({ seconds: _s, ...rest }) => rest),
  };
}

function sameRuns(a: readonly RestartResult[], b: readonly RestartResult[]): void {
  assert.equal(a.length, b.length);
  a.forEach((r, i) => assert.deepStrictEqual(comparable(r), comparable(b[i]!), `run ${i}`));
}

const comparableTune = (r: TuneResult): unknown => r.ranked.map(({ seconds: _s, ...rest }) => rest);

/** Worker lines "NAME ID: done …" of trials whose id starts with `prefix`, counted by id. */
function doneById(prefix: string): Map<string, number> {
  const n = new Map<string, number>();
  for (const w of workers.values()) {
    for (const l of w.lines) {
      const m = /^\S+ (\S+): done in /.exec(l);
      if (m !== null && m[1]!.startsWith(prefix)) n.set(m[1]!, (n.get(m[1]!) ?? 0) + 1);
    }
  }
  return n;
}

describe('the Redis job queue', { skip }, () => {
  before(async () => {
    mkdirSync(shared);
    redis = await RedisServer.start(dir);
    await Promise.all(['w1', 'w2', 'w3'].map(startWorker));
  });

  after(async () => {
    await Promise.all([...workers.values()].map((w) => w.stop()));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('three workers run restarts and a search with the local results bit for bit, each trial once', async () => {
    const events: TrialProgress[] = [];
    const runner = queueRunner({ connection: connection(), onProgress: (e) => events.push(e) });
    const remote = await trainRestarts(spec, { x, y }, fitOptions(20), { runs: 6, seed: 3, runner });
    const local = await trainRestarts(spec, { x, y }, fitOptions(20), { runs: 6, seed: 3, runner: sequentialRunner });
    sameRuns(remote.runs, local.runs);
    assert.equal(remote.best, local.best);
    const done = events.filter((e) => e.kind === 'done');
    assert.deepEqual(done.map((e) => e.index).sort(), [0, 1, 2, 3, 4, 5]);
    const queued = events.find((e) => e.kind === 'queued');
    assert.ok(queued !== undefined && queued.kind === 'queued');
    assert.ok([...doneById(queued.id.replace(/-\d+$/, '-')).values()].every((n) => n === 1));

    const iris = await loadDataset('iris');
    const options = { task: 'classification' as const, trials: 3, folds: 2, seed: 5, base: { maxIter: 15 }, refit: false };
    const searched = await tune(iris.x, iris.y, { ...options, runner: queueTuneRunner({ connection: connection() }) });
    const searchedHere = await tune(iris.x, iris.y, { ...options, runner: sequentialTuneRunner });
    assert.deepStrictEqual(comparableTune(searched), comparableTune(searchedHere));
  });

  test('data by a file in a folder every worker reads, named by its hash: the same results', async () => {
    const remote = await trainRestarts(spec, { x, y }, fitOptions(10), { runs: 3, seed: 8, runner: queueRunner({ connection: connection(), dataDir: shared }) });
    const local = await trainRestarts(spec, { x, y }, fitOptions(10), { runs: 3, seed: 8, runner: sequentialRunner });
    sameRuns(remote.runs, local.runs);
    assert.ok(readdirSync(shared).some((f) => /^[0-9a-f]{64}\.mlpkit-data$/.test(f)));
  });

  test('a trial that fails by itself is reported once with its error, not retried', async () => {
    await assert.rejects(
      trainRestarts(spec, { x, y }, { ...fitOptions(20), epochs: 0 }, { runs: 2, runner: queueRunner({ connection: connection() }) }),
      /^Error: restart [01]: fit: epochs must be an integer ≥ 1, got 0$/,
    );
    // A trial with a bad model spec, put on the queue by hand: refused by the spec's own check, once.
    const client = new Redis({ port: redis.port, password: redis.password, maxRetriesPerRequest: null });
    const q = new Queue(QUEUE, { connection: client });
    const bad = { kind: 'restart', index: 0, seed: 0, spec: { inputSize: 2, layers: [{ kind: 'dense', units: 0, activation: 'relu' }], loss: 'mse' }, fit: fitOptions(5), bootstrap: false, data: { kind: 'redis', sha256: '0'.repeat(64), bytes: 100 } };
    await q.add('restart', toWire(bad), { jobId: 'bad-spec-0', attempts: 5 });
    let job = await q.getJob('bad-spec-0');
    for (let t = 0; t < 200 && (await job?.getState()) !== 'failed'; t++) {
      await new Promise((r) => setTimeout(r, 100));
      job = await q.getJob('bad-spec-0');
    }
    assert.equal(await job?.getState(), 'failed');
    // The snapshot the loop read may predate the failure: read the job again for its attempts and reason.
    job = await q.getJob('bad-spec-0');
    assert.equal(job?.attemptsMade, 1);
    assert.equal(job?.failedReason, "layer 'dense0' (dense): units must be a positive integer, got 0");
    await q.remove('bad-spec-0');
    await q.close();
    client.disconnect();
  });

  test('a worker killed mid-trial: its trial goes to another worker, the result is the same', async () => {
    const events: TrialProgress[] = [];
    const runner = queueRunner({ connection: connection(), onProgress: (e) => events.push(e) });
    const running = trainRestarts(spec, { x, y }, fitOptions(400), { runs: 4, seed: 11, runner });
    const line = await Promise.race([...workers.values()].map((w) => w.waitFor(/^\S+ \S+: started$/, 60, w.lines.length)));
    const [name, id] = line.split(/:? /);
    workers.get(name!)!.child.kill('SIGKILL');
    workers.delete(name!);
    const remote = await running;
    const local = await trainRestarts(spec, { x, y }, fitOptions(400), { runs: 4, seed: 11, runner: sequentialRunner });
    sameRuns(remote.runs, local.runs);
    const index = Number(id!.split('-').pop());
    const done = events.find((e) => e.kind === 'done' && e.index === index);
    assert.ok(done !== undefined && done.kind === 'done' && done.worker !== name, `trial ${index} finished on another worker than ${name}`);
    await startWorker(`${name}b`);
  });

  test('the submitter killed and started again reattaches to its trials instead of starting over', async () => {
    const earlier = new Set(doneById('restart-').keys());
    const data = join(dir, 'wine.csv');
    assert.equal(await mlpkit(dir, ['datasets', 'export', 'wine', '--out', data]).exited, 0);
    const args = ['train', data, '--target', 'cultivar', '--restarts', '6', '--epochs', '150', '--seed', '2'];
    const queued = [...args, '--redis', redis.url, '--redis-password-file', redis.passwordFile, '--out', join(dir, 'queued.json')];
    const first = mlpkit(dir, queued);
    await first.waitFor(/^restart \d: done on /);
    first.child.kill('SIGKILL');
    await first.exited;
    const second = mlpkit(dir, queued);
    assert.equal(await second.exited, 0, second.lines.join('\n'));
    assert.ok(second.lines.some((l) => /found on the queue from an earlier submission/.test(l)), second.lines.join('\n'));
    const local = mlpkit(dir, [...args, '--out', join(dir, 'local.json')]);
    assert.equal(await local.exited, 0, local.lines.join('\n'));
    const weights = (f: string): unknown => (({ weights: w, state: s }: { weights: unknown; state: unknown }) => ({ w, s }))(JSON.parse(readFileSync(join(dir, f), 'utf8')));
    assert.deepStrictEqual(weights('queued.json'), weights('local.json'));
    // Each of the six trials ran once in all, across both submissions.
    const ran = [...doneById('restart-')].filter(([id]) => !earlier.has(id));
    assert.equal(ran.length, 6, ran.join(' '));
    assert.ok(ran.every(([, n]) => n === 1), ran.join(' '));
    for (const l of [...first.lines, ...second.lines, ...[...workers.values()].flatMap((w) => w.lines)]) assert.ok(!l.includes(redis.password), 'the password is never printed');
  });

  test('Redis restarted mid-run: workers and submitter reconnect, the lost trials run again, the result is the same', async () => {
    const events: TrialProgress[] = [];
    const restart: { done: Promise<void> | null } = { done: null };
    const runner = queueRunner({
      connection: connection(),
      onProgress: (e) => {
        events.push(e);
        if (e.kind === 'done' && restart.done === null) restart.done = redis.restart();
      },
    });
    const remote = await trainRestarts(spec, { x, y }, fitOptions(150), { runs: 6, seed: 21, runner });
    assert.ok(restart.done !== null);
    await restart.done;
    assert.ok(events.some((e) => e.kind === 'lost'), 'some trials were queued again');
    const local = await trainRestarts(spec, { x, y }, fitOptions(150), { runs: 6, seed: 21, runner: sequentialRunner });
    sameRuns(remote.runs, local.runs);
  });
});

test('--redis goes with --restarts K ≥ 2, and a bad address names the flag and never shows its password', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'mlpkit-queue-cli-'));
  assert.equal(await mlpkit(cwd, ['datasets', 'export', 'iris', '--out', 'iris.csv']).exited, 0);
  const alone = mlpkit(cwd, ['train', 'iris.csv', '--target', 'species', '--redis', 'redis://127.0.0.1:1']);
  assert.equal(await alone.exited, 2);
  assert.match(alone.lines.join('\n'), /mlpkit: --redis runs the runs of --restarts K on workers: give K ≥ 2/);
  const bad = mlpkit(cwd, ['train', 'iris.csv', '--target', 'species', '--restarts', '2', '--redis', 'http://:hunter2@queue.example']);
  assert.equal(await bad.exited, 2);
  assert.match(bad.lines.join('\n'), /mlpkit: --redis: the address must start with redis:\/\/ or rediss:\/\/ \(TLS\), got 'http:\/\/\*\*\*@queue.example'/);
  assert.ok(!bad.lines.join('\n').includes('hunter2'));
  const worker = mlpkit(cwd, ['worker', '--redis', 'redis://127.0.0.1:6379', '--redis-password-file', 'missing']);
  assert.equal(await worker.exited, 2);
  assert.match(worker.lines.join('\n'), /mlpkit: --redis-password-file missing: no such file/);
  rmSync(cwd, { recursive: true, force: true });
});

test('over TLS (rediss://) with a password: a worker and a submitter that trust the server\'s authority', { skip }, async (t) => {
  const tlsDir = mkdtempSync(join(tmpdir(), 'mlpkit-queue-tls-'));
  const certs = makeCertificates(tlsDir);
  if (certs === null) { t.skip('/usr/bin/openssl is not installed (Debian package openssl): no certificate to test TLS with'); return; }
  const server = await RedisServer.start(tlsDir, certs);
  const w = await server.worker('t1');
  try {
    assert.match(w.lines.join('\n'), /^mlpkit worker t1: 1 trial at a time from rediss:\/\/127\.0\.0\.1:\d+ /m);
    const runner = queueRunner({ connection: { url: server.url, password: server.password, tls: { ca: readFileSync(certs.ca) } } });
    const remote = await trainRestarts(spec, { x, y }, fitOptions(5), { runs: 2, runner });
    sameRuns(remote.runs, (await trainRestarts(spec, { x, y }, fitOptions(5), { runs: 2, runner: sequentialRunner })).runs);
  } finally {
    await w.stop();
    await server.stop();
    rmSync(tlsDir, { recursive: true, force: true });
  }
});

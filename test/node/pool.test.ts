import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlp } from '../../src/graph/builders.js';
import { twoSpirals } from '../../src/data/generators.js';
import { runJobs } from '../../src/node/pool.js';
import { nativeBlas, useNativeBackend } from '../../src/node/native.js';
import { parallelRunner } from '../../src/node/restarts-worker.js';
import { restartJobs, sequentialRunner } from '../../src/train/restarts.js';
import { ROLE, where, type Ran } from '../fixtures/pool/worker.js';

const fixture = new URL('../fixtures/pool/worker.ts', import.meta.url).href;

test('given the handler, the calling thread takes the first job and shares the rest; results come back in job order', async () => {
  const jobs = Array.from({ length: 8 }, (_, i) => i);
  const ran = await runJobs<number, Ran>(fixture, ROLE, jobs, { threads: 2, what: 'job' }, where);
  assert.deepEqual(ran.map((r) => r!.job), jobs);
  assert.equal(ran[0]!.main, true, 'job 0 ran here, while the worker booted');
  const alone = await runJobs<number, Ran>(fixture, ROLE, jobs.slice(0, 3), { threads: 1, what: 'job' }, where);
  assert.ok(alone.every((r) => r!.main), 'one thread: every job here, no worker started');
  const workersOnly = await runJobs<number, Ran>(fixture, ROLE, jobs.slice(0, 2), { threads: 2, what: 'job' });
  assert.ok(workersOnly.every((r) => !r!.main), 'without the handler every job runs on a worker');
});

test('a job failing in this thread rejects the pool with its index, as a worker\'s failure does', async () => {
  const fail = async (job: number): Promise<Ran> => { if (job === 0) throw new Error('bad job'); return where(job); };
  await assert.rejects(runJobs<number, Ran>(fixture, ROLE, [0, 1, 2], { threads: 2, what: 'job' }, fail), /^Error: job 0: bad job$/);
});

test('with the native products in this thread, a worker uses them too: parallel restarts equal sequential ones bit for bit', async (t) => {
  if (nativeBlas() === null) { t.skip('the native addon is not available here'); return; }
  useNativeBackend();
  const ran = await runJobs<number, Ran>(fixture, ROLE, [0, 1], { threads: 2, what: 'job' });
  assert.ok(ran.every((r) => r!.backend.startsWith('native')), `workers' backends: ${ran.map((r) => r!.backend).join(', ')}`);
  const d = twoSpirals({ n: 120, seed: 7 });
  const jobs = restartJobs(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden: [64] }), { x: d.x, y: d.y.map((v) => [Number(v)]) },
    { epochs: 6, batchSize: 16, optimizer: { kind: 'adam', learningRate: 0.01 } }, { runs: 4, seed: 5 });
  const seq = await sequentialRunner(jobs);
  const par = await parallelRunner({ threads: 2 })(jobs);
  par.forEach((r, i) => assert.deepEqual(Array.from(r.weights), Array.from(seq[i]!.weights), `restart ${i}`));
});

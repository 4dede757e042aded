// The benchmark's fairness rules (bench/fairness.ts): pinning a one-thread run, re-running a harness
// measured under foreign load, and the warning beside a ratio that rests on such a record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadOf, openblasCoreOf, pinCommand, ratioCell, runWithRetries, type Attempt, type BenchRecord } from '../../bench/fairness.js';

const rec = (foreign: number | undefined, tag = ''): BenchRecord => ({ framework: 'x', workload: 'W1', threads: 1, ...(foreign === undefined ? {} : { foreign_cores: foreign }), tag });
/** An attempt function that gives these loads in turn (null: the run failed), and counts its calls. */
function attempts(loads: (number | null)[]): { next: () => Attempt; calls: () => number } {
  let i = 0;
  return {
    next: () => { const l = loads[i++]; if (l === undefined) throw new Error('more attempts than planned'); return l === null ? { got: [rec(0.1, `#${i}`)], error: 'exit 1' } : { got: [rec(l, `#${i}`)], error: null }; },
    calls: () => i,
  };
}

test('a one-thread Node harness runs under taskset -c 0 with --single-threaded after the executable, and says so', () => {
  const p = pinCommand(1, '/usr/bin/node', { node: true, taskset: true });
  assert.deepEqual(p.argv, ['taskset', '-c', '0', '/usr/bin/node', '--single-threaded']);
  assert.equal(p.pinning, 'taskset -c 0 + node --single-threaded');
});

test('a one-thread Python harness is pinned by taskset alone; two threads are not pinned', () => {
  assert.deepEqual(pinCommand(1, '/usr/bin/python3', { node: false, taskset: true }).argv, ['taskset', '-c', '0', '/usr/bin/python3']);
  const two = pinCommand(2, '/usr/bin/node', { node: true, taskset: true });
  assert.deepEqual(two.argv, ['/usr/bin/node']);
  assert.equal(two.pinning, 'not pinned (2 threads)');
});

test('without taskset the record says the run was not pinned to a core', () => {
  const p = pinCommand(1, '/usr/bin/node', { node: true, taskset: false });
  assert.deepEqual(p.argv, ['/usr/bin/node', '--single-threaded']);
  assert.match(p.pinning, /no core pinning \(taskset is missing\)/);
});

test('the load of a harness run is its most loaded timed section; records without a figure count as 0', () => {
  assert.equal(loadOf([rec(0.2), rec(undefined), rec(0.7)]), 0.7);
  assert.equal(loadOf([rec(undefined)]), 0);
});

test('a run under the load limit is kept at once', () => {
  const a = attempts([0.3]);
  const r = runWithRetries(a.next, 0.3, 2);
  assert.equal(a.calls(), 1);
  assert.equal(r.attempts, 1);
  assert.deepEqual(r.superseded, []);
  assert.equal(r.kept.got[0]!.over_max_load, false);
  assert.equal(r.kept.got[0]!.attempts, 1);
});

test('a loaded run is run again; a quieter retry is kept and the loaded one marked superseded', () => {
  const a = attempts([0.9, 0.1]);
  const retries: [number, number][] = [];
  const r = runWithRetries(a.next, 0.3, 2, (load, i) => retries.push([load, i]));
  assert.equal(a.calls(), 2);
  assert.deepEqual(retries, [[0.9, 1]]);
  assert.equal(r.kept.got[0]!.tag, '#2');
  assert.equal(r.kept.got[0]!.over_max_load, false);
  assert.deepEqual(r.superseded.map((x) => [x.tag, x.superseded]), [['#1', true]]);
});

test('under lasting load it stops after the reruns, keeps the least loaded attempt and marks it over the limit', () => {
  const a = attempts([0.8, 0.5, 0.9]);
  const r = runWithRetries(a.next, 0.3, 2);
  assert.equal(a.calls(), 3);
  assert.equal(r.kept.got[0]!.tag, '#2');
  assert.equal(r.kept.got[0]!.over_max_load, true);
  assert.equal(r.kept.got[0]!.attempts, 3);
  assert.deepEqual(r.superseded.map((x) => x.tag).sort(), ['#1', '#3']);
});

test('no rerun with --reruns 0, after a failed first run, or after a failed retry', () => {
  const none = attempts([0.9]);
  assert.equal(runWithRetries(none.next, 0.3, 0).kept.got[0]!.over_max_load, true);
  assert.equal(none.calls(), 1);
  const failed = attempts([null]);
  assert.equal(runWithRetries(failed.next, 0.3, 2).kept.error, 'exit 1');
  assert.equal(failed.calls(), 1);
  const retryFails = attempts([0.9, null]);
  const r = runWithRetries(retryFails.next, 0.3, 2);
  assert.equal(retryFails.calls(), 2);
  assert.equal(r.kept.error, null);
  assert.equal(r.kept.got[0]!.tag, '#1');
  assert.deepEqual(r.superseded.map((x) => x.tag), ['#2']);
});

test('a ratio carries the warning exactly when it was measured under load; a missing side gives a dash', () => {
  assert.equal(ratioCell(3, 2, false), '1.50×');
  assert.equal(ratioCell(3, 2, true), '1.50× ⚠');
  assert.equal(ratioCell(undefined, 2, true), '—');
  assert.equal(ratioCell(3, undefined, false), '—');
});

test("the core OpenBLAS picked is read from the addon's config string", () => {
  assert.equal(openblasCoreOf('OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64; core Cooperlake'), 'Cooperlake');
  assert.equal(openblasCoreOf('Accelerate'), null);
});

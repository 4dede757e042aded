import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learningRateAt, scheduleInit, scheduleObserve, type ScheduleSpec } from '../../src/optim/schedules.js';

const at = (s: ScheduleSpec, e: number, samples = 0): number => learningRateAt(s, scheduleInit(s, 0.1), 0.1, e, samples);
const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-15, `${a} vs ${b}`);

test('constant, step and exponential schedules follow their formulas', () => {
  close(at({ kind: 'constant' }, 7), 0.1);
  close(at({ kind: 'step', stepSize: 3, gamma: 0.5 }, 2), 0.1);
  close(at({ kind: 'step', stepSize: 3, gamma: 0.5 }, 3), 0.05);
  close(at({ kind: 'step', stepSize: 3, gamma: 0.5 }, 7), 0.025);
  close(at({ kind: 'exponential', gamma: 0.9 }, 2), 0.1 * 0.81);
});

test('cosine goes from η₀ to the minimum at T and stays there', () => {
  const s: ScheduleSpec = { kind: 'cosine', epochs: 10, minLearningRate: 0.01 };
  close(at(s, 0), 0.1);
  close(at(s, 5), 0.055);
  close(at(s, 10), 0.01);
  close(at(s, 20), 0.01);
});

test('inverse scaling divides by (τ + 1)^powerT over epochs or samples seen', () => {
  close(at({ kind: 'invscaling' }, 3), 0.1 / 2);
  close(at({ kind: 'invscaling', powerT: 1, per: 'sample' }, 3, 99), 0.1 / 100);
});

test('reduce-on-plateau cuts the rate after `patience` epochs without improvement', () => {
  const s: ScheduleSpec = { kind: 'plateau', factor: 0.5, patience: 2, minDelta: 0 };
  const st = scheduleInit(s, 0.1);
  for (const loss of [1, 0.9, 0.95, 0.95]) scheduleObserve(s, st, loss);
  close(learningRateAt(s, st, 0.1, 4, 0), 0.1);
  scheduleObserve(s, st, 0.95);
  close(learningRateAt(s, st, 0.1, 5, 0), 0.05);
});

test('invalid schedule options are rejected with the option name', () => {
  assert.throws(() => scheduleInit({ kind: 'step', stepSize: 0 }, 0.1), /stepSize must be an integer ≥ 1/);
  assert.throws(() => scheduleInit({ kind: 'plateau', factor: 2 }, 0.1), /factor must be in \(0, 1\)/);
});

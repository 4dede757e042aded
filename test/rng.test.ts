import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../src/rng.js';

test('the same seed gives the same stream', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  for (let i = 0; i < 100; i++) assert.equal(a.uniform(), b.uniform());
});

test('different seeds give different streams', () => {
  assert.notEqual(new Rng(1).uniform(), new Rng(2).uniform());
});

test('a generator rebuilt from its state continues the exact stream', () => {
  const a = new Rng(7);
  for (let i = 0; i < 13; i++) a.normal();
  const b = new Rng(a.state());
  for (let i = 0; i < 50; i++) assert.equal(a.normal(), b.normal());
});

test('uniform samples lie in [0, 1) with mean near 1/2', () => {
  const r = new Rng(3);
  let s = 0;
  for (let i = 0; i < 20000; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    s += u;
  }
  assert.ok(Math.abs(s / 20000 - 0.5) < 0.01);
});

test('normal samples have mean 0 and variance 1', () => {
  const r = new Rng(4);
  let s = 0;
  let s2 = 0;
  const n = 50000;
  for (let i = 0; i < n; i++) { const x = r.normal(); s += x; s2 += x * x; }
  assert.ok(Math.abs(s / n) < 0.02);
  assert.ok(Math.abs(s2 / n - 1) < 0.03);
});

test('a permutation holds every index once', () => {
  const p = new Rng(5).permutation(1000);
  const seen = new Set(p);
  assert.equal(seen.size, 1000);
  assert.equal(Math.min(...p), 0);
  assert.equal(Math.max(...p), 999);
});

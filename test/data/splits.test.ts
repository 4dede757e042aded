import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/rng.js';
import { bootstrapSample, kFold, stratifiedKFold, takeMatrixRows, takeRows, trainTestSplit } from '../../src/data/splits.js';

/** 150 labels in three classes of 50, like iris. */
const Y3 = Array.from({ length: 150 }, (_, i) => ['a', 'b', 'c'][i % 3]!);

function isPartition(parts: Int32Array[], n: number): boolean {
  const all = parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b);
  return all.length === n && all.every((v, i) => v === i);
}

function count(y: readonly string[], idx: Int32Array, label: string): number {
  return Array.from(idx).filter((i) => y[i] === label).length;
}

test('trainTestSplit partitions the rows with ceil(testSize·n) test rows', () => {
  const { train, test: held } = trainTestSplit(10, new Rng(1), { testSize: 0.25 });
  assert.equal(held.length, 3);
  assert.equal(train.length, 7);
  assert.ok(isPartition([train, held], 10));
});

test('trainTestSplit is deterministic per seed and differs between seeds', () => {
  const a = trainTestSplit(100, new Rng(5));
  const b = trainTestSplit(100, new Rng(5));
  const c = trainTestSplit(100, new Rng(6));
  assert.deepEqual(a, b);
  assert.notDeepEqual(Array.from(a.test), Array.from(c.test));
});

test('without shuffling the last rows are the test set', () => {
  const { test: held } = trainTestSplit(5, new Rng(0), { testSize: 2, shuffle: false });
  assert.deepEqual(Array.from(held), [3, 4]);
});

test('a stratified split keeps every class share exactly when it divides evenly', () => {
  const { train, test: held } = trainTestSplit(150, new Rng(2), { testSize: 0.2, stratify: Y3 });
  assert.equal(held.length, 30);
  for (const l of ['a', 'b', 'c']) assert.equal(count(Y3, held, l), 10);
  assert.ok(isPartition([train, held], 150));
});

test('a stratified split of unbalanced classes allocates by largest remainder', () => {
  const y = [...Array(7).fill(0), ...Array(3).fill(1)] as number[];
  const { test: held } = trainTestSplit(10, new Rng(3), { testSize: 0.5, stratify: y });
  // 5 test rows: 3.5 of class 0 and 1.5 of class 1; the tie in remainders goes to the first class.
  assert.equal(held.length, 5);
  assert.equal(Array.from(held).filter((i) => y[i] === 0).length, 4);
});

test('a stratified split refuses a class with a single row, naming it', () => {
  assert.throws(() => trainTestSplit(5, new Rng(0), { testSize: 2, stratify: [0, 0, 0, 1, 0] }), /class 1 has only 1 row/);
});

test('kFold gives k disjoint test folds covering every row, sizes differing by at most one', () => {
  const folds = kFold(23, 5, new Rng(4));
  assert.deepEqual(folds.map((f) => f.test.length), [5, 5, 5, 4, 4]);
  assert.ok(isPartition(folds.map((f) => f.test), 23));
  for (const f of folds) assert.ok(isPartition([f.train, f.test], 23));
});

test('stratifiedKFold keeps each class evenly spread over the folds', () => {
  const y = [...Array(50).fill('x'), ...Array(23).fill('y'), ...Array(7).fill('z')] as string[];
  const folds = stratifiedKFold(y, 5, new Rng(9));
  assert.ok(isPartition(folds.map((f) => f.test), 80));
  for (const l of ['x', 'y', 'z']) {
    const counts = folds.map((f) => count(y, f.test, l));
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `${l}: ${counts.join(' ')}`);
  }
  const sizes = folds.map((f) => f.test.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
  assert.deepEqual(stratifiedKFold(y, 5, new Rng(9)), folds);
});

test('k larger than the number of rows is an error', () => {
  assert.throws(() => kFold(3, 4, new Rng(0)), /kFold: k = 4 folds need at least 4 rows, got 3/);
  assert.throws(() => stratifiedKFold([0, 1], 1, new Rng(0)), /k must be an integer ≥ 2/);
});

test('a bootstrap sample draws n rows with replacement and its out-of-bag set is the rest', () => {
  const n = 1000;
  const { sample, outOfBag } = bootstrapSample(n, new Rng(11));
  assert.equal(sample.length, n);
  const drawn = new Set(sample);
  assert.ok(drawn.size < n);
  assert.ok(isPartition([Int32Array.from(drawn), outOfBag], n));
  // About (1 − 1/n)^n ≈ e^−1 ≈ 36.8% of the rows are never drawn.
  assert.ok(Math.abs(outOfBag.length / n - Math.exp(-1)) < 0.04, `${outOfBag.length}`);
});

test('takeRows and takeMatrixRows gather the indexed rows', () => {
  assert.deepEqual(takeRows(['a', 'b', 'c'], [2, 0]), ['c', 'a']);
  const m = takeMatrixRows({ rows: 3, cols: 2, data: Float32Array.of(0, 1, 2, 3, 4, 5) }, Int32Array.of(1, 1));
  assert.ok(m.data instanceof Float32Array);
  assert.deepEqual([m.rows, Array.from(m.data)], [2, [2, 3, 2, 3]]);
  assert.throws(() => takeRows([1], [1]), /index 1 is out of range 0\.\.0/);
});

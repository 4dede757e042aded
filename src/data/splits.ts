/**
 * Train/test splits, k-fold cross-validation and bootstrap samples, as row indices.
 *
 * Every function takes the `Rng` explicitly, so a split is a pure function of (data, seed).
 * Results are index arrays (sorted ascending within each part) that `takeRows` applies to any
 * table, label vector or matrix.
 */

import type { Rng } from '../rng.js';
import { checkLabels, formatLabel, sortedUniqueLabels } from './matrix-input.js';
import type { Label, NumericMatrix } from './matrix-input.js';

/** Row indices of a split, each ascending. */
export interface Split {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

function checkCount(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what}: the number of rows must be a positive integer, got ${n}`);
}

/**
 * Row indices grouped by label, in label order: `members[c]` lists the rows of class c ascending, as
 * views of one flat Int32Array (a counting sort: no per-row allocation, any number of rows).
 */
function groupByLabel(y: ArrayLike<Label>): { labels: Label[]; members: Int32Array[] } {
  const labels = sortedUniqueLabels(y);
  const pos = new Map(labels.map((l, k) => [l, k]));
  const code = new Int32Array(y.length);
  const offsets = new Int32Array(labels.length + 1);
  for (let i = 0; i < y.length; i++) { const c = pos.get(y[i]!)!; code[i] = c; offsets[c + 1]!++; }
  for (let c = 0; c < labels.length; c++) offsets[c + 1]! += offsets[c]!;
  const flat = new Int32Array(y.length);
  const fill = offsets.slice(0, labels.length);
  for (let i = 0; i < y.length; i++) flat[fill[code[i]!]!++] = i;
  const members = labels.map((_, c) => flat.subarray(offsets[c]!, offsets[c + 1]!));
  return { labels, members };
}

export interface TrainTestSplitOptions {
  /** A fraction in (0, 1) of the rows, or a row count ≥ 1 (default 0.25). */
  readonly testSize?: number;
  /** Class labels: keep each class's share equal in train and test (stratified split). */
  readonly stratify?: ArrayLike<Label>;
  /** Shuffle before splitting (default true); without it the last rows are the test set. */
  readonly shuffle?: boolean;
  /** The caller's name in error messages (default 'trainTestSplit'). */
  readonly what?: string;
}

function testCount(n: number, testSize: number, what: string): number {
  const t = testSize < 1 ? Math.ceil(testSize * n) : testSize;
  if (!(testSize > 0) || !Number.isFinite(testSize) || (testSize >= 1 && !Number.isInteger(testSize))) {
    throw new Error(`${what}: testSize must be a fraction in (0, 1) or a whole row count, got ${testSize}`);
  }
  if (t < 1 || t >= n) throw new Error(`${what}: testSize ${testSize} of ${n} rows leaves ${t} test and ${n - t} train rows; both need at least one`);
  return t;
}

/** The ascending indices of order[from..to). */
function sortedPart(order: Int32Array, from: number, to: number): Int32Array {
  return order.slice(from, to).sort();
}

/**
 * Split n rows into train and test. The test set has ceil(testSize·n) rows (as scikit-learn).
 * With `stratify`, each class contributes to the test set in proportion to its size, the rounding
 * remainders going to the classes with the largest fractional parts (ties by class order).
 */
export function trainTestSplit(n: number, rng: Rng, options: TrainTestSplitOptions = {}): Split {
  const what = options.what ?? 'trainTestSplit';
  checkCount(n, what);
  const nTest = testCount(n, options.testSize ?? 0.25, what);
  const shuffle = options.shuffle ?? true;
  if (options.stratify === undefined) {
    const order = shuffle ? rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    return { train: sortedPart(order, 0, n - nTest), test: sortedPart(order, n - nTest, n) };
  }
  if (!shuffle) throw new Error(`${what}: a stratified split needs shuffle: true`);
  const y = options.stratify;
  checkLabels(y, { what: `${what}: stratify`, rows: n });
  const { labels, members } = groupByLabel(y);
  const counts = stratifiedTestCounts(members.map((m) => m.length), labels, n, nTest, what);
  const train = new Int32Array(n - nTest);
  const test = new Int32Array(nTest);
  let a = 0;
  let b = 0;
  members.forEach((m, c) => {
    rng.shuffle(m);
    const t = counts[c]!;
    test.set(m.subarray(0, t), b); b += t;
    train.set(m.subarray(t), a); a += m.length - t;
  });
  return { train: train.sort(), test: test.sort() };
}

/**
 * Test rows per class: each class in proportion to its size, the rounding remainders going to the
 * classes with the largest fractional parts (ties by class order); every class keeps a training row.
 */
function stratifiedTestCounts(sizes: number[], labels: Label[], n: number, nTest: number, what: string): number[] {
  const k = labels.length;
  if (nTest < k || n - nTest < k) {
    throw new Error(`${what}: ${nTest} test and ${n - nTest} train rows cannot each hold all ${k} classes; change testSize`);
  }
  sizes.forEach((size, c) => {
    if (size < 2) throw new Error(`${what}: class ${formatLabel(labels[c]!)} has only ${size} row; stratification needs at least 2 per class`);
  });
  const exact = sizes.map((size) => (size * nTest) / n);
  const counts = exact.map(Math.floor);
  let left = nTest - counts.reduce((x, y) => x + y, 0);
  const byRemainder = exact.map((e, c) => ({ c, r: e - Math.floor(e) })).sort((x, y) => y.r - x.r || x.c - y.c);
  // The capacity Σ(size − 1) = n − k ≥ nTest, so this ends.
  while (left > 0) {
    for (const { c } of byRemainder) {
      if (left > 0 && counts[c]! < sizes[c]! - 1) { counts[c]!++; left--; }
    }
  }
  return counts;
}

export interface KFoldOptions {
  /** Shuffle before cutting folds (default true); without it folds are consecutive blocks. */
  readonly shuffle?: boolean;
}

function checkK(n: number, k: number, what: string): void {
  if (!Number.isInteger(k) || k < 2) throw new Error(`${what}: k must be an integer ≥ 2, got ${k}`);
  if (k > n) throw new Error(`${what}: k = ${k} folds need at least ${k} rows, got ${n}`);
}

function foldsFromAssignment(fold: Int32Array, k: number): Split[] {
  const sizes = new Int32Array(k);
  for (let i = 0; i < fold.length; i++) sizes[fold[i]!]!++;
  const out: Split[] = [];
  for (let f = 0; f < k; f++) {
    const train = new Int32Array(fold.length - sizes[f]!);
    const test = new Int32Array(sizes[f]!);
    for (let i = 0, a = 0, b = 0; i < fold.length; i++) {
      if (fold[i] === f) test[b++] = i; else train[a++] = i;
    }
    out.push({ train, test });
  }
  return out;
}

/**
 * k folds; each row is in exactly one test fold. Fold sizes differ by at most one
 * (the first n mod k folds have one more row, as scikit-learn).
 */
export function kFold(n: number, k: number, rng: Rng, options: KFoldOptions = {}): Split[] {
  checkCount(n, 'kFold');
  checkK(n, k, 'kFold');
  const order = (options.shuffle ?? true) ? rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
  const fold = new Int32Array(n);
  const base = Math.floor(n / k);
  const extra = n % k;
  let p = 0;
  for (let f = 0; f < k; f++) {
    const size = base + (f < extra ? 1 : 0);
    for (let s = 0; s < size; s++) fold[order[p++]!] = f;
  }
  return foldsFromAssignment(fold, k);
}

/**
 * k folds that keep every class's share: each class's rows are shuffled and dealt to the folds in
 * turn, continuing from fold to fold across classes, so per-class counts in a fold differ by at most
 * one between folds and so do fold sizes. A class with fewer than k rows is missing from some test folds.
 */
export function stratifiedKFold(y: ArrayLike<Label>, k: number, rng: Rng): Split[] {
  checkLabels(y, { what: 'stratifiedKFold: y' });
  const n = y.length;
  checkK(n, k, 'stratifiedKFold');
  const { members } = groupByLabel(y);
  const fold = new Int32Array(n);
  let p = 0;
  for (const m of members) {
    rng.shuffle(m);
    for (let s = 0; s < m.length; s++) fold[m[s]!] = p++ % k;
  }
  return foldsFromAssignment(fold, k);
}

export interface BootstrapOptions {
  /** Number of draws (default n). */
  readonly size?: number;
}

/** A bootstrap sample: the drawn rows and the out-of-bag rows. */
export interface BootstrapSample {
  /** Row indices drawn uniformly with replacement, in draw order. */
  readonly sample: Int32Array;
  /** The rows never drawn, ascending (the out-of-bag set, a natural validation set). */
  readonly outOfBag: Int32Array;
}

/** Draw `size` (default n) row indices with replacement, and the rows never drawn (out of bag). */
export function bootstrapSample(n: number, rng: Rng, options: BootstrapOptions = {}): BootstrapSample {
  checkCount(n, 'bootstrapSample');
  const size = options.size ?? n;
  if (!Number.isInteger(size) || size < 1) throw new Error(`bootstrapSample: size must be a positive integer, got ${size}`);
  const sample = new Int32Array(size);
  const drawn = new Uint8Array(n);
  for (let s = 0; s < size; s++) { const i = rng.int(n); sample[s] = i; drawn[i] = 1; }
  const outOfBag: number[] = [];
  for (let i = 0; i < n; i++) if (drawn[i] === 0) outOfBag.push(i);
  return { sample, outOfBag: Int32Array.from(outOfBag) };
}

/** The given rows of an array (labels, rows of a table), in index order. */
export function takeRows<T>(a: ArrayLike<T>, indices: ArrayLike<number>): T[] {
  const out: T[] = [];
  for (let s = 0; s < indices.length; s++) {
    const i = indices[s]!;
    if (!Number.isInteger(i) || i < 0 || i >= a.length) throw new Error(`takeRows: index ${i} is out of range 0..${a.length - 1}`);
    out.push(a[i]!);
  }
  return out;
}

/** The given rows of a row-major matrix, as a new matrix of the same storage type. */
export function takeMatrixRows(m: NumericMatrix, indices: ArrayLike<number>): NumericMatrix {
  const { cols } = m;
  const data = m.data instanceof Float64Array ? new Float64Array(indices.length * cols) : new Float32Array(indices.length * cols);
  for (let s = 0; s < indices.length; s++) {
    const i = indices[s]!;
    if (!Number.isInteger(i) || i < 0 || i >= m.rows) throw new Error(`takeMatrixRows: index ${i} is out of range 0..${m.rows - 1}`);
    data.set(m.data.subarray(i * cols, (i + 1) * cols), s * cols);
  }
  return { rows: indices.length, cols, data };
}

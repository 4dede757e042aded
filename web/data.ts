/**
 * The playground's data: the classic 2-D sets (from the library's seeded generators), two regression
 * surfaces, or a CSV the user drops in; all scaled so every column lies in [−1, 1], split into train and
 * test rows, and turned into network inputs by the selected feature functions.
 */

import { Rng, circles, gaussians, moons, readTableSync, twoSpirals, xor } from '../src/index.js';
import { featureValue } from './features.js';
import type { DatasetName, FeatureName, PlaygroundState } from './state.js';

export type ProblemTask = 'binary' | 'multiclass' | 'regression';

export interface Problem {
  readonly task: ProblemTask;
  /** Class labels in output order (empty for regression). */
  readonly classes: readonly string[];
  /** Column names of X. */
  readonly names: readonly string[];
  /** n × cols, row-major, every column scaled to [−1, 1]. */
  readonly X: Float64Array;
  readonly cols: number;
  /** Class index, or the target scaled to [−1, 1]. */
  readonly y: Float64Array;
  readonly n: number;
  /** Column means (the value a 2-D view holds the columns it does not show at). */
  readonly means: Float64Array;
  /** The scaling that made X: X = (raw − centre)/half per column. */
  readonly centre: Float64Array;
  readonly half: Float64Array;
  /** A CSV regression target's scaling, y = (raw − centre)/half (null: the target is as given). */
  readonly targetScaling: { readonly centre: number; readonly half: number } | null;
  readonly train: Int32Array;
  readonly test: Int32Array;
  /** The columns shown as x₁ and x₂. */
  readonly viewX: number;
  readonly viewY: number;
  /** Target column and the columns left out of a CSV (not numeric), for the notice. */
  readonly targetName: string;
  readonly dropped: readonly string[];
  /** A CSV's header and its target column's index in it (empty and −1 for a generated set). */
  readonly header: readonly string[];
  readonly targetIndex: number;
}

const ROWS = 400;

interface Raw {
  x: number[][]; y: number[]; task: ProblemTask; classes: string[]; names: string[]; targetName: string; dropped: string[];
  /** A CSV's header and the index of its target column. */
  header: string[]; targetIndex: number;
}

function generated(name: Exclude<DatasetName, 'csv'>, noise: number, seed: number): Raw {
  const r = noise / 100;
  const cls = (g: { x: number[][]; y: number[] }, k = 2): Raw => ({
    x: g.x, y: g.y, task: k === 2 ? 'binary' : 'multiclass', classes: Array.from({ length: k }, (_, i) => String(i)),
    names: ['x₁', 'x₂'], targetName: 'class', dropped: [], header: [], targetIndex: -1,
  });
  switch (name) {
    case 'circle': return cls(circles({ n: ROWS, noise: 0.05 + 0.5 * r, seed }));
    case 'xor': return cls(xor({ n: ROWS, noise: 0.5 * r, seed }));
    case 'gauss': return cls(gaussians({ n: ROWS, classes: 2, noise: 0.4 + 1.6 * r, seed }));
    case 'spiral': return cls(twoSpirals({ n: ROWS, noise: 0.3 * r, seed }));
    case 'moons': return cls(moons({ n: ROWS, noise: 0.05 + 0.4 * r, seed }));
    case 'clusters': return cls(gaussians({ n: ROWS, classes: 3, noise: 0.5 + 1.5 * r, seed }), 3);
    case 'plane':
    case 'bumps': {
      const rng = new Rng(seed);
      const x: number[][] = [];
      const y: number[] = [];
      for (let i = 0; i < ROWS; i++) {
        const a = rng.range(-1, 1);
        const b = rng.range(-1, 1);
        const clean = name === 'plane' ? (a + b) / 2 : bumps(a, b);
        x.push([a, b]);
        y.push(clean + r * rng.normal());
      }
      return { x, y, task: 'regression', classes: [], names: ['x₁', 'x₂'], targetName: 'y', dropped: [], header: [], targetIndex: -1 };
    }
  }
}

/** A sum of signed Gaussian bumps: a surface no plane fits. */
function bumps(a: number, b: number): number {
  const centres: readonly [number, number, number][] = [[-0.5, -0.5, 1], [0.5, 0.5, 1], [-0.5, 0.5, -1], [0.5, -0.5, -1]];
  let s = 0;
  for (const [cx, cy, sign] of centres) s += sign * Math.exp(-((a - cx) ** 2 + (b - cy) ** 2) / 0.18);
  return s;
}

/** Most classes a text target may have: one colour each on the views, one output neuron each. */
export const MAX_CLASSES = 10;

/**
 * A CSV as a problem: numeric feature columns, the target as classes or values. Without a choice the
 * target is the last column that can be one: numeric, or text with at most MAX_CLASSES values (so a
 * trailing id or comment column is not taken for a label).
 */
function fromCsv(text: string, targetIndex: number): Raw {
  const table = readTableSync(text, { source: 'the CSV', format: 'csv' });
  const cols = table.columns;
  const header = cols.map((c) => c.name);
  // A feature is a numeric column without missing cells (the page does not impute).
  const numeric = cols.map((c) => c.type === 'number' && c.missing === 0);
  const distinctOf = (j: number): number => {
    const c = cols[j]!;
    return c.type === 'number' ? new Set(c.values).size : c.type === 'empty' ? 0 : c.levels.length;
  };
  let t = targetIndex;
  if (t < 0 || t >= header.length) {
    t = header.length - 1;
    while (t > 0 && numeric[t] !== true && distinctOf(t) > MAX_CLASSES) t--;
  }
  const target = cols[t]!;
  if (target.type === 'empty' || target.missing > 0) {
    throw new Error(`the target '${target.name}' has missing cells (the first on line ${target.firstMissing?.line ?? '?'}): choose another target column or fill them in`);
  }
  if (target.type !== 'number' && distinctOf(t) > MAX_CLASSES) {
    throw new Error(`the target '${target.name}' is text with ${distinctOf(t)} distinct values; a class target may have at most ${MAX_CLASSES}: choose another target column`);
  }
  const featureCols = cols.map((_, j) => j).filter((j) => j !== t && numeric[j]);
  const dropped = header.filter((_, j) => j !== t && !numeric[j]);
  if (featureCols.length === 0) throw new Error('the CSV has no numeric feature column besides the target');
  const x = Array.from({ length: table.rows }, (_, i) => featureCols.map((j) => { const c = cols[j]!; return c.type === 'number' ? c.values[i]! : NaN; }));
  const names = featureCols.map((j) => header[j]!);
  if (target.type === 'number') {
    const values = target.values;
    // Numeric labels are named by their value ('1.0' and '1' are one class, '1'), as the command names them.
    const distinct = [...new Set(values)].sort((a, b) => a - b);
    const integerLabels = values.every((v) => Number.isInteger(v));
    if (!(integerLabels && distinct.length <= MAX_CLASSES)) {
      return { x, y: Array.from(values), task: 'regression', classes: [], names, targetName: target.name, dropped, header, targetIndex: t };
    }
    if (distinct.length < 2) throw new Error(`the target '${target.name}' has a single value`);
    const index = new Map(distinct.map((c, i) => [c, i]));
    return {
      x, y: Array.from(values, (v) => index.get(v)!), task: distinct.length === 2 ? 'binary' : 'multiclass', classes: distinct.map(String),
      names, targetName: target.name, dropped, header, targetIndex: t,
    };
  }
  const levels = target.levels;
  if (levels.length < 2) throw new Error(`the target '${target.name}' has a single value`);
  const classes = [...levels].sort((a, b) => a.localeCompare(b));
  const rank = levels.map((l) => classes.indexOf(l));
  return {
    x, y: Array.from(target.codes, (k) => rank[k]!), task: classes.length === 2 ? 'binary' : 'multiclass', classes,
    names, targetName: target.name, dropped, header, targetIndex: t,
  };
}

/** Build the problem the state describes (`csv` is the dropped file's text when the data set is 'csv'). */
export function makeProblem(s: PlaygroundState, csv: string | null): Problem {
  if (s.dataset === 'csv' && csv === null) throw new Error('drop a CSV file first');
  const raw = s.dataset === 'csv' ? fromCsv(csv ?? '', s.target) : generated(s.dataset, s.noise, s.seed);
  const n = raw.x.length;
  const cols = raw.x[0]!.length;
  const X = new Float64Array(n * cols);
  const means = new Float64Array(cols);
  const centres = new Float64Array(cols);
  const halves = new Float64Array(cols);
  // 2-D sets share one scale for both axes (so circles stay round), each axis centred on its range's
  // midpoint (so the moons sit in the middle); a CSV scales each column on its own.
  const shared = s.dataset !== 'csv';
  let sharedHalf = 0;
  const lo: number[] = [];
  const hi: number[] = [];
  for (let j = 0; j < cols; j++) {
    let a = Infinity;
    let b = -Infinity;
    for (let i = 0; i < n; i++) { const v = raw.x[i]![j]!; a = Math.min(a, v); b = Math.max(b, v); }
    lo.push(a); hi.push(b);
    sharedHalf = Math.max(sharedHalf, (b - a) / 2);
  }
  for (let j = 0; j < cols; j++) {
    const centre = (lo[j]! + hi[j]!) / 2;
    const half = (shared ? sharedHalf : (hi[j]! - lo[j]!) / 2) * 1.1 || 1;
    centres[j] = centre;
    halves[j] = half;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = (raw.x[i]![j]! - centre) / half;
      X[i * cols + j] = v;
      m += v;
    }
    means[j] = m / n;
  }
  const y = Float64Array.from(raw.y);
  let targetScaling: Problem['targetScaling'] = null;
  if (raw.task === 'regression' && s.dataset === 'csv') {
    // Targets to [−1, 1] as well, so one learning rate suits every file.
    // A loop, not Math.min(...y): a long file's rows would overflow the argument list.
    let a = Infinity;
    let b = -Infinity;
    for (const v of y) { a = Math.min(a, v); b = Math.max(b, v); }
    const half = (b - a) / 2 || 1;
    targetScaling = { centre: (a + b) / 2, half };
    for (let i = 0; i < n; i++) y[i] = (y[i]! - targetScaling.centre) / half;
  }
  const perm = new Rng(s.seed + 7919).permutation(n);
  const nTrain = Math.max(1, Math.min(n - 1, Math.round((n * s.trainRatio) / 100)));
  const vx = Math.min(s.viewX, cols - 1);
  const vy = cols === 1 ? 0 : Math.min(s.viewY === vx ? (vx + 1) % cols : s.viewY, cols - 1);
  return {
    task: raw.task, classes: raw.classes, names: raw.names, X, cols, y, n, means, centre: centres, half: halves, targetScaling,
    train: perm.slice(0, nTrain), test: perm.slice(nTrain), viewX: vx, viewY: vy,
    targetName: raw.targetName, dropped: raw.dropped, header: raw.header, targetIndex: raw.targetIndex,
  };
}

/** Names of the network's inputs: the selected features, then a CSV's columns not on the view. */
export function inputNames(p: Problem, features: readonly FeatureName[], labels: Record<FeatureName, string>): string[] {
  const others = p.names.filter((_, j) => j !== p.viewX && j !== p.viewY);
  const rename = (f: FeatureName): string => labels[f].replace('x₁', p.names[p.viewX] ?? 'x₁').replace('x₂', p.names[p.viewY] ?? 'x₂');
  return [...features.map((f) => (p.names.length > 2 ? rename(f) : labels[f])), ...others];
}

/** Number of network inputs. */
export function inputWidth(p: Problem, features: readonly FeatureName[]): number {
  return features.length + p.names.filter((_, j) => j !== p.viewX && j !== p.viewY).length;
}

/**
 * Write the network inputs of a row into out[o..): the features of (x1, x2), then the other columns of
 * `row` (a full row of X, or the column means for a point of the view's grid).
 */
export function writeInputs(p: Problem, features: readonly FeatureName[], x1: number, x2: number, row: ArrayLike<number>, out: Float32Array | Float64Array, o: number): void {
  let k = o;
  for (const f of features) out[k++] = featureValue(f, x1, x2);
  for (let j = 0; j < p.cols; j++) if (j !== p.viewX && j !== p.viewY) out[k++] = row[j]!;
}

/** The input matrix of the rows `idx` (row-major, `inputWidth` columns). */
export function inputsOf(p: Problem, features: readonly FeatureName[], idx: Int32Array): Float32Array {
  const w = inputWidth(p, features);
  const out = new Float32Array(idx.length * w);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r]!;
    const row = p.X.subarray(i * p.cols, (i + 1) * p.cols);
    writeInputs(p, features, row[p.viewX]!, row[p.viewY]!, row, out, r * w);
  }
  return out;
}

/** The target matrix of the rows `idx`: one column (binary class or value) or one-hot for k classes. */
export function targetsOf(p: Problem, idx: Int32Array): Float32Array {
  const k = p.task === 'multiclass' ? p.classes.length : 1;
  const out = new Float32Array(idx.length * k);
  for (let r = 0; r < idx.length; r++) {
    const v = p.y[idx[r]!]!;
    if (k === 1) out[r] = v;
    else out[r * k + v] = 1;
  }
  return out;
}

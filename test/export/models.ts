// Small trained pipelines for the export tests: a classifier with a category column and missing cells
// (imputed), a multi-output regression, an ensemble, batch norm before and after, several activations, and
// a hand-built graph (per-unit activations, add and concat skips, dropout) on a fitted preprocessor.
import { Model } from '../../src/graph/model.js';
import { Rng } from '../../src/rng.js';
import type { ModelSpec } from '../../src/spec.js';
import type { CellValue } from '../../src/table/values.js';
import { tableFromColumns } from '../../src/table/values.js';
import type { Table } from '../../src/table/types.js';
import { Ensemble } from '../../src/train/ensemble.js';
import { Pipeline } from '../../src/workflow/pipeline.js';
import { Preprocessor } from '../../src/workflow/preprocessor.js';
import { trainPipeline } from '../../src/workflow/train.js';
import type { TrainOptions } from '../../src/workflow/options.js';

/** A trained pipeline, the table it was trained on and that table's rows as objects (null for a missing cell). */
export interface Case {
  readonly name: string;
  readonly pipeline: Pipeline;
  readonly table: Table;
  readonly rows: readonly Record<string, CellValue>[];
}

const COLOURS = ['red', 'green', 'blue', 'amber'];

/** Columns of n rows: two numbers, a category, a third number; some cells missing; targets derived from them. */
function columns(n: number, seed: number, missing: boolean): Record<string, CellValue[]> {
  const rng = new Rng(seed);
  const c: Record<string, CellValue[]> = { size: [], colour: [], weight: [], age: [], grade: [], flag: [], y1: [], y2: [] };
  for (let i = 0; i < n; i++) {
    const size = rng.range(0, 4);
    const colour = COLOURS[rng.int(COLOURS.length)]!;
    const weight = rng.normal() * 3 + 10 * size;
    const age = rng.range(18, 80);
    const k = COLOURS.indexOf(colour);
    c.size!.push(missing && i % 11 === 3 ? null : size);
    c.colour!.push(missing && i % 13 === 5 ? null : colour);
    c.weight!.push(missing && i % 7 === 2 ? null : weight);
    c.age!.push(age);
    c.grade!.push(size + 0.3 * k > 2.4 ? 'high' : size + 0.3 * k > 1.2 ? 'mid' : 'low');
    c.flag!.push(weight - 0.2 * age > 10 ? 'yes' : 'no');
    c.y1!.push(3 * size - 0.05 * age + k + rng.normal() * 0.1);
    c.y2!.push(100 + weight * weight / 10 + rng.normal());
  }
  return c;
}

function rowsOf(cols: Record<string, CellValue[]>, names: readonly string[]): Record<string, CellValue>[] {
  const n = cols[names[0]!]!.length;
  return Array.from({ length: n }, (_, i) => Object.fromEntries(names.map((k) => [k, cols[k]![i] ?? null])));
}

async function trained(name: string, cols: Record<string, CellValue[]>, keep: readonly string[], options: TrainOptions): Promise<Case> {
  const picked = Object.fromEntries(keep.map((k) => [k, cols[k]!]));
  const table = tableFromColumns(picked, { source: `${name}.csv` });
  const { pipeline } = await trainPipeline(table, { epochs: 15, validation: 0, seed: 3, ...options });
  return { name, pipeline, table, rows: rowsOf(cols, keep) };
}

/** A graph the trainer does not build: per-unit activations, add and concat skips, tied weights, a masked layer, dropout, noise, softmax. */
function graphSpec(inputSize: number, classes: number): ModelSpec {
  const perUnit = ['relu', 'tanh', 'sigmoid', 'softplus', 'mish', 'selu', 'leakyRelu', 'softsign', 'hardSigmoid', 'gaussian', 'sin', 'elu'] as const;
  return {
    inputSize,
    loss: 'categoricalCrossEntropy',
    layers: [
      { kind: 'gaussianNoise', name: 'noise', stddev: 0.1 },
      { kind: 'dense', name: 'a', units: 12, activation: [...perUnit] },
      { kind: 'dropout', name: 'drop', rate: 0.2 },
      { kind: 'dense', name: 'b', units: 12, activation: 'silu' },
      { kind: 'add', name: 'skip', inputs: ['drop', 'b'] },
      { kind: 'dense', name: 'tied', units: 12, activation: 'leakyRelu', inputs: ['skip'], shareWeightsWith: 'b' },
      {
        kind: 'dense', name: 'c', units: 5, activation: 'gelu', inputs: ['tied'],
        mask: Array.from({ length: 12 }, (_, i) => Array.from({ length: 5 }, (_, j) => ((i + j) % 3 === 0 ? 0 : 1))), biasMask: [1, 0, 1, 1, 0],
      },
      { kind: 'activation', name: 'act', activation: 'exp', inputs: ['c'] },
      { kind: 'concat', name: 'join', inputs: ['act', 'noise'] },
      { kind: 'batchNorm', name: 'bn', inputs: ['join'] },
      { kind: 'dense', name: 'out', units: classes, activation: 'softmax' },
    ],
  };
}

/** Every case, trained once. */
export async function cases(): Promise<Case[]> {
  const withMissing = columns(120, 1, true);
  const clean = columns(90, 2, false);
  const out: Case[] = [
    await trained('classifier', withMissing, ['size', 'colour', 'weight', 'age', 'grade'], {
      target: 'grade', impute: 'mean', hidden: [8, 6], activation: 'tanh',
    }),
    await trained('binary-batchnorm', withMissing, ['size', 'colour', 'weight', 'flag'], {
      target: 'flag', impute: 'median', hidden: [10], activation: 'gelu', batchNorm: 'before', dropout: 0.1, scale: 'minmax', unknown: 'ignore', batchSize: 16,
    }),
    await trained('regression-2', clean, ['size', 'colour', 'weight', 'age', 'y1', 'y2'], {
      target: ['y1', 'y2'], hidden: [10, 4], activation: 'elu', batchNorm: 'after', batchSize: 16,
    }),
    await trained('ensemble', clean, ['size', 'colour', 'age', 'grade'], {
      target: 'grade', hidden: [6], activation: 'sigmoid', restarts: 3, ensemble: true, minFrequency: 22,
    }),
  ];
  // The hand-built graph: the classifier's fitted preprocessing in front of an untrained network.
  const cls = out[0]!;
  const prep = Preprocessor.fit(cls.table, { target: 'grade', impute: 'most-frequent' });
  const model = new Model(graphSpec(prep.width, prep.outputWidth), { seed: 5 });
  // Batch-norm statistics and scales as training would leave them, not the initial 0, 1, 1, 0.
  const rng = new Rng(9);
  for (const n of model.nodes) {
    if (n.kind !== 'batchNorm') continue;
    for (let j = 0; j < n.width; j++) {
      n.runningMean.a[j] = rng.normal();
      n.runningVar.a[j] = 0.2 + rng.uniform();
      n.gamma.value.a[j] = 0.5 + rng.uniform();
      n.beta.value.a[j] = rng.normal() * 0.3;
    }
  }
  out.push({ name: 'graph', pipeline: new Pipeline(model, prep), table: cls.table, rows: cls.rows });
  return out;
}

/** What `pipeline.predict` gives for every row: labels and probabilities, or values (rows × outputs). */
export function expected(c: Case): { labels: (string | number)[] | null; numbers: number[][] } {
  const d = c.pipeline.predict(c.table);
  if (d.values !== null) {
    const k = d.values.length / d.rows;
    return { labels: null, numbers: Array.from({ length: d.rows }, (_, r) => Array.from(d.values!.subarray(r * k, r * k + k))) };
  }
  const k = d.proba!.length / d.rows;
  return { labels: [...d.labels!], numbers: Array.from({ length: d.rows }, (_, r) => Array.from(d.proba!.subarray(r * k, r * k + k))) };
}

/** The largest relative difference |a − e| / |e| over all numbers (e = 0 compared absolutely). */
export function maxRelative(actual: readonly (readonly number[])[], wanted: readonly (readonly number[])[]): number {
  let worst = 0;
  wanted.forEach((row, r) => row.forEach((e, j) => {
    const a = actual[r]![j]!;
    const d = Math.abs(a - e) / (e === 0 ? 1 : Math.abs(e));
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
  }));
  return worst;
}

/** The same network in float64 (same weights and statistics). */
function float64Twin(m: Model): Model {
  const twin = new Model({ ...m.spec, dtype: 'float64' });
  twin.paramBuffer.a.set(m.paramBuffer.a);
  twin.stateBuffer.a.set(m.stateBuffer.a);
  return twin;
}

/**
 * The tolerance an export is held to: 1e-6 relative, or three times the engine's own float32 rounding on
 * these rows (its outputs against the same weights in float64) where that is larger — a float32 program
 * cannot agree with the engine more closely than both agree with exact arithmetic.
 */
export function tolerance(c: Case): { tolerance: number; engineRounding: number } {
  const p = c.pipeline.predictor;
  const twin = p instanceof Ensemble ? new Ensemble(p.members.map(float64Twin)) : float64Twin(p);
  const exact = expected({ ...c, pipeline: new Pipeline(twin, c.pipeline.preprocessor) });
  const engineRounding = maxRelative(expected(c).numbers, exact.numbers);
  return { tolerance: Math.max(1e-6, 3 * engineRounding), engineRounding };
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainPipeline } from '../src/workflow/train.js';
import { tableFromColumns } from '../src/table/values.js';
import type { Table } from '../src/table/types.js';
import { Rng } from '../src/rng.js';

/** Counts with mean exp(0.5 + a − 0.7·b), drawn by Knuth's method. */
function countsTable(n: number, negativeAt = -1): { table: Table; rate: (a: number, b: number) => number } {
  const rng = new Rng(2);
  const rate = (a: number, b: number): number => Math.exp(0.5 + a - 0.7 * b);
  const a = Array.from({ length: n }, () => rng.range(-1, 1));
  const b = Array.from({ length: n }, () => rng.range(-1, 1));
  const y = a.map((v, i) => {
    let k = 0;
    let p = rng.uniform();
    while (p > Math.exp(-rate(v, b[i]!))) { k++; p *= rng.uniform(); }
    return i === negativeAt ? -k - 1 : k;
  });
  return { table: tableFromColumns({ a, b, count: y }, { source: 'counts' }), rate };
}

test('the workflow trains a poisson model on the counts as they are (no target scaling) and predicts the rate', async () => {
  const { table, rate } = countsTable(3000);
  const out = await trainPipeline(table, { target: 'count', task: 'regression', loss: 'poisson', hidden: [8], activation: 'tanh', epochs: 40, learningRate: 0.01, validation: 0 });
  const rng = new Rng(9);
  const a = Array.from({ length: 400 }, () => rng.range(-0.9, 0.9));
  const b = Array.from({ length: 400 }, () => rng.range(-0.9, 0.9));
  const pred = out.pipeline.predict(tableFromColumns({ a, b }, { source: 'grid' })).values!;
  const rel = a.reduce((s, v, i) => s + Math.abs(pred[i]! - rate(v, b[i]!)) / rate(v, b[i]!), 0) / a.length;
  assert.ok(rel < 0.1, `mean relative error of the rate ${rel}`);
});

test('a negative poisson target is refused, naming the line', async () => {
  const { table } = countsTable(100, 6);
  await assert.rejects(trainPipeline(table, { target: 'count', task: 'regression', loss: 'poisson', epochs: 1, validation: 0 }), /^TableError: counts, line 8, column 'count' \(column 3\): the target is -\d+; the poisson loss needs counts or rates ≥ 0$/);
});

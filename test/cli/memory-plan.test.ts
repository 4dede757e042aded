// How `mlpkit train` plans a table's memory once it is read, from its encoded width (cli/streamed.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTableSync } from '../../src/table/read.js';
import { encodedPlan, LARGE_ENCODED } from '../../cli/streamed.js';
import type { TrainOptions } from '../../cli/train.js';

// 200,000 rows of a 900-level category and a number: a 2.6 MB file whose in-memory run needs about 1.26 GB.
const lines = ['store,x,y'];
for (let i = 0; i < 200_000; i++) lines.push(`S${(i * 7919) % 900},${(i % 97) / 10},${i % 2}`);
const table = readTableSync(lines.join('\n'), { source: 'wide.csv' });
const base = { target: 'y', hidden: [4], activation: 'relu', optimizer: 'adam', batchSize: 32, epochs: 1, seed: 0, drop: [] } as unknown as TrainOptions;

test('a small file whose encoded rows are large holds only them (through the cache), unless a flag needs the table or it is read from stdin', () => {
  const plan = encodedPlan(table, base, 'wide.csv');
  assert.equal(plan?.plan, 'large');
  assert.equal(plan.size.values, 900 + 1 + 1);
  assert.ok(plan.size.bytes >= LARGE_ENCODED);
  assert.equal(encodedPlan(table, { ...base, report: 'r.html' } as TrainOptions, 'wide.csv'), null);
  assert.equal(encodedPlan(table, base, '-'), null);
});

test('over --memory it is "over", with or without a flag that needs the table; a narrow table has no plan', () => {
  for (const o of [base, { ...base, report: 'r.html' }] as TrainOptions[]) assert.equal(encodedPlan(table, { ...o, memory: 512 * 1024 ** 2 } as TrainOptions, 'wide.csv')?.plan, 'over');
  const narrow = readTableSync(lines.slice(0, 1000).map((l) => l.replace(/^S\d+,/, '')).join('\n').replace(/^store,/, ''), { source: 'narrow.csv' });
  assert.equal(encodedPlan(narrow, base, 'narrow.csv'), null);
});

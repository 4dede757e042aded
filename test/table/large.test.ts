import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTable, tableFromColumns } from '../../src/index.js';

const ROWS = 2_000_000;

/** A generated CSV of ROWS rows, 10,000 rows per chunk. */
async function* generated(): AsyncGenerator<string> {
  yield 'id,x,group,flag\n';
  for (let start = 0; start < ROWS; start += 10_000) {
    let s = '';
    for (let i = start; i < start + 10_000; i++) s += `${i},${(i % 1000) / 8},g${i % 37},${i % 5 === 0 ? 'NA' : i % 2 === 0 ? 'true' : 'false'}\n`;
    yield s;
  }
}

test('a 2,000,000-row generated CSV reads without recursion or argument spreading', async () => {
  const t = await readTable(generated(), { source: 'big.csv' });
  assert.equal(t.rows, ROWS);
  const [id, x, group, flag] = t.columns;
  assert.ok(id?.type === 'number' && x?.type === 'number' && group?.type === 'category' && flag?.type === 'boolean');
  assert.equal(id.values[ROWS - 1], ROWS - 1);
  assert.equal(x.values[1_999_999], 999 / 8);
  assert.equal(group.levels.length, 37);
  assert.equal(group.counts.reduce((a, b) => a + b, 0), ROWS);
  assert.equal(flag.missing, ROWS / 5);
  assert.equal(t.lines[ROWS - 1], ROWS + 1);
});

test('a 2,000,000-row table from columns keeps its length and types', () => {
  const t = tableFromColumns({ a: Float64Array.from({ length: ROWS }, (_, i) => i), b: Array.from({ length: ROWS }, (_, i) => (i % 3 === 0 ? 'x' : 'y')) });
  assert.equal(t.rows, ROWS);
  assert.equal(t.columns[1]!.type, 'category');
});

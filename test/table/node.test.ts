import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableError, readTableSync, tableFromColumns, type ReadProgress, type Table } from '../../src/index.js';
import { readTableFile, writeTableFile } from '../../src/node.js';
import { makeProblem } from '../../web/data.js';
import { defaultState } from '../../web/state.js';

const dir = mkdtempSync(join(tmpdir(), 'mlpkit-table-'));
const root = new URL('../..', import.meta.url).pathname;

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TableError, `expected a TableError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected a failure');
}

test('a missing file, a directory and an unreadable file are refused naming the path', async () => {
  const missing = join(dir, 'nope.csv');
  assert.equal(await failure(readTableFile(missing)), `${missing}: no such file or folder (ENOENT)`);
  assert.equal(await failure(readTableFile(dir)), `${dir}: is a folder; give a data file`);
  const locked = join(dir, 'locked.csv');
  writeFileSync(locked, 'a\n1\n');
  chmodSync(locked, 0o000);
  const asRoot = process.getuid?.() === 0;
  if (!asRoot) assert.equal(await failure(readTableFile(locked)), `${locked}: permission denied (cannot read it)`);
  chmodSync(locked, 0o644);
});

test('cell errors name the file by its base name, the line, the column and the value', async () => {
  const p = join(dir, 'bad.csv');
  writeFileSync(p, 'a,b\n1,2\n3,4\n5,six\n');
  assert.match(await failure(readTableFile(p, { sampleRows: 2 })), /^bad\.csv, line 4, column 'b' \(column 2\): 'six' is not a number/);
});

test('progress reports bytes read of the file size, and rows', async () => {
  const p = join(dir, 'progress.csv');
  const text = `a,b\n${'1.5,2\n'.repeat(300_000)}`;
  writeFileSync(p, text);
  const seen: ReadProgress[] = [];
  const t = await readTableFile(p, { onProgress: (x) => seen.push(x) });
  assert.equal(t.rows, 300_000);
  assert.ok(seen.length >= 2);
  assert.deepEqual(seen.at(-1), { bytes: text.length, totalBytes: text.length, rows: 300_000 });
  assert.ok(seen.every((x, i) => i === 0 || x.bytes >= seen[i - 1]!.bytes));
});

test("'-' reads standard input", () => {
  const script = "import { readTableFile } from './src/node.ts'; const t = await readTableFile('-'); console.log(JSON.stringify([t.source, t.rows, t.columns.map((c) => c.type)]));";
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, input: 'x,name\n1,"a\nb"\n2,c\n', encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), ['stdin', 2, ['number', 'category']]);
});

test('a quoted line break reads the same in the page (web/data.ts) and through the Node reader', async () => {
  const rows = Array.from({ length: 40 }, (_, i) => `${i / 10},${(i * 7) % 5},"note ${i}\nsecond line, with a comma",${i % 2 === 0 ? 'yes' : 'no'}`);
  const text = `u,v,note,label\n${rows.join('\n')}\n`;
  const p = join(dir, 'quoted.csv');
  writeFileSync(p, text);
  const node = await readTableFile(p);
  const page = makeProblem({ ...defaultState(), dataset: 'csv' }, text);
  assert.equal(node.rows, 40);
  assert.equal(page.n, 40);
  assert.deepEqual(page.names, ['u', 'v']);
  assert.deepEqual(page.dropped, ['note']);
  assert.equal(page.targetName, 'label');
  const u = node.columns[0]!;
  assert.ok(u.type === 'number');
  // The page scales X to [−1, 1]; undo it and compare with the Node reader's column.
  const raw = Array.from({ length: page.n }, (_, i) => page.X[i * page.cols]! * page.half[0]! + page.centre[0]!);
  raw.forEach((v, i) => assert.ok(Math.abs(v - u.values[i]!) < 1e-12));
  const note = node.columns[2]!;
  assert.ok(note.type === 'category');
  assert.equal(note.levels[3], 'note 3\nsecond line, with a comma');
  assert.deepEqual([...node.lines.slice(0, 3)], [2, 4, 6]);
  assert.deepEqual(readTableSync(text, { source: 'quoted.csv' }), node);
});

function sameColumns(a: Table, b: Table): void {
  assert.equal(a.rows, b.rows);
  assert.deepEqual(a.columns.map((c) => [c.name, c.type, c.missing]), b.columns.map((c) => [c.name, c.type, c.missing]));
  a.columns.forEach((c, j) => {
    const d = b.columns[j]!;
    if (c.type === 'number' && d.type === 'number') assert.deepEqual(c.values, d.values, c.name);
    else if ((c.type === 'category' || c.type === 'boolean') && (d.type === 'category' || d.type === 'boolean')) {
      assert.deepEqual(c.levels, d.levels, c.name);
      assert.deepEqual(c.codes, d.codes, c.name);
    }
  });
}

test('the same table written as CSV, TSV, JSON lines, Parquet and Arrow reads to identical columns', async () => {
  const n = 3000;
  const table = tableFromColumns({
    x: Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 1e3 + 1 / 3),
    withMissing: Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? NaN : i * 0.1)),
    colour: Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : ['red', 'green', 'blue, dark', 'say "hi"'][i % 4]!)),
    flag: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'yes' : 'no')),
    nothing: Array.from({ length: n }, () => null),
  });
  assert.deepEqual(table.columns.map((c) => c.type), ['number', 'number', 'category', 'boolean', 'empty']);
  for (const ext of ['csv', 'tsv', 'jsonl', 'parquet', 'arrow']) {
    const p = join(dir, `round.${ext}`);
    await writeTableFile(p, table);
    const back = await readTableFile(p);
    assert.equal(back.format.kind, ext === 'tsv' ? 'csv' : ext);
    sameColumns(back, table);
    // Sniffed from the bytes when the name does not tell.
    const anon = join(dir, `round-${ext}.data`);
    writeFileSync(anon, readFileSync(p));
    sameColumns(await readTableFile(anon, ext === 'tsv' ? { format: 'tsv' } : {}), table);
  }
});

test('predictions are written from a record of columns; a bad output path names the path', async () => {
  const p = join(dir, 'pred.parquet');
  await writeTableFile(p, { id: Float64Array.of(1, 2, 3), label: ['a', 'b', null] });
  const t = await readTableFile(p);
  assert.deepEqual(t.columns.map((c) => c.type), ['number', 'category']);
  const csv = join(dir, 'pred.csv');
  await writeTableFile(csv, { y: Float32Array.of(0.5, 1.25), class: ['x,y', 'z'] });
  assert.equal(readFileSync(csv, 'utf8'), 'y,class\n0.5,"x,y"\n1.25,z\n');
  await assert.rejects(writeTableFile(join(dir, 'no', 'such', 'p.csv'), { y: [1] }), (e: Error) => e.message.startsWith(join(dir, 'no', 'such', 'p.csv')));
  await assert.rejects(writeTableFile(dir, { y: [1] }), new RegExp(`^TableError: ${dir}: is a folder; give the output`));
});

test('options of typed formats apply as to text: forced types, chosen columns, missing markers', async () => {
  const p = join(dir, 'typed.parquet');
  await writeTableFile(p, { zip: Float64Array.of(10115, 20095), name: ['NA', 'b'], z: Float64Array.of(1, 2) });
  const t = await readTableFile(p, { types: { zip: 'category' }, columns: ['zip', 'name'] });
  assert.deepEqual(t.columns.map((c) => [c.name, c.type, c.missing]), [['zip', 'category', 0], ['name', 'category', 1]]);
  await assert.rejects(readTableFile(p, { columns: ['nope'] }), /typed\.parquet: no column 'nope'/);
  const bad = join(dir, 'bad.parquet');
  writeFileSync(bad, 'PAR1 this is not parquet');
  assert.match(await failure(readTableFile(bad)), /^bad\.parquet: not a readable Parquet file/);
});

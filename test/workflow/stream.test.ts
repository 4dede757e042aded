/**
 * Training streamed from the on-disk cache: the cache reads back as the file reads, it is found again by
 * content (and rebuilt when damaged), and a streamed run with the same rows in the same order writes the
 * model the in-memory run writes; the command streams past --memory, and refuses what needs every row.
 */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTableCache } from '../../src/io/node/cache.js';
import { readTableFile, readTableFileBlocks } from '../../src/io/node/read-table.js';
import { lazyTable } from '../../src/table/blocks.js';
import type { Table } from '../../src/table/types.js';
import { trainHeldOut } from '../../src/workflow/holdout.js';
import { BlockScores, trainStreamed } from '../../src/workflow/stream.js';
import { takeTableRows } from '../../src/table/rows.js';
import { Rng } from '../../src/rng.js';
import { runMlpkit } from '../helpers/mlpkit.js';

const dir = mkdtempSync(join(tmpdir(), 'mlpkit-stream-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** A mixed file: numbers with missing cells, a category, a boolean, a column missing in its first rows, a class target. */
function mixedCsv(path: string, rows: number, seed = 3): void {
  const rng = new Rng(seed);
  const lines = ['a,b,c,flag,late,y'];
  for (let i = 0; i < rows; i++) {
    const a = rng.normal();
    const c = rng.uniform();
    const b = ['x', 'y', 'z', 'w'][rng.int(4)]!;
    const late = i < 150 ? 'NA' : (rng.uniform() * 10).toFixed(2);
    const y = a + (b === 'x' ? 1 : 0) + c > 0.8 ? 'hi' : 'lo';
    lines.push(`${i % 37 === 0 ? '' : a.toFixed(4)},${b},${c.toFixed(3)},${i % 3 === 0 ? 'yes' : 'no'},${late},${y}`);
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** A table as plain data with its keys sorted, for comparing what two readers gave. */
function plain(t: Table): unknown {
  const norm = (v: unknown): unknown => {
    if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isNaN(x) ? 'NaN' : x));
    if (Array.isArray(v)) return v.map(norm);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, norm((v as Record<string, unknown>)[k])]));
    return v;
  };
  return norm({ source: t.source, rows: t.rows, lines: t.lines, columns: t.columns, format: t.format });
}

const csv = join(dir, 'mixed.csv');
mixedCsv(csv, 3000);

test('the cache reads back as the file reads, in any block size', async () => {
  const whole = await readTableFile(csv);
  for (const blockRows of [1, 97, 1 << 16]) {
    const c = await openTableCache(csv, {}, { dir: join(dir, `cache-${blockRows}`), blockRows });
    assert.equal(c.built, true);
    assert.equal(c.source.blockRows.length, Math.ceil(3000 / blockRows));
    assert.deepEqual(plain(lazyTable(c.source)), plain(whole));
    c.source.close();
  }
});

test('some rows of the cache, in any order, read a block at a time as takeTableRows takes them from the whole table', async () => {
  const whole = await readTableFile(csv);
  const rng = new Rng(11);
  const rows = Int32Array.from({ length: 3000 }, (_, i) => i);
  for (let i = rows.length - 1; i > 0; i--) { const k = rng.int(i + 1); [rows[i], rows[k]] = [rows[k]!, rows[i]!]; }
  for (const blockRows of [1, 97, 1 << 16]) {
    const c = await openTableCache(csv, {}, { dir: join(dir, `cache-${blockRows}`), blockRows });
    // Rows 0..149 hold no value of column late: a subset without them, one with a few, and a shuffled 70%.
    for (const some of [rows.filter((r) => r >= 150).subarray(0, 500), Int32Array.of(2999, 3, 149, 150, 0), rows.subarray(0, 2100)]) {
      const lazy = lazyTable(c.source, some);
      assert.deepEqual(plain(lazy), plain(takeTableRows(whole, some)));
    }
  }
});

test('a cache is found again by the file\'s bytes, and rebuilt when the file or the cache changes', async () => {
  const cacheDir = join(dir, 'cache-reuse');
  const first = await openTableCache(csv, {}, { dir: cacheDir, blockRows: 500 });
  const again = await openTableCache(csv, {}, { dir: cacheDir, blockRows: 500 });
  assert.equal(first.built, true);
  assert.equal(again.built, false);
  assert.equal(again.path, first.path);
  // Other read options are another cache.
  const typed = await openTableCache(csv, { types: { c: 'category' } }, { dir: cacheDir, blockRows: 500 });
  assert.equal(typed.built, true);
  assert.notEqual(typed.path, first.path);
  // A damaged data file is not trusted: the cache is built again.
  writeFileSync(join(first.path, 'data.bin'), 'x');
  const rebuilt = await openTableCache(csv, {}, { dir: cacheDir, blockRows: 500 });
  assert.equal(rebuilt.built, true);
  assert.deepEqual(plain(lazyTable(rebuilt.source)), plain(await readTableFile(csv)));
  // The same bytes under a new mtime hash to the same cache folder.
  const t = statSync(csv).mtime;
  utimesSync(csv, t, new Date(t.getTime() + 5000));
  const touched = await openTableCache(csv, {}, { dir: cacheDir, blockRows: 500 });
  assert.equal(touched.built, true);
  assert.equal(touched.path, first.path);
  // No temporary folder is left behind.
  assert.deepEqual(readdirSync(cacheDir).filter((n) => n.startsWith('.building')), []);
});

const options = { target: 'y', epochs: 3, impute: 'mean' as const, hidden: [8], seed: 4, batchSize: 64 };

test('streamed without shuffling, the model equals the in-memory one (splits, preprocessor, weights, scores)', async () => {
  const c = await openTableCache(csv, {}, { dir: join(dir, 'cache-eq'), blockRows: 128 });
  const o = { ...options, shuffle: false };
  const mem = await trainHeldOut(await readTableFile(csv), o);
  const st = await trainStreamed(c.source, o);
  const strip = (f: ReturnType<typeof mem.pipeline.toFile>): unknown => JSON.parse(JSON.stringify(f, (k, v) => (k === 'seconds' ? 0 : v)));
  assert.deepEqual(strip(st.pipeline.toFile()), strip(mem.pipeline.toFile()));
  assert.deepEqual(st.heldOut!.evaluation.metrics, mem.heldOut!.evaluation.metrics);
  assert.deepEqual(st.training.metrics, mem.training.metrics);
  assert.equal(st.heldOut!.rows, mem.heldOut!.table.rows);
});

test('with a shuffle window that holds every training row, the streamed run equals the shuffled in-memory one', async () => {
  const c = await openTableCache(csv, {}, { dir: join(dir, 'cache-one-block'), blockRows: 1 << 16 });
  assert.equal(c.source.blockRows.length, 1);
  const mem = await trainHeldOut(await readTableFile(csv), options);
  const st = await trainStreamed(c.source, options, {}, {}, { shuffleBuffer: 3000 });
  assert.deepEqual(Array.from(st.pipeline.model.getWeights()), Array.from(mem.pipeline.model.getWeights()));
});

test('training rows held encoded in the arena give the shuffled in-memory model, from blocks of any size', async () => {
  const c = await openTableCache(csv, {}, { dir: join(dir, 'cache-eq'), blockRows: 128 });
  const mem = await trainHeldOut(await readTableFile(csv), options);
  const held = await trainStreamed(c.source, options, {}, {}, { hold: true });
  const strip = (f: ReturnType<typeof mem.pipeline.toFile>): unknown => JSON.parse(JSON.stringify(f, (k, v) => (k === 'seconds' ? 0 : v)));
  assert.deepEqual(strip(held.pipeline.toFile()), strip(mem.pipeline.toFile()));
});

test('a small shuffle window over many blocks still mixes the rows and learns', async () => {
  const c = await openTableCache(csv, {}, { dir: join(dir, 'cache-eq'), blockRows: 128 });
  const o = { ...options, epochs: 8 };
  const st = await trainStreamed(c.source, o, {}, {}, { shuffleBuffer: 200 });
  const again = await trainStreamed(c.source, o, {}, {}, { shuffleBuffer: 200 });
  const ordered = await trainStreamed(c.source, { ...o, shuffle: false }, {}, {}, { shuffleBuffer: 200 });
  assert.deepEqual(Array.from(st.pipeline.model.getWeights()), Array.from(again.pipeline.model.getWeights()), 'seeded: the same run twice');
  assert.notDeepEqual(Array.from(st.pipeline.model.getWeights()), Array.from(ordered.pipeline.model.getWeights()));
  assert.ok(st.heldOut!.evaluation.metrics.accuracy! > 0.85, `held-out accuracy ${st.heldOut!.evaluation.metrics.accuracy}`);
  // A window of 200 rows and batches of 64: each window leaves 8 rows short of a batch, carried into the next,
  // so every batch of an epoch but its last is full, and an epoch is every training row.
  const sizes: number[][] = [];
  const counted = await trainStreamed(c.source, { ...o, epochs: 2 }, {}, { onBatchEnd: (b) => { (sizes[b.epoch - 1] ??= []).push(b.rows); } }, { shuffleBuffer: 200 });
  const prep = counted.pipeline.preprocessor;
  const trainRows = counted.heldBytes / (4 * (prep.width + prep.outputWidth));
  assert.ok(Number.isInteger(trainRows) && trainRows > 1000, String(trainRows));
  assert.equal(sizes.length, 2);
  for (const epoch of sizes) {
    assert.equal(epoch.reduce((a, b) => a + b, 0), trainRows);
    assert.ok(epoch.slice(0, -1).every((n) => n === 64), `batch sizes ${epoch.join(',')}`);
  }
});

test('validation rows that stream give the losses held ones give', async () => {
  const c = await openTableCache(csv, {}, { dir: join(dir, 'cache-eq'), blockRows: 128 });
  const o = { ...options, shuffle: false };
  const held = await trainStreamed(c.source, o);
  // A budget of 1 MB leaves a quarter for validation: 480 rows × 8 columns × 4 bytes fit; 64 KB does not.
  const streamed = await trainStreamed(c.source, o, {}, {}, { memory: 64 * 1024, shuffleBuffer: 1 });
  // The same rows in the same order; the sums go in batches of another size, so equal to round-off.
  streamed.history.epochs.forEach((e, i) => assert.ok(Math.abs(e.valLoss! - held.history.epochs[i]!.valLoss!) < 1e-12, `epoch ${i + 1}: ${e.valLoss} vs ${held.history.epochs[i]!.valLoss}`));
  assert.deepEqual(Array.from(streamed.pipeline.model.getWeights()), Array.from(held.pipeline.model.getWeights()));
});

test('what a stream cannot do is refused by its option', async () => {
  const c = await openTableCache(csv, {}, { dir: join(dir, 'cache-eq'), blockRows: 128 });
  await assert.rejects(trainStreamed(c.source, { ...options, intervals: 0.9 }), /option intervals \(--intervals\) is not available when training streams/);
  await assert.rejects(trainStreamed(c.source, { ...options, restarts: 3 }), /option restarts/);
  await assert.rejects(trainStreamed(c.source, { ...options, optimizer: 'lbfgs' }), /lbfgs/);
});

/** A file larger than --memory 1MB lets an in-memory run have (about 4.5 times its size), and whose encoded rows take more than half of it. */
const large = join(dir, 'large.csv');
mixedCsv(large, 30000, 5);

test('mlpkit train streams past --memory: the model file equals the in-memory run\'s, and the cache is reused', async () => {
  const cacheDir = join(dir, 'cli-cache');
  const args = [large, '--target', 'y', '--epochs', '2', '--impute', 'mean', '--hidden', '6', '--no-shuffle'];
  const a = await runMlpkit('train', ...args, '--out', join(dir, 'mem.json'));
  assert.equal(a.code, 0, a.err);
  assert.doesNotMatch(a.err, /streams/);
  const b = await runMlpkit('train', ...args, '--out', join(dir, 'streamed.json'), '--memory', '1MB', '--cache-dir', cacheDir);
  assert.equal(b.code, 0, b.err);
  assert.match(b.err, /needs more than --memory 1 MB in memory: it is read through an on-disk cache/);
  assert.match(b.err, /training rows stream from the cache each epoch/);
  assert.match(b.err, /--memory 1 MB is less than the runtime itself takes \(about 256 MB\)/);
  assert.match(b.err, /cache written: /);
  const scores = (s: string): string => s.split('\n').find((l) => l.startsWith('trained'))!;
  assert.equal(scores(b.out), scores(a.out));
  const model = (p: string): unknown => JSON.parse(readFileSync(join(dir, p), 'utf8'), (k, v) => (k === 'seconds' ? 0 : v));
  assert.deepEqual(model('streamed.json'), model('mem.json'));
  const again = await runMlpkit('train', ...args, '--out', join(dir, 'streamed.json'), '--memory', '1MB', '--cache-dir', cacheDir);
  assert.match(again.err, /cache reused: /);
});

test('mlpkit train refuses, before any work, what a streamed run cannot give', async () => {
  const base = ['train', large, '--target', 'y', '--memory', '1MB', '--cache-dir', join(dir, 'cli-cache')];
  const r = await runMlpkit(...base, '--report', join(dir, 'r.html'));
  assert.equal(r.code, 2);
  assert.match(r.err, /--report: the report needs the rows in memory when training streams from disk/);
  const bad = await runMlpkit(...base.slice(0, 4), '--memory', 'lots');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--memory must be a size of at least 1MB such as 512MB/);
});

/** A small file (far below --memory 1MB's in-memory share by its size) whose 400-level category encodes to about 5 MB in memory. */
const wide = join(dir, 'wide.csv');
{
  const rng = new Rng(3);
  const lines = ['store,x,y'];
  for (let i = 0; i < 2000; i++) {
    const store = rng.int(400);
    const x = rng.normal();
    lines.push(`S${store},${x.toFixed(3)},${(0.5 * x + (store % 7) / 7 + 0.1 * rng.normal()).toFixed(3)}`);
  }
  writeFileSync(wide, `${lines.join('\n')}\n`);
}

test('mlpkit train streams a small file whose encoded rows exceed --memory (a many-level category), and the model is the in-memory one', async () => {
  assert.ok(statSync(wide).size * 4.5 < 1024 ** 2);
  const args = [wide, '--target', 'y', '--epochs', '2', '--hidden', '4', '--no-shuffle'];
  const a = await runMlpkit('train', ...args, '--out', join(dir, 'wide-mem.json'));
  assert.equal(a.code, 0, a.err);
  assert.doesNotMatch(a.err, /streams/);
  const b = await runMlpkit('train', ...args, '--out', join(dir, 'wide-streamed.json'), '--memory', '1MB', '--cache-dir', join(dir, 'wide-cache'));
  assert.equal(b.code, 0, b.err);
  assert.match(b.err, /2,000 rows × 400 encoded values need about 5 MB in memory, more than --memory 1 MB: training streams instead/);
  assert.match(b.err, /training rows stream from the cache each epoch/);
  // The same network and preprocessing; the validation loss the streamed run sums block by block agrees to round-off.
  const read = (p: string): Record<string, unknown> => JSON.parse(readFileSync(join(dir, p), 'utf8'), (k, v) => (k === 'seconds' ? 0 : v));
  const [streamed, mem] = [read('wide-streamed.json'), read('wide-mem.json')];
  for (const k of ['spec', 'weights', 'state', 'task', 'preprocessing']) assert.deepEqual(streamed[k], mem[k], k);
  const valLoss = (m: Record<string, unknown>): number => (m.training as { summary: { finalValLoss: number } }).summary.finalValLoss;
  assert.ok(Math.abs(valLoss(streamed) - valLoss(mem)) < 1e-12 * valLoss(mem));
  const r = await runMlpkit('train', ...args, '--out', join(dir, 'wide-r.json'), '--memory', '1MB', '--report', join(dir, 'wide.html'));
  assert.equal(r.code, 2);
  assert.match(r.err, /^mlpkit: 2,000 rows × 400 encoded values need about 5 MB in memory, more than --memory 1 MB, and --report needs them there: give a larger --memory, or leave --report out$/m);
  // An option a streamed run cannot honour is named too (not taken for standard input).
  const l = await runMlpkit('train', ...args, '--out', join(dir, 'wide-l.json'), '--memory', '1MB', '--optimizer', 'lbfgs');
  assert.equal(l.code, 2);
  assert.match(l.err, /more than --memory 1 MB, and the lbfgs optimizer \(--optimizer lbfgs\) needs them there: give a larger --memory, or leave the lbfgs optimizer \(--optimizer lbfgs\) out$/m);
});

test('block-by-block scores are exact up to their capacity, and a uniform sample past it', async () => {
  const t = await readTableFile(csv);
  const { pipeline } = await trainHeldOut(t, { ...options, epochs: 4 });
  const table = await readTableFile(csv, { types: pipeline.preprocessor.readTypes });
  const full = pipeline.evaluate(table);
  const blocks = (s: BlockScores): BlockScores => {
    for (let i = 0; i < table.rows; i += 250) s.add(pipeline, takeTableRows(table, Int32Array.from({ length: Math.min(250, table.rows - i) }, (_, k) => i + k)));
    return s;
  };
  const exact = blocks(new BlockScores());
  assert.equal(exact.kept, 3000);
  assert.deepEqual(exact.evaluate(pipeline).metrics, full.metrics);
  const sample = blocks(new BlockScores(1000, 2));
  assert.equal(sample.kept, 1000);
  assert.equal(sample.rows, 3000);
  const ev = sample.evaluate(pipeline);
  assert.equal(ev.rows, 1000);
  // A uniform sample of a third: its accuracy within 4 standard errors of the whole table's.
  const acc = full.metrics.accuracy!;
  assert.ok(Math.abs(ev.metrics.accuracy! - acc) < 4 * Math.sqrt((acc * (1 - acc)) / 1000 * (2 / 3)), `${ev.metrics.accuracy} vs ${acc}`);
  assert.notDeepEqual(ev.metrics, full.metrics);
});

test('blocks encoded ahead on a worker thread give the same model as blocks encoded in turn', async () => {
  const { workerBlockEncoder } = await import('../../src/node/block-encoder.js');
  const c = await openTableCache(csv, {}, { dir: join(dir, 'cache-worker'), blockRows: 128 });
  const o = { ...options, epochs: 2 };
  const local = await trainStreamed(c.source, o, {}, {}, { shuffleBuffer: 300 });
  const ahead = await trainStreamed(c.source, o, {}, {}, { shuffleBuffer: 300, encoder: workerBlockEncoder(c.path) });
  assert.equal(ahead.held, false);
  assert.deepEqual(Array.from(ahead.pipeline.model.getWeights()), Array.from(local.pipeline.model.getWeights()));
});

test('rows encoded once into a file give the same model as blocks encoded every epoch, and the file is gone after the run', async () => {
  const { workerBlockEncoder } = await import('../../src/node/block-encoder.js');
  const { encodedFileEncoder } = await import('../../src/node/encoded-blocks.js');
  const c = await openTableCache(csv, {}, { dir: join(dir, 'cache-encoded'), blockRows: 128 });
  // A file left by a process that has ended is removed by the next run; one of this process is not.
  const orphan = join(c.path, 'encoded-999999999-abc.f32');
  const mine = join(c.path, `encoded-${process.pid}-mine.f32`);
  writeFileSync(orphan, 'x');
  writeFileSync(mine, 'x');
  const o = { ...options, epochs: 2, validation: 0.2 };
  // 64 KB leaves the 480 validation rows to stream too, through the same file encoder.
  const so = { shuffleBuffer: 300, memory: 64 * 1024, hold: false };
  const local = await trainStreamed(c.source, o, {}, {}, so);
  const filed = await trainStreamed(c.source, o, {}, {}, { ...so, encoder: encodedFileEncoder(c.path) });
  const viaWorker = await trainStreamed(c.source, o, {}, {}, { ...so, encoder: encodedFileEncoder(c.path, workerBlockEncoder(c.path)) });
  for (const run of [filed, viaWorker]) {
    assert.equal(run.held, false);
    assert.deepEqual(Array.from(run.pipeline.model.getWeights()), Array.from(local.pipeline.model.getWeights()));
    assert.deepEqual(run.history.epochs.map((e) => e.valLoss), local.history.epochs.map((e) => e.valLoss));
  }
  assert.ok(local.history.epochs.every((e) => Number.isFinite(e.valLoss)));
  assert.deepEqual(readdirSync(c.path).filter((f) => f.startsWith('encoded-')), [`encoded-${process.pid}-mine.f32`]);
  rmSync(mine);
  c.source.close();
});

test('Parquet (row group by row group) and Arrow (batch by batch, file and stream formats) are read in blocks and go into the cache as their whole-file reads give them', async () => {
  const { columnValues } = await import('../../src/io/node/binary-tables.js');
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const arrow = await import('apache-arrow');
  const t = await readTableFile(csv);
  const names = t.columns.map((c) => c.name);
  const values = t.columns.map((c) => columnValues(c, t.rows));
  const columnData = names.map((name, j) => {
    const v = values[j]!;
    return v instanceof Float64Array ? { name, data: Array.from(v, (x) => (Number.isNaN(x) ? null : x)), type: 'DOUBLE' as const, nullable: true } : { name, data: v, type: 'STRING' as const, nullable: true };
  });
  const parquet = join(dir, 'groups.parquet');
  writeFileSync(parquet, new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: 700 })));
  // Three record batches of 1,000 rows.
  const slice = (s: number, e: number) => new arrow.Table(Object.fromEntries(names.map((n, j) => {
    const v = values[j]!;
    return [n, v instanceof Float64Array ? arrow.vectorFromArray(Array.from(v.slice(s, e), (x) => (Number.isNaN(x) ? null : x)), new arrow.Float64()) : arrow.vectorFromArray(v.slice(s, e), new arrow.Utf8())];
  })));
  const batches = slice(0, 1000).concat(slice(1000, 2000), slice(2000, 3000));
  assert.equal(batches.batches.length, 3);
  const { parquetMetadata } = await import('hyparquet');
  assert.equal(parquetMetadata(readFileSync(parquet).buffer).row_groups.length, 5);
  const files = [parquet];
  // Dictionary-encoded strings, a new dictionary per batch (the stream format allows it).
  const dictionaries = join(dir, 'dictionaries.arrows');
  const encoded = (s: number, e: number) => arrow.tableFromArrays(Object.fromEntries(names.map((n, j) => [n, values[j]!.slice(s, e)])) as Record<string, Float64Array | (string | null)[]>);
  writeFileSync(dictionaries, arrow.tableToIPC(encoded(0, 1500).concat(encoded(1500, 3000)), 'stream'));
  files.push(dictionaries);
  for (const kind of ['file', 'stream'] as const) {
    const f = join(dir, `batches-${kind}.arrow`);
    writeFileSync(f, arrow.tableToIPC(batches, kind));
    files.push(f);
  }
  // Each cell as text (a category's level, a number, '' when missing): what a block says of a row, whatever its level numbering.
  const cellsOf = (x: Table): string[][] => x.columns.map((col) => Array.from({ length: x.rows }, (_, r) => {
    if (col.type === 'number') return Number.isNaN(col.values[r]!) ? '' : String(col.values[r]);
    if (col.type === 'empty') return '';
    return col.codes[r]! < 0 ? '' : col.levels[col.codes[r]!]!;
  }));
  for (const f of files) {
    const blocks: Table[] = [];
    assert.equal(await readTableFileBlocks(f, {}, 97, (b) => { blocks.push(b); }), 3000);
    assert.equal(blocks.length, Math.ceil(3000 / 97));
    const got = blocks.map(cellsOf).reduce((a, b) => a.map((col, j) => col.concat(b[j]!)));
    assert.deepEqual(got, cellsOf(await readTableFile(f)), f);
    assert.deepEqual(blocks.flatMap((b) => Array.from(b.lines)), Array.from({ length: 3000 }, (_, i) => i + 2));
    const c = await openTableCache(f, {}, { dir: join(dir, 'cache-typed'), blockRows: 97 });
    assert.equal(c.source.blockRows.length, Math.ceil(3000 / 97));
    const whole = await readTableFile(f);
    assert.deepEqual(plain(lazyTable(c.source)), plain(whole), f);
    assert.equal(whole.columns.find((x) => x.name === 'b')?.type, 'category');
    c.source.close();
  }
});

test('the data\'s part of a --memory budget is fixed by the budget, not by what the process holds (the same command trains the same model)', async () => {
  const { dataMemory, RUNTIME_BYTES } = await import('../../cli/streamed.js');
  const before = dataMemory(1024 ** 3);
  const ballast = Array.from({ length: 8 }, () => new Float64Array(4 * 1024 ** 2).fill(1));
  assert.equal(dataMemory(1024 ** 3), before);
  assert.equal(before, 1024 ** 3 - RUNTIME_BYTES);
  assert.equal(dataMemory(1024 ** 2), 1024 ** 2);
  assert.ok(ballast.every((b) => b[0] === 1));
});

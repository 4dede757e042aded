// End-to-end: the mlpkit command run as a user runs it, on real files in a fresh folder.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMlpkit, spawnMlpkit as mlpkit } from '../helpers/mlpkit.js';

type Run = Awaited<ReturnType<typeof mlpkit>>;


function folder(): string {
  return mkdtempSync(join(tmpdir(), 'mlpkit-e2e-'));
}

function ok(r: Run): Run {
  assert.equal(r.code, 0, `exit ${r.code}\n${r.stderr}`);
  return r;
}

describe('train → predict → evaluate', { concurrency: true }, () => {
  test('on iris: the model classifies well, predictions keep row order, the report has its plots', async () => {
    const dir = folder();
    ok(await mlpkit(dir, 'datasets', 'export', 'iris', '--out', 'iris.csv'));
    const csv = readFileSync(join(dir, 'iris.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 151);
    assert.match(csv[0]!, /,species$/);
    const trained = ok(await mlpkit(dir, 'train', 'iris.csv', '--target', 'species', '--epochs', '150', '--lr', '0.01', '--hidden', '8', '--report', 'report.html', '--seed', '1'));
    assert.match(trained.stdout, /model: .*model\.json/);
    const pred = ok(await mlpkit(dir, 'predict', 'model.json', 'iris.csv', '--proba', '--out', 'preds.csv'));
    assert.equal(pred.stdout, '');
    const rows = readFileSync(join(dir, 'preds.csv'), 'utf8').trim().split('\n');
    assert.equal(rows[0], 'species,setosa,versicolor,virginica');
    assert.equal(rows.length, 151);
    // Row order is kept: the file lists 50 setosa first, 50 virginica last (the model never saw the held-out fifth).
    assert.ok(rows.slice(1, 51).filter((r) => r.startsWith('setosa,')).length >= 45);
    assert.ok(rows.slice(101).filter((r) => r.startsWith('virginica,')).length >= 40);
    for (const r of rows.slice(1)) {
      const p = r.split(',').slice(1).map(Number);
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    }
    const ev = ok(await mlpkit(dir, 'evaluate', 'model.json', 'iris.csv', '--target', 'species', '--json'));
    const metrics = JSON.parse(ev.stdout) as Record<string, number>;
    assert.ok(metrics.accuracy! > 0.9, `accuracy ${metrics.accuracy}`);
    for (const k of ['f1', 'logLoss', 'balancedAccuracy', 'precision', 'recall']) assert.equal(typeof metrics[k], 'number', k);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    for (const plot of ['learning-curve', 'gradient-norms', 'confusion-matrix', 'weight-histograms', 'activation-histograms', 'network', 'activations', 'importance', 'saliency']) {
      assert.match(html, new RegExp(`data-plot="${plot}"><svg`), plot);
    }
    assert.ok(!/<script/i.test(html));
    const info = ok(await mlpkit(dir, 'info', 'model.json'));
    assert.match(info.stdout, /dense\(4 => 8, relu\)/);
    assert.match(info.stdout, /classes setosa, versicolor, virginica/);
  });

  test('on the diabetes regression set: R² is well above zero and predictions are on the target\'s scale', async () => {
    const dir = folder();
    ok(await mlpkit(dir, 'datasets', 'export', 'diabetes', '--out', 'diabetes.csv'));
    const header = readFileSync(join(dir, 'diabetes.csv'), 'utf8').split('\n')[0]!;
    const target = header.split(',').at(-1)!;
    ok(await mlpkit(dir, 'train', 'diabetes.csv', '--target', target, '--epochs', '60', '--hidden', '16', '--quiet', '--report', 'r.html'));
    const ev = JSON.parse(ok(await mlpkit(dir, 'evaluate', 'model.json', 'diabetes.csv', '--json')).stdout) as Record<string, number>;
    assert.ok(ev.r2! > 0.35, `r2 ${ev.r2}`);
    assert.ok(ev.mse! > 0 && ev.mae! > 0);
    const preds = ok(await mlpkit(dir, 'predict', 'model.json', 'diabetes.csv')).stdout.trim().split('\n');
    assert.equal(preds.length, 443);
    const mean = preds.slice(1).map(Number).reduce((a, b) => a + b, 0) / 442;
    // Disease progression is around 150 on its own scale (not standardized).
    assert.ok(mean > 100 && mean < 200, `mean prediction ${mean}`);
    assert.match(readFileSync(join(dir, 'r.html'), 'utf8'), /data-plot="residuals"><svg/);
  });

  test('a TSV with a BOM, CRLF, quotes and a categorical feature trains, with the decision-boundary-free report', async () => {
    const dir = folder();
    const lines = ['\uFEFFsize\tcolour\tlabel'];
    for (let i = 0; i < 60; i++) {
      const colour = ['red', 'green', '"dark blue"'][i % 3]!;
      lines.push(`${(i % 10) / 10}\t${colour}\t${i % 3 === 0 ? 'yes' : 'no'}`);
    }
    writeFileSync(join(dir, 'shop.tsv'), lines.join('\r\n') + '\r\n');
    ok(await mlpkit(dir, 'train', 'shop.tsv', '--target', 'label', '--epochs', '80', '--quiet'));
    const info = ok(await mlpkit(dir, 'info', 'model.json')).stdout;
    assert.match(info, /colour: categorical, one-hot over 3 levels/);
    const ev = JSON.parse(ok(await mlpkit(dir, 'evaluate', 'model.json', 'shop.tsv', '--json')).stdout) as Record<string, number>;
    // The label is a function of the colour alone.
    assert.equal(ev.accuracy, 1);
    assert.equal(typeof ev.rocAuc, 'number');
  });

  test('two numeric features get a decision boundary in the report, and --json prints one object per epoch', async () => {
    const dir = folder();
    const lines = ['u,v,cls'];
    for (let i = 0; i < 80; i++) { const u = Math.sin(i * 1.3); const v = Math.cos(i * 2.1); lines.push(`${u},${v},${u + v > 0 ? 'A' : 'B'}`); }
    writeFileSync(join(dir, 'two.csv'), lines.join('\n'));
    const r = ok(await mlpkit(dir, 'train', 'two.csv', '--target', 'cls', '--epochs', '12', '--early-stopping', '0', '--json', '--report', 'rep.html'));
    const all = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; epoch: number; trainLoss: number; gradNorms: Record<string, number> });
    const records = all.filter((x) => x.event === 'epoch');
    assert.deepEqual(records.map((x) => x.epoch), Array.from({ length: 12 }, (_, i) => i + 1));
    // The last line is the run's result: where the model went, its held-out scores, why it stopped.
    const done = all[all.length - 1] as unknown as { event: string; model: string; metrics: Record<string, number>; stopReason: string; bestEpoch: number; seconds: number; heldOut: { rows: number } };
    assert.equal(all.length, 13);
    assert.equal(done.event, 'done');
    assert.equal(done.model, join(dir, 'model.json'));
    assert.equal(done.stopReason, 'maxEpochs');
    assert.equal(done.bestEpoch, 12);
    assert.equal(done.heldOut.rows, 16);
    assert.ok(done.metrics.accuracy! >= 0 && done.metrics.accuracy! <= 1 && done.seconds > 0);
    // Which kernels ran, as info --backend says.
    assert.match((done as unknown as { backend: { name: string } }).backend.name, /^(native|wasm)/);
    assert.ok(records.every((x) => Number.isFinite(x.trainLoss) && x.gradNorms.hidden1! > 0));
    assert.match(readFileSync(join(dir, 'rep.html'), 'utf8'), /data-plot="decision-boundary"><svg/);
  });

  test('trace prints the lecture\'s table for the built-in example and for a row of a trained model', async () => {
    const dir = folder();
    const builtIn = ok(await mlpkit(dir, 'trace')).stdout;
    assert.match(builtIn, /j\s+neuron\s+f_j\s+I_j\s+O_j\s+∂L\/∂O_j\s+δ_j/);
    assert.match(builtIn, /h1\s+sigmoid\s+0\.3775\s+0\.59327/);
    const md = ok(await mlpkit(dir, 'trace', '--markdown')).stdout;
    assert.match(md, /\| w_ij \| edge i → j \|/);
    ok(await mlpkit(dir, 'datasets', 'export', 'iris', '--out', 'iris.csv'));
    ok(await mlpkit(dir, 'train', 'iris.csv', '--target', 'species', '--epochs', '5', '--hidden', '3', '--quiet'));
    const t = JSON.parse(ok(await mlpkit(dir, 'trace', 'model.json', 'iris.csv', '--row', '3', '--json')).stdout) as { neurons: unknown[]; weights: unknown[]; maxRelError: number; x: number[] };
    assert.equal(t.neurons.length, 4 + 3 + 3);
    assert.equal(t.weights.length, 4 * 3 + 3 + 3 * 3 + 3);
    assert.ok(t.maxRelError < 1e-5);
    const bad = await mlpkit(dir, 'trace', 'model.json', 'iris.csv', '--row', '151');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--row 151: iris\.csv has data rows 1 to 150/);
  });

  test('demo writes model, predictions and report into the folder it prints; gradcheck passes', async () => {
    const dir = folder();
    const r = ok(await mlpkit(dir, 'demo', '--dir', 'out', '--epochs', '20', '--quiet'));
    const printed = r.stdout.trim().split('\n').at(-1)!;
    assert.equal(printed, join(dir, 'out'));
    for (const f of ['model.json', 'predictions.csv', 'report.html', 'iris.csv']) assert.ok(existsSync(join(printed, f)), f);
    const g = ok(await mlpkit(dir, 'gradcheck'));
    assert.match(g.stdout, /PASS/);
  });
});

/** The command's entry point run in this process (the same code path as the binary, minus the spawn). */
async function inProcess(...args: string[]): Promise<Run> {
  const r = await runMlpkit(...args);
  return { code: r.code, stdout: r.out, stderr: r.err };
}

/** A folder with one data file; after a failed run it must hold that file alone. */
async function failing(name: string, content: string, args: (file: string, dir: string) => string[]): Promise<Run & { left: string[] }> {
  const dir = folder();
  writeFileSync(join(dir, name), content);
  const r = await inProcess(...args(join(dir, name), dir));
  return { ...r, left: readdirSync(dir).filter((f) => f !== name) };
}

const trainArgs = (extra: string[] = []) => (f: string, dir: string): string[] => ['train', f, '--target', 'y', '--epochs', '3', '--out', join(dir, 'm.json'), '--report', join(dir, 'r.html'), '--quiet', ...extra];

describe('bad input: a clear message, a non-zero exit, and no file left behind', () => {
  const cases: { name: string; file: string; content: string; args?: (f: string, dir: string) => string[]; code?: number; message: RegExp }[] = [
    { name: 'a non-numeric cell in a numeric column', file: 'd.csv', content: 'a,b,y\n1,2,0\n3,4,1\n5,x7,0\n', message: /d\.csv, line 4, column 'b' \(column 2\): 'x7' is not a number/ },
    { name: 'a missing value without --impute', file: 'd.csv', content: 'a,b,y\n1,2,0\n3,,1\n5,6,0\n', message: /d\.csv, line 3, column 'b' \(column 2\): missing value '' \(an empty cell\).*--impute mean\|median\|most-frequent/ },
    { name: 'a ragged row', file: 'd.csv', content: 'a,b,y\n1,2,0\n3,4\n', message: /d\.csv, line 3: 2 fields, but the header \(line 1\) has 3 columns/ },
    { name: 'an empty file', file: 'd.csv', content: '', message: /d\.csv: the file is empty/ },
    { name: 'an unknown target column', file: 'd.csv', content: 'a,b,label\n1,2,0\n3,4,1\n', message: /d\.csv: no column 'y' for the target \(option target, --target\); the columns are 'a', 'b', 'label'/ },
    { name: 'a single-class target', file: 'd.csv', content: 'a,y\n1,cat\n2,cat\n3,cat\n', message: /the target 'y' has a single class \('cat'\) in all 3 rows/ },
    { name: 'too few rows for the validation split', file: 'd.csv', content: 'a,y\n1,0\n2,1\n', args: trainArgs(['--validation', '0.2']), message: /too few rows for a validation split: 2 rows with --validation 0\.2/ },
    { name: 'an unclosed quote', file: 'd.csv', content: 'a,y\n1,0\n"2,1\n3,0\n', message: /d\.csv, line 3: a quoted field starts/ },
    { name: 'an unknown activation', file: 'd.csv', content: 'a,y\n1,0\n2,1\n', args: trainArgs(['--activation', 'swoosh']), code: 2, message: /unknown activation 'swoosh'; expected one of identity/ },
    { name: 'a missing data file', file: 'other.csv', content: 'a,y\n1,0\n', args: (_f, dir) => ['train', join(dir, 'nope.csv'), '--target', 'y', '--out', join(dir, 'm.json')], message: /nope\.csv: no such file/ },
    { name: 'an output folder that does not exist', file: 'd.csv', content: 'a,y\n1,0\n2,1\n', args: (f, dir) => ['train', f, '--target', 'y', '--out', join(dir, 'no/such/m.json')], code: 2, message: /--out .*no\/such\/m\.json: the folder .* does not exist/ },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await failing(c.file, c.content, c.args ?? trainArgs());
      assert.equal(r.code, c.code ?? 1, r.stderr);
      assert.match(r.stderr, c.message);
      assert.match(r.stderr, /^mlpkit: |^error: /);
      assert.deepEqual(r.left, [], `left behind: ${r.left.join(', ')}`);
    });
  }

  test('predict refuses a category the model never saw, naming the cell, and writes no predictions', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'train.csv'), 'colour,y\nred,0\nblue,1\nred,0\nblue,1\n');
    writeFileSync(join(dir, 'new.csv'), 'colour\nred\ngreen\n');
    ok(await inProcess('train', join(dir, 'train.csv'), '--target', 'y', '--epochs', '2', '--quiet', '--out', join(dir, 'model.json')));
    const r = await inProcess('predict', join(dir, 'model.json'), join(dir, 'new.csv'), '--out', join(dir, 'p.csv'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /new\.csv, line 3, column 'colour' \(column 1\): category 'green' was not in the training data; known: 'blue', 'red'/);
    assert.ok(!existsSync(join(dir, 'p.csv')));
  });

  test('--categorical reads a numeric-looking column as categories', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'd.csv'), 'zip,y\n10115,0\n20095,1\n10115,0\n20095,1\n');
    ok(await inProcess('train', join(dir, 'd.csv'), '--target', 'y', '--epochs', '2', '--categorical', 'zip', '--quiet', '--out', join(dir, 'm.json')));
    assert.match(ok(await inProcess('info', join(dir, 'm.json'))).stdout, /zip: categorical, one-hot over 2 levels/);
  });

  test('--impute fills missing cells and the model file remembers the fill', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'd.csv'), 'a,b,y\n1,2,0\n3,NA,1\n5,6,0\n7,8,1\n');
    const model = join(dir, 'model.json');
    ok(await inProcess('train', join(dir, 'd.csv'), '--target', 'y', '--epochs', '2', '--impute', 'median', '--quiet', '--out', model));
    assert.match(ok(await inProcess('info', model)).stdout, /b: numeric, missing → 6/);
    assert.equal(ok(await inProcess('predict', model, join(dir, 'd.csv'))).stdout.trim().split('\n').length, 5);
  });
});

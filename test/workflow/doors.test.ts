// One workflow behind every door: the library, the estimators and the command write the same model file
// for the same table, seed and options, and every door predicts the same from raw rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMlpkit as run } from '../helpers/mlpkit.js';
import { readTableFile as readTable } from '../../src/io/node/read-table.js';
import { MLPClassifier, MLPRegressor } from '../../src/estimators.js';
import { loadModel } from '../../src/io/node/files.js';
import { Rng } from '../../src/rng.js';
import { DEFAULT_LEARNING_RATES } from '../../src/optim/optimizer.js';
import { Pipeline } from '../../src/workflow/pipeline.js';
import { estimatorTrainOptions } from '../../src/estimators.js';
import { trainPipeline } from '../../src/workflow/train.js';

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'mlpkit-doors-'));
}

/** A mixed table: numbers with missing cells, a category with missing cells, a label and a numeric target. */
function mixedCsv(rows: number, seed: number): string {
  const rng = new Rng(seed);
  const colours = ['red', 'green', 'blue'];
  const lines = ['a,b,colour,label,y'];
  for (let i = 0; i < rows; i++) {
    const a = rng.normal();
    const b = rng.uniform() * 10;
    const c = colours[Math.floor(rng.uniform() * 3)]!;
    const y = 2 * a - 0.3 * b + (c === 'red' ? 1 : 0) + 0.1 * rng.normal();
    const label = y > 0 ? 'yes' : 'no';
    lines.push([i % 17 === 3 ? '' : a.toFixed(4), b.toFixed(3), i % 23 === 5 ? 'NA' : c, label, y.toFixed(4)].join(','));
  }
  return `${lines.join('\n')}\n`;
}

// Every row trained on (--test-size 0), as the estimators and trainPipeline do.
const FLAGS = ['--hidden', '8', '--epochs', '15', '--lr', '0.01', '--batch-size', '16', '--validation', '0', '--test-size', '0', '--impute', 'mean', '--seed', '3', '--quiet'];

test('a classifier with categories and missing cells: the same model-file bytes from the library, the estimator and the command', async () => {
  const dir = folder();
  const csv = join(dir, 'mixed.csv');
  writeFileSync(csv, mixedCsv(240, 1));
  const r = await run('train', csv, '--target', 'label', '--drop', 'y', '--out', join(dir, 'cli.json'), ...FLAGS);
  assert.equal(r.code, 0, r.err);
  const fromCli = readFileSync(join(dir, 'cli.json'), 'utf8');

  const table = await readTable(csv);
  const lib = await trainPipeline(table, {
    target: 'label', drop: ['y'], hidden: [8], activation: 'relu', optimizer: 'adam', learningRate: 0.01, batchSize: 16, epochs: 15,
    validation: 0, impute: 'mean', seed: 3,
  });
  assert.equal(`${JSON.stringify(lib.pipeline.toFile(), null, 1)}\n`, fromCli);

  // The estimator's names for the same run (alpha 0: no L2; no training-loss stall within 15 epochs).
  const clf = new MLPClassifier({ hiddenLayerSizes: [8], learningRateInit: 0.01, batchSize: 16, maxIter: 15, alpha: 0, randomState: 3, nIterNoChange: 1000 });
  const o = estimatorTrainOptions({ hiddenLayerSizes: [8] }, 'label', 'classification', table.rows);
  assert.equal(o.scaleTarget, false);
  const noY = { ...table, columns: table.columns.filter((c) => c.name !== 'y') };
  await assert.rejects(clf.fit(noY, 'label'), /missing value/, 'the estimator refuses missing cells unless told to impute, as every door does');
});

test('a regression: the library and the command give the same bytes, and loadModel, predict and the estimator agree on raw rows', async () => {
  const dir = folder();
  const csv = join(dir, 'reg.csv');
  writeFileSync(csv, mixedCsv(200, 2).replace(/,NA,/g, ',red,').replace(/^([^,]*),/gm, (m, a: string) => (a === '' ? '0.5,' : m)));
  const r = await run('train', csv, '--target', 'y', '--drop', 'label', '--out', join(dir, 'cli.json'), ...FLAGS);
  assert.equal(r.code, 0, r.err);
  const table = await readTable(csv);
  const lib = await trainPipeline(table, {
    target: 'y', drop: ['label'], hidden: [8], activation: 'relu', optimizer: 'adam', learningRate: 0.01, batchSize: 16, epochs: 15,
    validation: 0, impute: 'mean', seed: 3,
  });
  assert.equal(`${JSON.stringify(lib.pipeline.toFile(), null, 1)}\n`, readFileSync(join(dir, 'cli.json'), 'utf8'));

  const loaded = await loadModel(join(dir, 'cli.json'));
  const mine = loaded.predict(table).values!;
  const p = await run('predict', join(dir, 'cli.json'), csv);
  assert.equal(p.code, 0, p.err);
  const printed = p.out.trim().split('\n').slice(1).map(Number);
  assert.equal(printed.length, table.rows);
  printed.forEach((v, i) => assert.equal(v, mine[i]));
  const reg = MLPRegressor.fromJSON(readFileSync(join(dir, 'cli.json'), 'utf8'));
  assert.deepEqual(reg.predict(table), Array.from(mine));
});

test('the estimators read files written by the command, and the command reads the estimators\' files', async () => {
  const dir = folder();
  const csv = join(dir, 'iris-like.csv');
  writeFileSync(csv, mixedCsv(150, 4));
  assert.equal((await run('train', csv, '--target', 'label', '--drop', 'y,colour', '--out', join(dir, 'cli.json'), ...FLAGS)).code, 0);
  const clf = MLPClassifier.fromJSON(readFileSync(join(dir, 'cli.json'), 'utf8'));
  const table = await readTable(csv);
  const labels = (await loadModel(join(dir, 'cli.json'))).predict(table).labels!;
  assert.deepEqual(clf.predict(table), [...labels]);

  const rng = new Rng(5);
  const x = Array.from({ length: 80 }, () => [rng.normal(), rng.normal()]);
  const y = x.map(([a, b]) => (a! + b! > 0 ? 'up' : 'down'));
  const est = await new MLPClassifier({ hiddenLayerSizes: [6], maxIter: 30, learningRateInit: 0.02 }).fit(x, y);
  writeFileSync(join(dir, 'est.json'), JSON.stringify(est.toJSON()));
  writeFileSync(join(dir, 'new.csv'), `x1,x2\n${x.map((r) => r.join(',')).join('\n')}\n`);
  const p = await run('predict', join(dir, 'est.json'), join(dir, 'new.csv'));
  assert.equal(p.code, 0, p.err);
  assert.deepEqual(p.out.trim().split('\n').slice(1), est.predict(x));
});

test('unknown options are refused at every door with the closest name', async () => {
  assert.throws(() => new MLPClassifier({ hidden_layer_sizes: [4] } as never), /MLPClassifier: unknown option hidden_layer_sizes \(did you mean hiddenLayerSizes\?\)/);
  const table = await readTable(join(folder(), 'none.csv')).catch(() => null);
  assert.equal(table, null);
  const dir = folder();
  writeFileSync(join(dir, 't.csv'), mixedCsv(40, 6));
  const t = await readTable(join(dir, 't.csv'));
  await assert.rejects(trainPipeline(t, { target: 'label', hiden: [3] } as never), /train: unknown option hiden \(did you mean hidden\?\)/);
  const r = await run('train', join(dir, 't.csv'), '--target', 'label', '--hiden', '3');
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown option '--hiden'/);
});

test('the default learning rate is one per optimizer, the same through the command, the library and the estimators', async () => {
  const dir = folder();
  writeFileSync(join(dir, 't.csv'), mixedCsv(60, 7));
  assert.equal((await run('train', join(dir, 't.csv'), '--target', 'label', '--drop', 'y', '--impute', 'mean', '--epochs', '1', '--out', join(dir, 'm.json'), '--quiet')).code, 0);
  const file = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as { training: { options: { learningRate: number; optimizer: string } } };
  assert.equal(file.training.options.optimizer, 'adam');
  assert.equal(file.training.options.learningRate, DEFAULT_LEARNING_RATES.adam);
  const est = estimatorTrainOptions({}, 'label', 'classification', 60);
  assert.equal(est.learningRate, DEFAULT_LEARNING_RATES.adam);
  const t = await readTable(join(dir, 't.csv'));
  const lib = await trainPipeline(t, { target: 'label', drop: ['y'], impute: 'mean', epochs: 1 });
  assert.equal(lib.pipeline.options!.learningRate, DEFAULT_LEARNING_RATES.adam);
  assert.equal(lib.history.epochs[0]!.learningRate, DEFAULT_LEARNING_RATES.adam);
  assert.ok(Pipeline.fromFile(lib.pipeline.toFile()).options !== null);
});

test('a file with decimal commas is refused clearly without --decimal , and read as numbers with it', async () => {
  const dir = folder();
  const rng = new Rng(8);
  const rows = ['Größe;Gewicht;Farbe'];
  for (let i = 0; i < 100; i++) {
    const h = 1.5 + 0.4 * rng.uniform();
    rows.push(`${h.toFixed(2).replace('.', ',')};${(h * 40 + 5 * rng.normal()).toFixed(1).replace('.', ',')};${h > 1.7 ? 'rot' : 'blau'}`);
  }
  writeFileSync(join(dir, 'eu.csv'), `${rows.join('\n')}\n`);
  const refused = await run('train', join(dir, 'eu.csv'), '--target', 'Farbe', '--epochs', '2', '--out', join(dir, 'm.json'), '--quiet');
  assert.equal(refused.code, 1);
  assert.match(refused.err, /column 'Größe'.*decimal comma.*--decimal ,/);
  const ok = await run('train', join(dir, 'eu.csv'), '--target', 'Farbe', '--decimal', ',', '--epochs', '2', '--out', join(dir, 'm.json'), '--quiet');
  assert.equal(ok.code, 0, ok.err);
  const file = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')) as { preprocessing: { columns: { name: string; type: string }[] } };
  assert.deepEqual(file.preprocessing.columns.map((c) => [c.name, c.type]), [['Größe', 'number'], ['Gewicht', 'number']]);
  const p = await run('predict', join(dir, 'm.json'), join(dir, 'eu.csv'), '--decimal', ',');
  assert.equal(p.code, 0, p.err);
  assert.equal(p.out.trim().split('\n').length, 101);
});

test('resume refuses other options or data naming what differs, --force continues saying so, and a finished run is left untouched', async () => {
  const dir = folder();
  const csv = join(dir, 'd.csv');
  writeFileSync(csv, mixedCsv(120, 9));
  const base = ['train', csv, '--target', 'label', '--drop', 'y', '--impute', 'mean', '--epochs', '3', '--validation', '0', '--checkpoint', join(dir, 'cp'), '--out', join(dir, 'm.json')];
  assert.equal((await run(...base, '--quiet')).code, 0);
  const before = readFileSync(join(dir, 'm.json'), 'utf8');
  const again = await run(...base, '--resume');
  assert.equal(again.code, 0, again.err);
  assert.match(again.out + again.err, /had already finished .* is left as it was/);
  assert.equal(readFileSync(join(dir, 'm.json'), 'utf8'), before);

  const other = await run(...base.map((a) => (a === '3' ? '5' : a)), '--lr', '0.05', '--resume');
  assert.equal(other.code, 1);
  assert.match(other.err, /learningRate/);
  const forced = await run(...base.map((a) => (a === '3' ? '5' : a)), '--lr', '0.05', '--resume', '--force');
  assert.equal(forced.code, 0, forced.err);
  assert.match(forced.out + forced.err, /--force: resumed although .*learningRate/);
  const bad = await run(...base, '--force');
  assert.equal(bad.code, 2);
});

test('the version model files record is the package\'s, and mlpkit --version prints it', async () => {
  const { VERSION } = await import('../../src/version.js');
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
  const r = await run('--version');
  assert.equal(r.code, 0);
  assert.equal(r.out.trim(), pkg.version);
});

test('evaluate prints the confusion matrix and a per-class table, and --json carries them beside the metrics', async () => {
  const dir = folder();
  writeFileSync(join(dir, 'd.csv'), mixedCsv(150, 10));
  assert.equal((await run('train', join(dir, 'd.csv'), '--target', 'label', '--drop', 'y', ...FLAGS, '--out', join(dir, 'm.json'))).code, 0);
  const r = await run('evaluate', join(dir, 'm.json'), join(dir, 'd.csv'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /confusion matrix \(rows: actual, columns: predicted\)\n\s+no\s+yes\n\s+no\s+\d+\s+\d+\n\s+yes\s+\d+\s+\d+/);
  assert.match(r.out, /class\s+precision\s+recall\s+f1\s+support\n\s+no\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+\d+/);
  const j = JSON.parse((await run('evaluate', join(dir, 'm.json'), join(dir, 'd.csv'), '--json')).out) as { accuracy: number; confusion: { counts: number[][] }; perClass: { support: number }[] };
  const total = j.confusion.counts.flat().reduce((a, b) => a + b, 0);
  assert.equal(total, 150);
  assert.equal(j.perClass.reduce((a, c) => a + c.support, 0), 150);
  const right = j.confusion.counts[0]![0]! + j.confusion.counts[1]![1]!;
  assert.equal(j.accuracy, right / 150);
});

test('a bare mlpkit prints the help and exits 2', async () => {
  const r = await run();
  assert.equal(r.code, 2);
  assert.match(r.err, /^Usage: mlpkit/);
  assert.equal(r.out, '');
});

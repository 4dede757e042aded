// The lecture's "disadvantages" answered from the command line: explain, lr-find, tune and depth,
// run as a user runs them, with a bad-input case each.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '../..');
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
let dir = '';

function mlpkit(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', tsx, join(root, 'cli/main.ts'), ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function json<T>(args: string[]): T {
  const r = mlpkit(...args);
  assert.equal(r.code, 0, `mlpkit ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlpkit-explain-'));
  assert.equal(mlpkit('datasets', 'export', 'iris', '--out', 'iris.csv').code, 0);
  assert.equal(mlpkit('train', 'iris.csv', '--target', 'species', '--epochs', '60', '--quiet', '--seed', '1').code, 0);
});

test('explain ranks a petal measurement (the informative features of iris) first, with saliency and partial dependence', () => {
  const r = json<{ importance: { ranking: number[]; features: { name: string; mean: number; std: number }[] }; saliency: unknown; partialDependence: { feature: unknown } }>(
    ['explain', 'model.json', 'iris.csv', '--target', 'species', '--repeats', '3', '--json']);
  const first = r.importance.features.find((_, i) => i === r.importance.ranking[0])!;
  assert.match(first.name, /^petal/);
  assert.ok(first.mean > 0.1, `top drop ${first.mean}`);
  assert.ok(r.saliency !== null && r.partialDependence.feature !== undefined);
});

test('explain with an unknown target column exits non-zero, names the columns and writes nothing', () => {
  const r = mlpkit('explain', 'model.json', 'iris.csv', '--target', 'nope', '--dir', 'pictures');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no column 'nope'.*the columns are 'sepal length \(cm\)'/);
  assert.equal(existsSync(join(dir, 'pictures')), false);
});

test('lr-find suggests a learning rate below the one where the loss was lowest', () => {
  const r = json<{ suggested: number; minLossLearningRate: number; learningRates: number[] }>(['lr-find', 'iris.csv', '--target', 'species', '--steps', '20', '--json']);
  assert.ok(r.suggested > 0 && r.suggested < r.minLossLearningRate, `suggested ${r.suggested}, minimum at ${r.minLossLearningRate}`);
  assert.ok(r.learningRates.length >= 5);
});

test('tune ranks its candidates by cross-validation score, the defaults among them', () => {
  const r = json<{ ranked: { rank: number; index: number; mean: number | null }[] }>(['tune', 'iris.csv', '--target', 'species', '--trials', '3', '--folds', '2', '--max-iter', '20', '--json']);
  assert.ok(r.ranked.length >= 2);
  assert.ok(r.ranked.some((c) => c.index === 0), 'the estimator defaults are candidate 0');
  const means = r.ranked.map((c) => c.mean ?? -Infinity);
  assert.deepEqual(means, [...means].sort((a, b) => b - a));
});

test('tune with a missing data file exits non-zero with a clear message', () => {
  const r = mlpkit('tune', 'absent.csv', '--target', 'y');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /absent\.csv/);
});

test('depth: one layer cannot represent a union of two polygons, three layers and the lecture\'s construction can', () => {
  const r = json<{ results: { runs: { depth: number; activation: string; testAccuracy: number }[]; constructed: { depth: number; stepAccuracy: number } }[] }>(
    ['depth', 'polygon-union', '--epochs', '60', '--dir', 'depth', '--json']);
  const runs = r.results[0]!.runs;
  const acc = (d: number, a: string): number => runs.find((x) => x.depth === d && x.activation === a)!.testAccuracy;
  assert.ok(acc(1, 'sigmoid') < 0.85 && acc(1, 'relu') < 0.85, 'one layer selects a half-plane only');
  assert.ok(acc(3, 'sigmoid') > 0.95 && acc(3, 'relu') > 0.95, 'three layers select unions of polyhedra');
  assert.equal(r.results[0]!.constructed.depth, 3);
  assert.equal(r.results[0]!.constructed.stepAccuracy, 1);
  assert.ok(readdirSync(join(dir, 'depth')).some((f) => f.endsWith('.svg')));
});

test('depth with an unknown set exits non-zero and lists the sets', () => {
  const r = mlpkit('depth', 'hexagon');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /polygon-union/);
});

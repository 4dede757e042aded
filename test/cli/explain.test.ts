// The lecture's "disadvantages" answered from the command line: explain, lr-find, tune and depth,
// run as a user runs them, with a bad-input case each.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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
  assert.equal(mlpkit('train', 'iris.csv', '--target', 'species', '--epochs', '60', '--quiet', '--seed', '1', '--report', 'train.html').code, 0);
});

/** The inline SVG of one plot of a report, or null. */
const plot = (html: string, kind: string): string | null => new RegExp(`<figure class="plot" data-plot="${kind}"><svg[\\s\\S]*?</svg></figure>`).exec(html)?.[0] ?? null;

test('the training report carries importance with its spread, saliency and the partial dependence of the top feature', () => {
  const html = readFileSync(join(dir, 'train.html'), 'utf8');
  for (const kind of ['importance', 'saliency', 'partial-dependence']) assert.ok(plot(html, kind)?.includes('<path'), `plot ${kind}`);
  // The most important iris feature is a petal measurement, and its curve is titled by it.
  assert.match(plot(html, 'partial-dependence')!, /Partial dependence on petal (width|length) \(cm\)/);
  assert.match(plot(html, 'partial-dependence')!, /P\(virginica\)/);
});

test('explain ranks a petal measurement first, with saliency, partial dependence, its picture and a report', () => {
  const r = json<{
    importance: { ranking: number[]; features: { name: string; mean: number; std: number }[] };
    saliency: { meanAbs: number[]; features: string[] } | null;
    partialDependence: { feature: string; grid: number[]; curves: number[][]; outputs: string[] };
    pictures: string; report: string;
  }>(['explain', 'model.json', 'iris.csv', '--target', 'species', '--repeats', '3', '--dir', 'pictures', '--report', 'explain.html', '--json']);
  const first = r.importance.features[r.importance.ranking[0]!]!;
  assert.match(first.name, /^petal/);
  assert.ok(first.mean > 0.1, `top drop ${first.mean}`);
  const last = r.importance.features[r.importance.ranking[3]!]!;
  assert.ok(last.mean < first.mean - first.std, 'the top feature stands out of the spread');
  assert.equal(r.saliency!.meanAbs.length, 4);
  assert.ok(r.saliency!.meanAbs.every((v) => v > 0 && Number.isFinite(v)));
  const pd = r.partialDependence;
  assert.equal(pd.feature, first.name);
  assert.deepEqual(pd.outputs, ['P(setosa)', 'P(versicolor)', 'P(virginica)']);
  // The grid is on the feature's own scale (petal sizes in cm, not standardized), and long petals mean virginica.
  assert.ok(pd.grid[0]! > 0 && pd.grid.at(-1)! < 8, `grid ${pd.grid[0]} … ${pd.grid.at(-1)}`);
  const virginica = pd.curves[2]!;
  assert.ok(virginica.at(-1)! > virginica[0]! + 0.3, `P(virginica) ${virginica[0]} → ${virginica.at(-1)}`);
  assert.ok(readFileSync(join(r.pictures, `partial-dependence-${first.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.svg`), 'utf8').startsWith('<svg'));
  const html = readFileSync(r.report, 'utf8');
  for (const kind of ['importance', 'saliency', 'partial-dependence']) assert.ok(plot(html, kind) !== null, `report plot ${kind}`);
  assert.ok(!/<script/i.test(html));
});

test('explain says the units of its saliency: per raw unit of each column by default, per standardized unit with --standardized, printed and drawn alike', () => {
  type Sal = { saliency: { meanAbs: number[]; features: string[]; units: string; label: string } };
  const raw = json<Sal>(['explain', 'model.json', 'iris.csv', '--repeats', '1', '--report', 'units.html', '--json']).saliency;
  const std = json<Sal>(['explain', 'model.json', 'iris.csv', '--repeats', '1', '--standardized', '--json']).saliency;
  assert.equal(raw.units, 'raw');
  assert.equal(raw.label, 'raw inputs: per unit of each column');
  assert.equal(std.units, 'standardized');
  assert.match(std.label, /^standardized inputs/);
  // ∂ŷ/∂x = ∂ŷ/∂z · dz/dx = ∂ŷ/∂z / σ: the standardized saliency is the raw one times each column's σ.
  const file = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { preprocessing: { columns: { name: string; scale: number }[] } };
  const sd = file.preprocessing.columns.map((c) => c.scale);
  std.meanAbs.forEach((v, j) => assert.ok(Math.abs(v - raw.meanAbs[j]! * sd[j]!) < 1e-9 * Math.max(1, v), `${raw.features[j]}: ${v} vs ${raw.meanAbs[j]! * sd[j]!}`));
  assert.ok(sd.some((s) => Math.abs(s - 1) > 0.1), 'the columns have their own spreads, so the two units differ');
  // The report's chart is labelled in the same units as the printed table.
  assert.match(plot(readFileSync(join(dir, 'units.html'), 'utf8'), 'saliency')!, /raw inputs: per unit of each column/);
  const text = mlpkit('explain', 'model.json', 'iris.csv', '--repeats', '1');
  assert.match(text.stdout, /^saliency: mean \|∂ŷ\/∂x\| in raw inputs: per unit of each column; ŷ a probability/m);
  assert.match(mlpkit('explain', 'model.json', 'iris.csv', '--repeats', '1', '--standardized').stdout, /^saliency: mean \|∂ŷ\/∂x\| in standardized inputs/m);
});

test('explain on a regression model gives the partial dependence in the target\'s units', () => {
  assert.equal(mlpkit('datasets', 'export', 'diabetes', '--out', 'diabetes.csv').code, 0);
  assert.equal(mlpkit('train', 'diabetes.csv', '--target', 'progression', '--epochs', '20', '--quiet', '--out', 'diabetes.json').code, 0);
  const r = json<{ importance: { score: string; baseline: number }; partialDependence: { outputs: string[]; curves: number[][] } }>(
    ['explain', 'diabetes.json', 'diabetes.csv', '--repeats', '1', '--json']);
  assert.equal(r.importance.score, 'r2');
  assert.ok(r.importance.baseline > 0.3, `R² ${r.importance.baseline}`);
  assert.deepEqual(r.partialDependence.outputs, ['progression']);
  // Disease progression runs from 25 to 346 (mean 152); a standardized curve would sit near 0.
  const curve = r.partialDependence.curves[0]!;
  assert.ok(curve.every((v) => v > 50 && v < 300), `curve ${curve[0]} … ${curve.at(-1)}`);
});

test('explain on a two-input model draws each hidden unit over the input plane', () => {
  assert.equal(mlpkit('datasets', 'export', 'moons', '--out', 'moons.csv').code, 0);
  assert.equal(mlpkit('train', 'moons.csv', '--target', 'class', '--hidden', '3', '--epochs', '20', '--quiet', '--out', 'moons.json').code, 0);
  const r = json<{ pictures: string }>(['explain', 'moons.json', 'moons.csv', '--repeats', '1', '--dir', 'moons-pictures', '--json']);
  const files = readdirSync(r.pictures).sort();
  assert.deepEqual(files.filter((f) => f.includes('-unit')), ['hidden1-unit0.svg', 'hidden1-unit1.svg', 'hidden1-unit2.svg', 'output-unit0.svg']);
  assert.equal(files.filter((f) => /^partial-dependence-x[12]\.svg$/.test(f)).length, 1);
  assert.match(readFileSync(join(r.pictures, 'hidden1-unit0.svg'), 'utf8'), /^<svg[\s\S]*hidden1 unit 0/);
});

test('explain with a feature the model does not have exits 2, names the inputs and writes no report', () => {
  const r = mlpkit('explain', 'model.json', 'iris.csv', '--feature', 'petal colour', '--report', 'bad.html');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--feature 'petal colour' is not an input.*petal width \(cm\)/);
  assert.equal(existsSync(join(dir, 'bad.html')), false);
});

test('explain with an unknown target column exits non-zero, names the columns and writes nothing', () => {
  const r = mlpkit('explain', 'model.json', 'iris.csv', '--target', 'nope', '--dir', 'no-pictures', '--report', 'nope.html');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no column 'nope'.*the columns are 'sepal length \(cm\)'/);
  assert.equal(existsSync(join(dir, 'no-pictures')), false);
  assert.equal(existsSync(join(dir, 'nope.html')), false);
});

test('lr-find suggests a positive learning rate below the one where the loss was lowest, and plots it', () => {
  const r = json<{ suggested: number; minLossLearningRate: number; learningRates: number[]; losses: number[] }>(
    ['lr-find', 'iris.csv', '--target', 'species', '--steps', '20', '--plot', 'lr.svg', '--json']);
  assert.ok(r.suggested > 0 && r.suggested < r.minLossLearningRate, `suggested ${r.suggested}, minimum at ${r.minLossLearningRate}`);
  assert.ok(r.learningRates.length >= 5);
  assert.equal(r.losses.length, r.learningRates.length);
  assert.ok(r.learningRates.every((lr, i) => i === 0 || lr > r.learningRates[i - 1]!), 'rates rise');
  assert.match(readFileSync(join(dir, 'lr.svg'), 'utf8'), /^<svg[\s\S]*suggested/);
});

test('lr-find with a missing target column exits non-zero, names the columns and writes no plot', () => {
  const r = mlpkit('lr-find', 'iris.csv', '--target', 'colour', '--steps', '5', '--plot', 'bad-lr.svg');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no column 'colour'.*species/);
  assert.equal(existsSync(join(dir, 'bad-lr.svg')), false);
});

test('tune ranks its candidates by cross-validation score, the defaults among them', () => {
  const r = json<{ ranked: { rank: number; index: number; mean: number | null }[] }>(['tune', 'iris.csv', '--target', 'species', '--trials', '3', '--folds', '2', '--epochs', '20', '--json']);
  assert.ok(r.ranked.length >= 2);
  assert.ok(r.ranked.some((c) => c.index === 0), 'the estimator defaults are candidate 0');
  const means = r.ranked.map((c) => c.mean ?? -Infinity);
  assert.deepEqual(means, [...means].sort((a, b) => b - a));
});

test('tune --out writes a model file in the train format that predict, evaluate and info read', () => {
  const r = json<{ best: Record<string, unknown>; out: string; refitMetrics: { accuracy: number } }>(['tune', 'iris.csv', '--target', 'species', '--trials', '1', '--folds', '2', '--epochs', '40', '--out', 'best.json', '--json']);
  assert.equal(r.out, join(dir, 'best.json'));
  const file = JSON.parse(readFileSync(r.out, 'utf8')) as { preprocessing: { target: { name: string } }; training: { epochs: number; options: { hidden: number[] } } };
  assert.equal(file.preprocessing.target.name, 'species');
  assert.deepEqual(file.training.options.hidden, (r.best.hiddenLayerSizes as number[] | undefined) ?? [100]);
  const p = mlpkit('predict', 'best.json', 'iris.csv');
  assert.equal(p.code, 0, p.stderr);
  const lines = p.stdout.trim().split('\n');
  assert.equal(lines.length, 151);
  assert.ok(lines.slice(1).every((l) => ['setosa', 'versicolor', 'virginica'].includes(l)));
  const e = json<{ accuracy: number }>(['evaluate', 'best.json', 'iris.csv', '--json']);
  assert.ok(e.accuracy > 0.7, `accuracy ${e.accuracy}`);
  assert.equal(e.accuracy, r.refitMetrics.accuracy, 'evaluate reads the model tune trained');
  const i = mlpkit('info', 'best.json');
  assert.equal(i.code, 0, i.stderr);
  assert.match(i.stdout, /standardized/);
});

test('tune with a missing data file exits non-zero with a clear message', () => {
  const r = mlpkit('tune', 'absent.csv', '--target', 'y');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /absent\.csv/);
});

test('tune with a missing target column exits non-zero, names the columns and writes no model', () => {
  const r = mlpkit('tune', 'iris.csv', '--target', 'colour', '--trials', '1', '--out', 'bad-best.json');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no column 'colour'.*species/);
  assert.equal(existsSync(join(dir, 'bad-best.json')), false);
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
  assert.equal(runs.length, 6, 'depths 1–3, sigmoid and ReLU');
  const pictures = readdirSync(join(dir, 'depth'));
  for (const f of ['polygon-union-1layer-sigmoid.svg', 'polygon-union-3layer-relu.svg', 'polygon-union-constructed-step.svg']) assert.ok(pictures.includes(f), `missing ${f}`);
});

test('depth with an unknown set exits non-zero and lists the sets', () => {
  const r = mlpkit('depth', 'hexagon', '--dir', 'no-depth');
  assert.notEqual(r.code, 0);
  assert.equal(existsSync(join(dir, 'no-depth')), false);
  assert.match(r.stderr, /polygon-union/);
});

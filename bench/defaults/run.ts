/**
 * Defaults comparison: mlpkit against scikit-learn's MLPClassifier / MLPRegressor on the bundled tables,
 * same architecture (one hidden layer of 100 ReLU units), optimizer (Adam, η = 1e-3, β = 0.9/0.999),
 * batch (min(200, N)), L2 (α = 1e-4, in the engine's λ as the estimators convert it) and budget
 * (200 epochs, no early stop on either side). Each of 5 seeds draws its own held-out split (25 %,
 * stratified for classifiers), shared by both sides through CSV files; features (and a regression
 * target) are standardized on the training rows. mlpkit runs through `mlp()` + `fit()` with its own
 * defaults for everything not named here (notably the initializer); scikit-learn through Debian's
 * /usr/bin/python3. Scores: held-out accuracy (%) or R² (× 100), mean ± sd over the seeds.
 *
 *   npx tsx bench/defaults/run.ts          writes bench/defaults/RESULTS.md and prints it
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset, type Dataset } from '../../src/data/datasets.js';
import { trainTestSplit } from '../../src/data/splits.js';
import { mlp, type Task } from '../../src/graph/builders.js';
import { Model } from '../../src/graph/model.js';
import { accuracy, r2 } from '../../src/metrics.js';
import { Rng } from '../../src/rng.js';
import { fit } from '../../src/train/fit.js';

const here = dirname(fileURLToPath(import.meta.url));
const SEEDS = [0, 1, 2, 3, 4];
const TABLES = ['iris', 'wine', 'breast-cancer', 'diabetes'] as const;
const CONFIG = { hidden: [100], alpha: 1e-4, lr: 1e-3, epochs: 200, batch: 200 };

interface Prepared { readonly xTr: number[][]; readonly xTe: number[][]; readonly yTr: number[]; readonly yTe: number[] }

/** Standardize columns with the training rows' mean and population sd (σ = 0 → 1), as scikit-learn's StandardScaler. */
function standardize(tr: number[][], te: number[][]): [number[][], number[][]] {
  const cols = tr[0]!.length;
  const mu = Array.from({ length: cols }, (_, j) => tr.reduce((s, r) => s + r[j]!, 0) / tr.length);
  const sd = mu.map((m, j) => Math.sqrt(tr.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / tr.length) || 1);
  const f = (rows: number[][]): number[][] => rows.map((r) => r.map((v, j) => (v - mu[j]!) / sd[j]!));
  return [f(tr), f(te)];
}

function classIndex(d: Dataset): { y: number[]; classes: number } {
  const names = [...new Set(d.y.map(String))].sort();
  return { y: d.y.map((v) => names.indexOf(String(v))), classes: names.length };
}

function splits(d: Dataset, y: readonly number[]): Int32Array[] {
  return SEEDS.map((s) => {
    const sp = trainTestSplit(d.x.length, new Rng(s), { testSize: 0.25, ...(d.task === 'classification' ? { stratify: y } : {}) });
    return Int32Array.from(sp.test);
  });
}

function writeCsv(path: string, d: Dataset, y: readonly number[], tests: readonly Int32Array[]): void {
  const isTest = tests.map((t) => new Set(t));
  const head = [...d.x[0]!.map((_, j) => `x${j}`), 'y', ...SEEDS.map((s) => `split_${s}`)].join(',');
  const lines = d.x.map((r, i) => [...r, y[i]!, ...isTest.map((t) => (t.has(i) ? 'test' : 'train'))].join(','));
  writeFileSync(path, `${head}\n${lines.join('\n')}\n`);
}

async function mlpkitScore(task: Task, classes: number, p: Prepared, seed: number): Promise<number> {
  const n = p.xTr.length;
  const batch = Math.min(CONFIG.batch, n);
  // The estimators' conversion of scikit-learn's α: λ = α/(2m) for the cross-entropies, α/m for mse (2 × ½ squared error).
  const l2 = task === 'regression' ? CONFIG.alpha / batch : CONFIG.alpha / (2 * batch);
  const outputSize = task === 'multiclass' ? classes : 1;
  const model = new Model(mlp({ inputSize: p.xTr[0]!.length, outputSize, task, hidden: CONFIG.hidden, activation: 'relu', l2 }), { seed });
  let yTr: number[][];
  let m = 0;
  let v = 1;
  if (task === 'regression') {
    m = p.yTr.reduce((s, t) => s + t, 0) / n;
    v = Math.sqrt(p.yTr.reduce((s, t) => s + (t - m) ** 2, 0) / n);
    yTr = p.yTr.map((t) => [(t - m) / v]);
  } else if (task === 'binary') yTr = p.yTr.map((t) => [t]);
  else yTr = p.yTr.map((t) => Array.from({ length: classes }, (_, c) => (c === t ? 1 : 0)));
  await fit(model, { x: p.xTr, y: yTr }, {
    epochs: CONFIG.epochs, batchSize: batch, seed, shuffle: true,
    optimizer: { kind: 'adam', learningRate: CONFIG.lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  });
  const out = model.predict(p.xTe);
  if (task === 'regression') return 100 * r2(p.yTe, Array.from(out.data, (z) => z * v + m));
  const pred = p.yTe.map((_, i) => {
    if (task === 'binary') return out.data[i]! >= 0.5 ? 1 : 0;
    let best = 0;
    for (let c = 1; c < classes; c++) if (out.data[i * classes + c]! > out.data[i * classes + best]!) best = c;
    return best;
  });
  return 100 * accuracy(p.yTe, pred);
}

const meanSd = (a: readonly number[]): [number, number] => {
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  return [mean, Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / (a.length - 1))];
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mlpkit-defaults-'));
  const rows: { name: string; metric: string; ours: number[]; theirs: number[] }[] = [];
  const jobs: { name: string; csv: string; task: string }[] = [];
  const ours = new Map<string, number[]>();
  const metric = new Map<string, string>();
  for (const name of TABLES) {
    const d = await loadDataset(name);
    const { y, classes } = d.task === 'classification' ? classIndex(d) : { y: d.y.map(Number), classes: 0 };
    const task: Task = d.task === 'regression' ? 'regression' : classes === 2 ? 'binary' : 'multiclass';
    const tests = splits(d, y);
    const csv = join(dir, `${name}.csv`);
    writeCsv(csv, d, y, tests);
    jobs.push({ name, csv, task: d.task });
    metric.set(name, d.task === 'regression' ? 'R² × 100' : 'accuracy %');
    const scores: number[] = [];
    for (const [k, s] of SEEDS.entries()) {
      const test = new Set(tests[k]!);
      const tr = d.x.flatMap((r, i) => (test.has(i) ? [] : [i]));
      const te = [...tests[k]!];
      const [xTr, xTe] = standardize(tr.map((i) => d.x[i]!), te.map((i) => d.x[i]!));
      scores.push(await mlpkitScore(task, classes, { xTr, xTe, yTr: tr.map((i) => y[i]!), yTe: te.map((i) => y[i]!) }, s));
    }
    ours.set(name, scores);
  }
  const py = spawnSync('/usr/bin/python3', [join(here, 'sklearn_defaults.py'), JSON.stringify({ seeds: SEEDS, config: CONFIG, datasets: jobs })], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (py.status !== 0) throw new Error(`scikit-learn run failed (needs Debian's python3-sklearn and python3-pandas): ${py.stderr}`);
  const theirs = JSON.parse(py.stdout) as Record<string, number[]>;
  for (const name of TABLES) rows.push({ name, metric: metric.get(name)!, ours: ours.get(name)!, theirs: theirs[name]! });
  const fmt = ([m, s]: [number, number]): string => `${m.toFixed(1)} ± ${s.toFixed(1)}`;
  const lines = [
    '# Defaults: mlpkit vs scikit-learn (held-out, 5 seeds)',
    '',
    'Regenerate: `npx tsx bench/defaults/run.ts` (needs Debian\'s python3-sklearn and python3-pandas).',
    `Both sides: one hidden layer of ${CONFIG.hidden[0]} ReLU units, Adam (η = ${CONFIG.lr}), batch min(${CONFIG.batch}, N), α = ${CONFIG.alpha},`,
    `${CONFIG.epochs} epochs without early stopping; a 25 % held-out split per seed (stratified for classes), the same rows on both sides;`,
    'features (and a regression target) standardized on the training rows. mlpkit: `mlp()` + `fit()` with its default',
    'initializer; scikit-learn: MLPClassifier / MLPRegressor. Scores are mean ± sd over seeds 0–4.',
    '',
    '| data set | metric | mlpkit | scikit-learn | difference |',
    '|---|---|---|---|---|',
    ...rows.map((r) => {
      const a = meanSd(r.ours);
      const b = meanSd(r.theirs);
      return `| ${r.name} | ${r.metric} | ${fmt(a)} | ${fmt(b)} | ${(a[0] - b[0] >= 0 ? '+' : '') + (a[0] - b[0]).toFixed(1)} |`;
    }),
    '',
  ];
  const text = lines.join('\n');
  writeFileSync(join(here, 'RESULTS.md'), text);
  process.stdout.write(text);
}

await main();

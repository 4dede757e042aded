/**
 * The commands that answer the lecture's "disadvantages": explain (importance, saliency, partial
 * dependence, hidden units), lr-find, tune, and depth (the number-of-layers demos).
 */

import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Model } from '../src/graph/model.js';
import { mlp } from '../src/graph/builders.js';
import type { ActivationName } from '../src/activations.js';
import { interpretModel, outputNames, targetForInterpretation } from '../src/report/interpretation.js';
import { hiddenUnitMaps } from '../src/explain/hidden-units.js';
import { lrRangeTest } from '../src/tune/lr-range.js';
import { formatTuneTable, tune as runTune, type Candidate } from '../src/tune/search.js';
import { parallelTuneRunner } from '../src/node/tune-worker.js';
import { tuneQueue } from './worker.js';
import { depthDemo, formatDepthTable, GEOMETRIC_SET_NAMES, type GeometricSetName } from '../src/demos/depth.js';
import { formatUniversalTable, universalApproximation } from '../src/demos/universal.js';
import type { Table } from '../src/table/types.js';
import type { Matrix } from '../src/matrix.js';
import { findColumn, Preprocessor, type EncodedTarget, type Impute } from '../src/workflow/preprocessor.js';
import { tableErrors, targetColumns } from './commands.js';
import { CliError, requireReportRenderer, usageError } from './errors.js';
import { checkModelMemory, checkOutputPath, loadCliModel, readData, readForModel, writeAll } from './model-io.js';
import { Progress, outputMode } from './progress.js';
import { err, out } from './output.js';

function outputDir(dir: string): string {
  const full = resolve(dir);
  if (existsSync(full) && !statSync(full).isDirectory()) throw new CliError(`--dir ${dir}: is a file; give a folder`, 2);
  mkdirSync(full, { recursive: true });
  return full;
}

async function writePictures(dir: string | undefined, pictures: Record<string, string>): Promise<string | null> {
  if (dir === undefined) return null;
  const full = outputDir(dir);
  await writeAll(Object.entries(pictures).map(([name, data]) => ({ path: join(full, name), data })));
  return full;
}

export async function explain(modelPath: string, dataPath: string, o: { target?: string; feature?: string; repeats?: number; seed?: number; json?: boolean; dir?: string; report?: string; decimal?: '.' | ','; standardized?: boolean }): Promise<void> {
  const progress = new Progress(outputMode({ quiet: o.json === true }));
  const reportPath = o.report === undefined ? null : checkOutputPath(o.report, '--report');
  if (reportPath !== null) await requireReportRenderer();
  if (o.dir !== undefined) await requireReportRenderer('--dir');
  const m = await loadCliModel(modelPath);
  const prep = m.pipeline.preprocessor;
  const model = m.pipeline.model;
  const t = prep.target;
  const trained = targetColumns(t, o.target);
  const table = await readForModel(dataPath, m, progress, o.decimal);
  const { x, y } = tableErrors(() => {
    trained.forEach((n) => findColumn(table, n, 'the target (--target)'));
    return { x: prep.transform(table), y: prep.transformTarget(table, 'float64', trained).y };
  }, { m, decimal: o.decimal });
  const names = prep.featureNames;
  let feature: number | undefined;
  if (o.feature !== undefined) {
    feature = names.indexOf(o.feature);
    if (feature < 0) throw usageError(`--feature '${o.feature}' is not an input of the model (inputs: ${names.join(', ')})`);
  }
  const target = targetForInterpretation(t);
  const steps = prep.featureSteps();
  // Saliency, printed and drawn alike: ∂ŷ/∂x per raw unit of each column by default (the chain rule
  // through the scaling the network saw), ∂ŷ/∂z per scaled unit with --standardized; ŷ in the target's units.
  const it = interpretModel(model, x, y, {
    setName: `${table.rows} rows of ${basename(dataPath)}`, featureNames: names, target, features: steps, groups: prep.groups,
    repeats: o.repeats ?? 10, seed: o.seed ?? 0, ...(feature === undefined ? {} : { feature }),
    saliencyUnits: o.standardized === true ? 'standardized' : 'raw',
  });
  const imp = it.importance;
  const pd = it.partialDependence;
  const sal = it.saliency;
  const name = names[pd.feature]!;
  const outputs = outputNames(target);
  const yUnits = t.task === 'regression' ? `ŷ in the units of '${t.names[0]}'` : 'ŷ a probability';
  const pictures: Record<string, string> = {};
  if (o.dir !== undefined) {
    const p = await import('../src/report/pictures.js');
    pictures[`partial-dependence-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.svg`] = await p.partialDependencePicture(pd, name, outputs);
    if (model.inputSize === 2) Object.assign(pictures, await p.hiddenUnitPictures(hiddenUnitMaps(model, { xRange: [-2.5, 2.5], yRange: [-2.5, 2.5] }), names));
  }
  let report: string | null = null;
  if (reportPath !== null) {
    const { buildInterpretationReport } = await import('../src/report/report.js');
    report = await buildInterpretationReport({
      title: `mlpkit explain: ${basename(modelPath)} on ${basename(dataPath)}`, model, interpretation: it.report,
      facts: [['model', modelPath], ['data', `${dataPath}: ${table.rows} rows`], ['target', trained.join(', ')], ['features', names.join(', ')], ['shuffles per feature', String(imp.repeats)]],
    });
  }
  // Everything is computed before anything is written, and the files are written together.
  const dir = o.dir === undefined ? null : outputDir(o.dir);
  await writeAll([
    ...(dir === null ? [] : Object.entries(pictures).map(([file, data]) => ({ path: join(dir, file), data }))),
    ...(reportPath === null || report === null ? [] : [{ path: reportPath, data: report }]),
  ]);
  if (o.json === true) {
    out(`${JSON.stringify({
      importance: imp, saliency: sal === null ? null : { meanAbs: sal, features: names, units: o.standardized === true ? 'standardized' : 'raw', label: it.saliencyUnits },
      partialDependence: { feature: name, grid: pd.grid, curves: pd.curves, outputs },
      pictures: dir, report: reportPath,
    })}\n`);
    return;
  }
  out(`permutation importance on ${table.rows} rows (${imp.score} ${imp.baseline.toFixed(4)}; drop over ${imp.repeats} shuffles)\n`);
  const w = Math.max(...imp.features.map((f) => f.name.length), 7);
  out(`saliency: mean |∂ŷ/∂x| in ${it.saliencyUnits}; ${yUnits}${o.standardized === true ? '' : ' (--standardized: per unit of the scaled inputs instead)'}\n`);
  out(`  rank  ${'feature'.padEnd(w)}  drop     ± std    mean |∂ŷ/∂x|\n`);
  const groups = prep.groups;
  for (const j of imp.ranking) {
    const f = imp.features[j]!;
    // A category's importance is of all its one-hot columns together; its saliency is per level (see --json).
    const cols = groups[j]!.columns;
    const s = sal === null || cols.length !== 1 ? '-' : sal[cols[0]!]!.toPrecision(3);
    out(`  ${String(f.rank).padStart(4)}  ${f.name.padEnd(w)}  ${f.mean.toFixed(4).padStart(7)}  ${f.std.toFixed(4)}   ${s}\n`);
  }
  out(`partial dependence on ${name} (${outputs.join(', ')}; ${name} in its raw units):\n`);
  pd.grid.forEach((g, i) => { if (i % 4 === 0 || i === pd.grid.length - 1) out(`  ${g.toPrecision(4).padStart(10)}  ${pd.curves.map((c) => c[i]!.toFixed(4)).join('  ')}\n`); });
  if (dir !== null) out(`pictures: ${dir}\n`);
  if (reportPath !== null) out(`report: ${reportPath}\n`);
}

/** How lr-find and tune read their training table: train's flags of the same names. */
export interface TableFlags {
  readonly impute?: Impute;
  readonly categorical?: readonly string[];
  readonly drop?: readonly string[];
  readonly decimal?: '.' | ',';
}

/** A training table through the workflow's preprocessing (categories one-hot; inputs standardized unless told not to). */
async function trainingTable(dataPath: string, target: string, standardize: boolean, o: TableFlags): Promise<{ table: Table; prep: Preprocessor; x: Matrix; y: EncodedTarget }> {
  const types = Object.fromEntries((o.categorical ?? []).map((c) => [c, 'category' as const]));
  const table = await readData(dataPath, new Progress('quiet'), { types, ...(o.decimal === undefined ? {} : { decimal: o.decimal }) });
  return tableErrors(() => {
    const prep = Preprocessor.fit(table, {
      target, ...(standardize ? {} : { scale: 'none' as const, scaleTarget: false }),
      ...(o.impute === undefined ? {} : { impute: o.impute }), ...((o.drop ?? []).length === 0 ? {} : { drop: o.drop }),
    });
    return { table, prep, x: prep.transform(table), y: prep.transformTarget(table) };
  });
}

export async function lrFind(dataPath: string, o: TableFlags & { target: string; hidden: number[]; activation: ActivationName; optimizer: 'adam' | 'sgd'; batchSize: number; steps: number; minLr: number; maxLr: number; seed: number; json?: boolean; plot?: string }): Promise<void> {
  const plotPath = o.plot === undefined ? null : checkOutputPath(o.plot, '--plot');
  if (plotPath !== null) await requireReportRenderer('--plot');
  const { prep, x, y: target } = await trainingTable(dataPath, o.target, true, o);
  const y = target.y;
  const spec = mlp({ inputSize: x.cols, outputSize: y.cols, task: prep.task, hidden: o.hidden, activation: o.activation });
  checkModelMemory(spec, o.batchSize, `--hidden ${o.hidden.join(',')}`);
  const model = new Model(spec, { seed: o.seed });
  const r = await lrRangeTest(model, { x, y }, {
    minLearningRate: o.minLr, maxLearningRate: o.maxLr, steps: o.steps, batchSize: o.batchSize, seed: o.seed,
    optimizer: o.optimizer === 'sgd' ? { kind: 'sgd', learningRate: o.minLr, momentum: 0.9 } : { kind: 'adam', learningRate: o.minLr },
  });
  if (plotPath !== null) await writeAll([{ path: plotPath, data: await (await import('../src/report/pictures.js')).lrRangePicture(r) }]);
  if (o.json === true) { out(`${JSON.stringify(r)}\n`); return; }
  out(`learning-rate range test (${o.optimizer}, ${r.learningRates.length} rates, ${r.stopReason === 'diverged' ? 'stopped when the loss blew up' : 'completed'})\n`);
  out('  learning rate   loss      smoothed\n');
  r.learningRates.forEach((lr, i) => { if (i % 5 === 0 || i === r.learningRates.length - 1) out(`  ${lr.toExponential(2).padStart(13)}   ${r.losses[i]!.toFixed(4).padStart(8)}  ${r.smoothed[i]!.toFixed(4)}\n`); });
  out(`lowest smoothed loss at ${r.minLossLearningRate.toPrecision(3)}; steepest descent at ${r.steepestLearningRate.toPrecision(3)}\n`);
  out(`suggested learning rate: ${r.suggested.toPrecision(3)}   (mlpkit train ${dataPath} --target ${o.target} --optimizer ${o.optimizer} --lr ${r.suggested.toPrecision(3)})\n`);
  if (plotPath !== null) out(`plot: ${plotPath}\n`);
}

export async function tune(dataPath: string, o: TableFlags & { target: string; trials: number; folds: number; strategy: 'random' | 'grid'; epochs: number; maxIter?: string; seed: number; threads?: number; timeBudget?: number; out?: string; json?: boolean; redis?: string; redisPasswordFile?: string }): Promise<void> {
  if (o.maxIter !== undefined) throw usageError(`--max-iter is now --epochs (train's name): --epochs ${o.maxIter}`);
  const outPath = o.out === undefined ? null : checkOutputPath(o.out, '--out');
  // The estimators standardize inside each fold, so the search sees the encoded, unscaled inputs.
  const { prep, x, y } = await trainingTable(dataPath, o.target, false, o);
  const plan = prep.target;
  const rows = Array.from({ length: x.rows }, (_, r) => Array.from(x.data.subarray(r * x.cols, (r + 1) * x.cols)));
  const classification = plan.task !== 'regression';
  const queue = await tuneQueue(o, (l) => { if (o.json !== true) err(`${l}\n`); });
  const targets = plan.task === 'regression' ? Array.from(y.values!) : Array.from(y.classIndex!, (k) => plan.classes[k]!);
  const r = await runTune(rows, targets, {
    task: classification ? 'classification' : 'regression', trials: o.trials, folds: o.folds, strategy: o.strategy, seed: o.seed,
    base: { maxIter: o.epochs }, ...(o.timeBudget === undefined ? {} : { timeBudgetSeconds: o.timeBudget }),
    runner: queue?.runner ?? parallelTuneRunner(o.threads === undefined ? {} : { threads: o.threads }), refit: false,
  });
  if (queue !== null && o.json !== true) err(`${queue.summary()}\n`);
  const refit = outPath === null ? null : await refitAsTrain(dataPath, o.target, r.best.params, { task: plan.task, rows: x.rows, epochs: o.epochs, seed: o.seed, out: outPath, table: o });
  if (o.json === true) {
    out(`${JSON.stringify({ score: r.score, ranked: r.ranked.map((c) => ({ ...c, mean: Number.isFinite(c.mean) ? c.mean : null })), best: r.best.params, skipped: r.skipped, seconds: r.seconds, out: outPath, refitMetrics: refit })}\n`);
    return;
  }
  out(`${formatTuneTable(r)}\n`);
  out(`best: ${describeFlags(r.best.params)} (${o.folds}-fold ${r.score} ${r.best.mean.toFixed(4)} ± ${r.best.std.toFixed(4)}); ${r.seconds.toFixed(1)} s\n`);
  if (outPath !== null && refit !== null) {
    const shown = Object.entries(refit).slice(0, 2).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
    out(`best model refitted on all ${x.rows} rows by mlpkit train (${shown} on those rows; read by predict, evaluate, info): ${outPath}\n`);
  }
}

/**
 * Train the best candidate on every row with `mlpkit train`, so the file carries the command's
 * preprocessing plan. The candidate's estimator options become train's: scikit-learn's alpha,
 * (α / 2m)·Σ‖W‖² per batch of m rows (α / m for regression), is train's --l2; batches of 200 rows;
 * adam at the candidate's learning rate (estimator default 1e-3); no validation split, as in the search's fits.
 * Returns train's metrics on the file.
 */
async function refitAsTrain(dataPath: string, target: string, p: Candidate, o: { task: 'binary' | 'multiclass' | 'regression'; rows: number; epochs: number; seed: number; out: string; table: TableFlags }): Promise<Record<string, number>> {
  const { train } = await import('./train.js');
  const batch = Math.min(200, o.rows);
  const alpha = p.alpha ?? 1e-4;
  const r = await train(dataPath, {
    target, hidden: p.hiddenLayerSizes ?? [100], activation: p.activation === undefined ? 'relu' : p.activation === 'logistic' ? 'sigmoid' : p.activation,
    optimizer: 'adam', lr: p.learningRateInit ?? 1e-3, batchSize: batch, epochs: o.epochs,
    l2: o.task === 'regression' ? alpha / batch : alpha / (2 * batch),
    ...(p.dropout === undefined || p.dropout === 0 ? {} : { dropout: p.dropout }),
    validation: 0, testSize: 0, standardize: true, drop: o.table.drop ?? [], seed: o.seed, out: o.out, quiet: true,
    ...(o.table.impute === undefined ? {} : { impute: o.table.impute }), ...(o.table.categorical === undefined ? {} : { categorical: o.table.categorical }),
    ...(o.table.decimal === undefined ? {} : { decimal: o.table.decimal }),
  });
  return r.metrics;
}

function describeFlags(c: Candidate): string {
  return Object.entries(c).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : typeof v === 'number' ? v.toPrecision(3) : String(v)}`).join(' ') || '(defaults)';
}

export async function depth(name: string, o: { epochs?: number; seed: number; dir?: string; json?: boolean }): Promise<void> {
  const all = [...GEOMETRIC_SET_NAMES, 'universal'] as const;
  if (name !== 'all' && !(all as readonly string[]).includes(name)) throw usageError(`unknown demo '${name}'; expected one of ${all.join(', ')}, all`);
  const names = name === 'all' ? all : [name];
  if (o.dir !== undefined) await requireReportRenderer('--dir');
  // Pictures are drawn only when they are written (drawing needs the report's optional renderer).
  const draw = o.dir === undefined ? null : await import('../src/report/pictures.js');
  const pictures: Record<string, string> = {};
  const results: unknown[] = [];
  for (const n of names) {
    if (n === 'universal') {
      const u = await universalApproximation({ seed: o.seed });
      if (draw !== null) Object.assign(pictures, await draw.universalPictures(u));
      results.push({ demo: 'universal', runs: u.runs.map(({ width, maxError, rmse }) => ({ width, maxError, rmse })) });
      if (o.json !== true) out(`universal approximation of sin(2x) + 0.3x on [−π, π], one tanh hidden layer:\n${formatUniversalTable(u)}\n\n`);
      continue;
    }
    const r = await depthDemo({ set: n as GeometricSetName, seed: o.seed, ...(o.epochs === undefined ? {} : { epochs: o.epochs }) });
    if (draw !== null) Object.assign(pictures, await draw.depthDemoPictures(r));
    results.push({
      demo: n, runs: r.runs.map(({ depth: d, activation, hidden, trainAccuracy, testAccuracy }) => ({ depth: d, activation, hidden, trainAccuracy, testAccuracy })),
      constructed: { depth: r.constructed.depth, widths: r.constructed.widths, stepAccuracy: r.constructed.stepAccuracy, steepSigmoidAccuracy: r.constructed.steepSigmoidAccuracy },
    });
    if (o.json !== true) out(`${formatDepthTable(r)}\n\n`);
  }
  const written = await writePictures(o.dir, pictures);
  if (o.json === true) out(`${JSON.stringify({ results, pictures: written })}\n`);
  else if (written !== null) out(`pictures: ${written}\n`);
}

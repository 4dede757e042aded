/**
 * The commands besides `train`: predict, evaluate, info, trace, gradcheck, datasets, demo, export.
 */

import { Ensemble } from '../src/train/ensemble.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { listDatasets, loadDataset } from '../src/datasets.js';
import { formatTraceMarkdown, formatTraceText, lectureExample, traceSample, type RawSample } from '../src/explain/trace.js';
import { TableError } from '../src/table/types.js';
import type { Evaluation } from '../src/workflow/evaluate.js';
import { findColumn } from '../src/workflow/preprocessor.js';
import { affineOf, type FeatureStep } from '../src/io/features.js';
import { CliError, usageError } from './errors.js';
import { checkOutputPath, loadCliModel, modelReadHints, readForModel, writeAll, type LoadedModel } from './model-io.js';
import { Progress, outputMode } from './progress.js';
import { predictionsFile, predictWithProgress } from './predictions.js';
import { encodeTable } from '../src/io/node/read-table.js';
import { err, out } from './output.js';
import { isStdio, writeOutput } from './io.js';
import { evaluateBlocks, predictBlocks, streamsOut } from './blocks.js';
import { backendInfo } from '../src/node/native.js';

const writeText = (path: string, text: string): Promise<void> => writeAll([{ path, data: text }]);
const writeData = (path: string, data: string | Uint8Array): Promise<void> => writeAll([{ path, data }]);

/**
 * Library errors about the user's table, as the command reports them; for a trained model's data (`forModel`:
 * the model and the --decimal flag given), with the hints of modelReadHints.
 */
export function tableErrors<T>(f: () => T, forModel: { readonly m: LoadedModel; readonly decimal: '.' | ',' | undefined } | null = null): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof TableError) throw new CliError(forModel === null ? e.message : modelReadHints(e.message, forModel.m, forModel.decimal));
    throw e;
  }
}

export async function predict(modelPath: string, dataPath: string, o: { out?: string; proba?: boolean; interval?: boolean; quiet?: boolean; decimal?: '.' | ',' }): Promise<void> {
  const progress = new Progress(outputMode(o));
  const outPath = o.out === undefined || isStdio(o.out) ? null : checkOutputPath(o.out, '--out');
  const m = await loadCliModel(modelPath);
  if (o.interval === true && m.pipeline.calibration === null) throw usageError(`--interval: ${modelPath} has no prediction intervals; train it with mlpkit train --intervals 0.9`);
  // Rows in and out a block at a time (the intervals' random prediction sets are drawn over the whole table).
  if (o.interval !== true && streamsOut(outPath)) {
    const rows = await predictBlocks(m, dataPath, outPath, o, progress);
    if (outPath !== null) progress.note(`${rows} predictions: ${outPath}`);
    return;
  }
  const table = await readForModel(dataPath, m, progress, o.decimal);
  const name = dataPath === '-' ? 'stdin' : basename(dataPath);
  // Quiet, nobody watches: the rows in one call.
  const pred = tableErrors(() => (progress.mode === 'quiet' ? m.pipeline.predict(table) : progress.during('predicting', name, (report) => predictWithProgress(m.pipeline, table, report))), { m, decimal: o.decimal });
  const uncertainty = o.interval === true ? tableErrors(() => m.pipeline.uncertainty(table, pred), { m, decimal: o.decimal }) : undefined;
  const data = await predictionsFile(outPath, m.pipeline.preprocessor.target, pred, o.proba === true, uncertainty);
  if (await writeOutput(outPath, data, writeData) === 'file') progress.note(`${table.rows} predictions: ${outPath}`);
}

export async function evaluate(modelPath: string, dataPath: string, o: { target?: string; json?: boolean; quiet?: boolean; decimal?: '.' | ',' }): Promise<void> {
  const progress = new Progress(outputMode({ quiet: o.quiet === true || o.json === true }));
  const m = await loadCliModel(modelPath);
  const t = m.pipeline.preprocessor.target;
  const trained = targetColumns(t, o.target);
  let checked = false;
  const { evaluation: ev, rows } = await evaluateBlocks(m, dataPath, trained, o.decimal, progress, (table) => {
    if (!checked) tableErrors(() => trained.forEach((n) => findColumn(table, n, 'the target (--target)')));
    checked = true;
  });
  const metrics = ev.metrics;
  if (o.json === true) {
    // The metrics at the top level, and beside them the confusion matrix and per-class table, or the residuals.
    out(`${JSON.stringify({ ...metrics, ...pickDefined({ confusion: ev.confusion, perClass: ev.perClass, residuals: ev.residuals }) })}\n`);
    return;
  }
  const w = Math.max(...Object.keys(metrics).map((k) => k.length));
  out(`${basename(dataPath)}: ${rows} rows, target ${trained.map((n) => `'${n}'`).join(', ')}\n`);
  for (const [k, v] of Object.entries(metrics)) out(`  ${k.padEnd(w)}  ${v.toFixed(4)}\n`);
  out(evaluationDetails(ev));
}

function pickDefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The confusion matrix and per-class table (as scikit-learn's classification_report), or the residual summary. */
function evaluationDetails(ev: Evaluation): string {
  if (ev.residuals !== undefined) {
    const r = ev.residuals;
    return `residuals (actual − predicted): min ${r.min.toPrecision(4)}, quartiles ${r.q25.toPrecision(4)} / ${r.median.toPrecision(4)} / ${r.q75.toPrecision(4)}, max ${r.max.toPrecision(4)}\n`;
  }
  if (ev.confusion === undefined || ev.perClass === undefined) return '';
  const labels = ev.confusion.labels;
  const w = Math.max(8, ...labels.map((l) => l.length));
  const lines = ['', `confusion matrix (rows: actual, columns: predicted)`, `  ${''.padEnd(w)}  ${labels.map((l) => l.padStart(w)).join('  ')}`];
  ev.confusion.counts.forEach((row, i) => lines.push(`  ${labels[i]!.padEnd(w)}  ${row.map((c) => String(c).padStart(w)).join('  ')}`));
  lines.push('', `  ${'class'.padEnd(w)}  precision  recall     f1  support`);
  for (const c of ev.perClass) lines.push(`  ${c.label.padEnd(w)}  ${c.precision.toFixed(4).padStart(9)}  ${c.recall.toFixed(4).padStart(6)}  ${c.f1.toFixed(4).padStart(5)}  ${String(c.support).padStart(7)}`);
  return `${lines.join('\n')}\n`;
}

/** The data file's target columns: the trained names (a quantile model's one column once), or the one --target names (a single-target model). */
export function targetColumns(t: LoadedModel['pipeline']['preprocessor']['target'], flag: string | undefined): string[] {
  const trained = t.task === 'regression' ? [...new Set(t.names)] : [t.name];
  if (flag === undefined) return trained;
  if (trained.length !== 1) throw usageError(`--target ${flag}: the model predicts ${trained.length} columns (${trained.join(', ')}); name them as in training`);
  return [flag];
}

export async function info(modelPath: string | undefined, o: { json?: boolean; backend?: boolean }): Promise<void> {
  if (o.backend === true) { backend(o); if (modelPath === undefined) return; }
  if (modelPath === undefined) throw usageError('info needs a model file (mlpkit info MODEL.json), or --backend');
  const m = await loadCliModel(modelPath);
  const p = m.pipeline;
  const networks = p.predictor instanceof Ensemble ? p.predictor.members.length : 1;
  if (o.json === true) {
    out(`${JSON.stringify({ task: m.file.task ?? null, classes: m.file.classes ?? null, parameters: p.model.parameterCount, networks, mlpkit: m.file.mlpkit ?? null, version: m.file.version, spec: m.file.spec, preprocessing: m.file.preprocessing ?? null, training: m.file.training ?? null })}\n`);
    return;
  }
  out(`${infoLines(m, networks).join('\n')}\n`);
}

function infoLines(m: LoadedModel, networks: number): string[] {
  const p = m.pipeline;
  const prep = p.preprocessor;
  const t = prep.target;
  const lines = [
    `${m.path}${m.file.mlpkit === undefined ? ' (written by mlpkit 0.1.0)' : ` (written by mlpkit ${m.file.mlpkit})`}`,
    `task: ${t.task}${t.task !== 'regression' ? ` — classes ${t.classes.join(', ')}; target column '${t.name}'`
      : t.quantiles !== undefined ? `; target column '${t.names[0]}', quantiles ${t.quantiles.join(', ')}`
      : `; target column${t.names.length > 1 ? 's' : ''} ${t.names.map((n) => `'${n}'`).join(', ')}`}`,
    '',
    ...(networks > 1 ? [`an ensemble of ${networks} networks of this architecture (predictions are their mean):`] : []),
    p.model.summary(),
    '',
    'preprocessing:',
    ...prep.columns.map((c) => `  ${c.name}: ${c.type === 'number' ? 'numeric' : `categorical, one-hot over ${c.levels.length} levels${c.other ? " and '(other)'" : ''}`}${c.fill === null ? '' : `, missing → ${c.fill}`}`),
    `  ${prep.scaling === 'standard' ? "standardized: z = (x − μ)/σ with the training file's μ, σ" : prep.scaling === 'minmax' ? "min-max scaled with the training file's range" : 'not scaled'}`,
  ];
  const s = p.summary;
  if (s !== null) {
    lines.push('', 'training:', `  data: ${s.data.source}, ${s.data.rows} rows (${s.data.trainRows} training, ${s.data.validationRows} validation)`);
    lines.push(`  epochs: ${s.epochs} (${s.stopReason}); best epoch ${s.bestEpoch}`);
    if (s.finalTrainLoss !== null) lines.push(`  final training loss ${s.finalTrainLoss.toPrecision(4)}${s.finalValLoss === null ? '' : `, validation loss ${s.finalValLoss.toPrecision(4)}`}`);
    if (s.heldOut !== undefined) lines.push(`  on ${s.heldOut.source ?? `${s.heldOut.rows} held-out rows`}: ${Object.entries(s.heldOut.metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`);
  }
  return lines;
}

function backend(o: { json?: boolean }): void {
  const b = backendInfo();
  if (o.json === true) { out(`${JSON.stringify({ backend: b })}\n`); return; }
  out(`backend: ${b.name} (${b.detail})\n`);
  if (b.reason !== null) out(`  not native: ${b.reason}\n`);
  if (b.hint !== null) out(`  to get it: ${b.hint}\n`);
}

export async function trace(modelPath: string | undefined, dataPath: string | undefined, o: { row?: number; json?: boolean; markdown?: boolean; decimal?: '.' | ',' }): Promise<void> {
  let result;
  if (modelPath === undefined) {
    const ex = lectureExample();
    result = traceSample(ex.model, ex.x, ex.y, { names: ex.names });
  } else {
    if (dataPath === undefined) throw usageError('trace MODEL.json needs a data file: mlpkit trace MODEL.json DATA.csv --row N (or no arguments for the built-in example)');
    const m = await loadCliModel(modelPath);
    const progress = new Progress('quiet');
    const table = await readForModel(dataPath, m, progress, o.decimal);
    const row = o.row ?? 1;
    if (!Number.isInteger(row) || row < 1 || row > table.rows) throw usageError(`--row ${row}: ${basename(dataPath)} has data rows 1 to ${table.rows}`);
    const prep = m.pipeline.preprocessor;
    const x = tableErrors(() => prep.transform(table), { m, decimal: o.decimal });
    const sample = Array.from(x.data.subarray((row - 1) * x.cols, row * x.cols));
    const t = prep.target;
    const missing = (t.task === 'regression' ? t.names : [t.name]).find((n) => !table.columns.some((c) => c.name === n));
    if (missing !== undefined) throw new CliError(`${basename(dataPath)}: the trace needs the target column '${missing}' to compute the loss`);
    const { y } = tableErrors(() => prep.transformTarget(table), { m, decimal: o.decimal });
    const target = Array.from(y.data.subarray((row - 1) * y.cols, row * y.cols));
    result = traceSample(m.pipeline.model, sample, target, { inputNames: prep.featureNames, ...rawSample(prep, sample) });
  }
  if (o.json === true) out(`${JSON.stringify(result)}\n`);
  else if (o.markdown === true) out(formatTraceMarkdown(result));
  else out(formatTraceText(result));
}

/**
 * The row's raw values beside the x the network sees: the scaling undone (a category's 0/1 columns are
 * not scaled), with words for the scaling. Nothing when the network sees the raw values.
 */
function rawSample(prep: LoadedModel['pipeline']['preprocessor'], x: readonly number[]): { raw?: RawSample } {
  const step = prep.featureSteps().find((s): s is Exclude<FeatureStep, { kind: 'oneHot' }> => s.kind === 'standard' || s.kind === 'minmax');
  const t = prep.target;
  const scaled = t.task === 'regression' && t.scale.some((s, k) => s !== 1 || t.mean[k] !== 0);
  const target = scaled && t.task === 'regression' ? { target: { mean: t.mean, scale: t.scale } } : {};
  if (step === undefined) return scaled ? { raw: target } : {};
  const a = affineOf(step);
  const scaling = prep.scaling === 'minmax'
    ? "min-max scaled, x = (raw − min)/(max − min) with the training file's min and max"
    : "standardized, x = (raw − mean)/sd with the training file's mean and sd";
  return { raw: { inputs: { x: x.map((z, j) => (z - a.offset) * a.divisor[j]! + a.shift[j]!), scaling }, ...target } };
}

export async function gradcheck(o: { json?: boolean; seed?: number }): Promise<void> {
  const { runGradCheckSuite } = await import('../src/gradcheck-suite.js');
  const s = runGradCheckSuite(o.seed ?? 0);
  const pass = s.maxRelError <= 1e-6;
  if (o.json === true) {
    out(`${JSON.stringify({ cases: s.cases.map((c) => ({ name: c.name, checked: c.checked, maxRelError: c.maxRelError, skippedAtKinks: c.skippedAtKinks, worst: c.worst?.where ?? null })), checked: s.checked, maxRelError: s.maxRelError, skippedAtKinks: s.skippedAtKinks, pass })}\n`);
  } else {
    const w = Math.max(...s.cases.map((c) => c.name.length));
    for (const c of s.cases) {
      out(`${c.name.padEnd(w)}  ${String(c.checked).padStart(5)} checked  max rel. error ${c.maxRelError.toExponential(2)}${c.skippedAtKinks > 0 ? `  (${c.skippedAtKinks} at kinks)` : ''}\n`);
    }
    out(`\n${s.cases.length} cases, ${s.checked} gradient components checked against finite differences; largest relative error ${s.maxRelError.toExponential(2)}; ${s.skippedAtKinks} skipped at kinks\n${pass ? 'PASS' : 'FAIL'}\n`);
  }
  if (!pass) throw new CliError(`gradient check failed: largest relative error ${s.maxRelError.toExponential(2)}`);
}

export function datasetsList(): void {
  const list = listDatasets();
  const w = Math.max(...list.map((d) => d.name.length));
  for (const d of list) out(`${d.name.padEnd(w)}  ${d.task.padEnd(14)} ${d.kind.padEnd(9)} ${d.description}\n`);
}

/** A bundled data set as CSV text: a header, the features, the target last. */
export async function datasetCsv(name: string): Promise<{ csv: string; target: string; task: string }> {
  let d;
  try {
    d = await loadDataset(name);
  } catch (e) {
    throw usageError(`datasets export: ${(e as Error).message.replace(/^loadDataset: /, '')}`);
  }
  const columns: Record<string, Float64Array | string[]> = {};
  d.featureNames.forEach((f, j) => { columns[f] = Float64Array.from(d.x, (r) => r[j]!); });
  columns[d.targetName] = d.y.every((v) => typeof v === 'number') ? Float64Array.from(d.y as number[]) : d.y.map(String);
  return { csv: await encodeTable(columns, 'csv') as string, target: d.targetName, task: d.task };
}

export async function datasetsExport(name: string, o: { out?: string }): Promise<void> {
  const outPath = o.out === undefined || isStdio(o.out) ? null : checkOutputPath(o.out, '--out');
  const { csv } = await datasetCsv(name);
  await writeOutput(outPath, csv, writeText);
}

export async function demo(o: { dataset?: string; dir?: string; quiet?: boolean; epochs?: number }): Promise<void> {
  const name = o.dataset ?? 'iris';
  const dir = o.dir === undefined ? mkdtempSync(join(tmpdir(), 'mlpkit-demo-')) : resolve(o.dir);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const { csv, target, task } = await datasetCsv(name);
  const dataPath = join(dir, `${name}.csv`);
  await writeAll([{ path: dataPath, data: csv }]);
  const progress = new Progress(outputMode(o));
  progress.note(`demo: training on the bundled '${name}' data set (${task})`);
  const { train } = await import('./train.js');
  await train(dataPath, {
    target, hidden: [16], activation: 'tanh', optimizer: 'adam', lr: 0.01, batchSize: 16, epochs: o.epochs ?? 150,
    standardize: true, drop: [], seed: 0, out: join(dir, 'model.json'), report: join(dir, 'report.html'),
    predictions: join(dir, 'predictions.csv'), ...(o.quiet === true ? { quiet: true } : {}),
  });
  out(`${dir}\n`);
}

/** The formats `mlpkit export` writes, as its flags. */
export interface ExportFlags { onnx?: string; js?: string; c?: string; torch?: string }

/** `mlpkit export MODEL --onnx F --js F --c F --torch F`: every format asked for, all files or none. */
export async function exportModel(modelPath: string, o: ExportFlags): Promise<void> {
  const asked = (['onnx', 'js', 'c', 'torch'] as const).filter((k) => o[k] !== undefined);
  if (asked.length === 0) throw usageError('export: say which format, e.g. --onnx model.onnx, --js model.js, --c model.c or --torch model.py');
  const paths = Object.fromEntries(asked.map((k) => [k, checkOutputPath(o[k]!, `--${k}`)])) as Partial<Record<keyof ExportFlags, string>>;
  const header = paths.c === undefined ? undefined : checkOutputPath(headerPath(paths.c), '--c (its header)');
  const targets = [...Object.entries(paths), ...(header === undefined ? [] : [['c (its header)', header] as const])];
  const clash = targets.find(([, p], i) => targets.findIndex(([, q]) => q === p) !== i);
  if (clash !== undefined) throw usageError(`export: --${clash[0]} ${clash[1]}: another format writes the same file; give each its own name`);
  const m = await loadCliModel(modelPath);
  const files: { path: string; data: string | Uint8Array }[] = [];
  try {
    if (paths.onnx !== undefined) files.push({ path: paths.onnx, data: (await import('../src/onnx.js')).exportOnnx(m.file) });
    const code = await import('../src/export/index.js');
    if (paths.js !== undefined) files.push({ path: paths.js, data: code.exportJs(m.pipeline) });
    if (paths.c !== undefined && header !== undefined) {
      const c = code.exportC(m.pipeline, { prefix: cPrefix(paths.c), header: basename(header) });
      files.push({ path: paths.c, data: c.source }, { path: header, data: c.header });
    }
    if (paths.torch !== undefined) files.push({ path: paths.torch, data: code.exportTorch(m.pipeline) });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  await writeAll(files);
  out(files.map((f) => `${f.path}\n`).join(''));
  if (o.onnx !== undefined) onnxNote(o.onnx, (await import('../src/onnx.js')).onnxZeroedColumns(m.file));
}

/** The one line saying what the ONNX file maps to all zeros where `mlpkit predict` refuses it (ONNX cannot raise). */
function onnxNote(path: string, zeroed: { unseen: readonly string[]; missing: readonly string[] }): void {
  const parts = [
    ...(zeroed.unseen.length === 0 ? [] : [`a level never seen in training (${zeroed.unseen.join(', ')})`]),
    ...(zeroed.missing.length === 0 ? [] : [`a missing cell (${zeroed.missing.join(', ')})`]),
  ];
  if (parts.length > 0) err(`export: note: ONNX cannot raise, so in ${path} ${parts.join(' or ')} gives all zeros where mlpkit predict refuses it\n`);
}

/** The header beside a C file: model.c → model.h (a name without .c gets .h added). */
function headerPath(c: string): string {
  return c.endsWith('.c') ? `${c.slice(0, -2)}.h` : `${c}.h`;
}

/** The C prefix of a file name: its base name as an identifier (model-v2.c → model_v2). */
function cPrefix(c: string): string {
  const base = basename(c).replace(/\.c$/, '').replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(base) ? base : `model_${base}`;
}

/**
 * Loading a model file for the command, applying its preprocessing to a table, predicting, and the
 * metrics of a prediction. Output files are written atomically (a temporary file renamed into place).
 */

import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, statSync, unlinkSync } from 'node:fs';
import { totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { estimateMemory, formatBytes } from '../src/graph/memory.js';
import type { ModelSpec } from '../src/spec.js';
import { fail } from '../src/io/json-check.js';
import { checkClassCount, checkPredictions } from '../src/io/model-checks.js';
import type { Model } from '../src/graph/model.js';
import type { ModelFile } from '../src/io/model-file.js';
import { predictorFromFile } from '../src/io/ensemble-file.js';
import { Ensemble } from '../src/train/ensemble.js';
import { loadModelFile, outputTarget, TEMP_PREFIX, writeFileAtomic } from '../src/io/node/files.js';
import { accuracy, balancedAccuracy, logLoss, mae, mse, precisionRecallF1, r2, rocAuc } from '../src/metrics.js';
import { readTable, type Table } from './csv.js';
import { CliError, describeErrno, usageError } from './errors.js';
import { encodeColumns, kindsOf, preprocessingFromJson, standardizeInPlace, type Encoded, type Preprocessing, type TargetPlan } from './features.js';
import type { Progress } from './progress.js';

export interface LoadedModel {
  readonly path: string;
  readonly file: ModelFile;
  /** The network (member 0 of an ensemble). */
  readonly model: Model;
  /** What predicts: the network, or the ensemble averaging its members. */
  readonly predictor: Model | Ensemble;
  readonly prep: Preprocessing;
}

export async function loadCliModel(path: string): Promise<LoadedModel> {
  if (!existsSync(path)) throw new CliError(`${path}: no such model file`);
  let file: ModelFile;
  let predictor: Model | Ensemble;
  try {
    file = await loadModelFile(path);
    predictor = predictorFromFile(file, { source: path });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const model = predictor instanceof Ensemble ? predictor.members[0]! : predictor;
  const prep = preprocessingFromJson(file.preprocessing, path);
  checkPreprocessingFits(prep, model, path);
  return { path, file, model, predictor, prep };
}

/** The preprocessing section must fit the network: as many features as inputs, as many classes as outputs. */
function checkPreprocessingFits(prep: Preprocessing, model: Model, path: string): void {
  const t = prep.target;
  const width = model.output.width;
  try {
    if (prep.featureNames.length !== model.spec.inputSize) {
      fail('$.preprocessing.columns', `the columns give ${prep.featureNames.length} inputs, but the network takes ${model.spec.inputSize} ($.spec.inputSize)`);
    }
    if (t.task === 'regression') {
      if (width !== 1) fail('$.preprocessing.target', `a regression on one column '${t.name}', but the network has ${width} outputs`);
    } else {
      checkClassCount('$.preprocessing.target.classes', t.classes.length, width, t.task);
    }
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message}`);
  }
}

/** Read a data file with the column kinds the model was trained on. */
export async function readForModel(path: string, m: LoadedModel, progress: Progress): Promise<Table> {
  const table = await readTable(path, { kinds: kindsOf(m.prep.columns), onProgress: progress.readProgress(path) });
  progress.readDone();
  return table;
}

/** The model's inputs for a table: the columns encoded and standardized as in training. */
export function inputsFor(table: Table, prep: Preprocessing): Encoded {
  const x = encodeColumns(table, prep.columns);
  standardizeInPlace(x, prep.features);
  return x;
}

export interface Prediction {
  /** Classification: class index per row and the probabilities (rows × classes). */
  readonly labels: Int32Array | null;
  readonly proba: Float64Array | null;
  /** Regression: values on the target's own scale (rows × outputs). */
  readonly values: Float64Array | null;
}

/** Turn the model's raw outputs into classes and probabilities, or values on the target's scale. */
export function interpret(out: ArrayLike<number>, rows: number, target: TargetPlan): Prediction {
  if (target.task === 'regression') {
    const values = Float64Array.from(out, (v) => v * target.scale + target.mean);
    return { labels: null, proba: null, values };
  }
  const k = target.classes.length;
  const proba = new Float64Array(rows * k);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    if (k === 2) {
      const p = out[r]!;
      proba[2 * r] = 1 - p;
      proba[2 * r + 1] = p;
      labels[r] = p >= 0.5 ? 1 : 0;
    } else {
      let best = 0;
      for (let j = 0; j < k; j++) {
        proba[r * k + j] = out[r * k + j]!;
        if (out[r * k + j]! > out[r * k + best]!) best = j;
      }
      labels[r] = best;
    }
  }
  return { labels, proba, values: null };
}

export function predictTable(m: LoadedModel, table: Table): Prediction {
  const x = inputsFor(table, m.prep);
  const out = m.predictor.predict(x);
  try {
    checkPredictions(out.data, out.rows, out.cols, (r) => `${table.file}, line ${table.lines[r] ?? r + 2}`);
  } catch (e) {
    throw new CliError(`${(e as Error).message} (model ${m.path})`);
  }
  return interpret(out.data, table.rows, m.prep.target);
}

/** The metrics of a prediction against true class indices or values (regression on the original scale). */
export function metricsOf(target: TargetPlan, pred: Prediction, trueLabels: Int32Array | null, trueValues: Float64Array | null): Record<string, number> {
  if (target.task === 'regression') {
    const t = trueValues!;
    const p = pred.values!;
    return { mse: mse(t, p), rmse: Math.sqrt(mse(t, p)), mae: mae(t, p), r2: r2(t, p) };
  }
  const y = trueLabels!;
  const yp = pred.labels!;
  const k = target.classes.length;
  const labels = Array.from({ length: k }, (_, i) => i);
  const prf = precisionRecallF1(y, yp, { labels });
  const rows: number[][] = [];
  for (let r = 0; r < y.length; r++) rows.push(Array.from(pred.proba!.subarray(r * k, (r + 1) * k)));
  const out: Record<string, number> = {
    accuracy: accuracy(y, yp), balancedAccuracy: balancedAccuracy(y, yp),
    precision: prf.macro.precision, recall: prf.macro.recall, f1: prf.macro.f1,
    logLoss: logLoss(y, rows),
  };
  if (k === 2 && new Set(y).size === 2) out.rocAuc = rocAuc(y, rows.map((r) => r[1]!));
  return out;
}

/**
 * Refuse, before any long work, an output path that cannot be written: its folder missing or not writable
 * (a probe file is created and removed there, as that is the only test that sees read-only mounts, ACLs
 * and quotas alike), a folder in its place, or a loop of symbolic links. A link is written through to its
 * target (see `writeFileAtomic`), so the target's folder is the one probed. Returns the absolute path.
 */
export function checkOutputPath(path: string, what: string): string {
  const full = resolve(path);
  let target: string;
  try {
    target = outputTarget(full);
  } catch (e) {
    throw new CliError(`${what} ${path}: ${(e as Error).message.replace(`${full}: `, '')}`, 2);
  }
  const via = target === full ? '' : ` (a symbolic link to ${target})`;
  const dir = dirname(target);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${what} ${path}${via}: the folder ${dir} does not exist`, 2);
  if (existsSync(target) && statSync(target).isDirectory()) throw new CliError(`${what} ${path}${via}: is a folder; give a file name`, 2);
  if (existsSync(target) && !statSync(target).isFile()) throw new CliError(`${what} ${path}${via}: is not a regular file (a device or a pipe); give a file name`, 2);
  probeFolder(dir, `${what} ${path}${via}`);
  return full;
}

/**
 * Refuse a folder that files will be written into (--checkpoint DIR) unless it exists and is writable, or
 * can be created in a writable parent. Creates nothing; returns the absolute path.
 */
export function checkOutputFolder(path: string, what: string): string {
  const full = resolve(path);
  let dir = full;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) throw new CliError(`${what} ${path}: ${dir} is a file, not a folder`, 2);
  probeFolder(dir, `${what} ${path}`);
  return full;
}

function probeFolder(dir: string, what: string): void {
  const probe = join(dir, `${TEMP_PREFIX}probe-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (e) {
    throw new CliError(`${what}: cannot write in the folder ${dir} (${describeErrno(e) ?? String(e)})`, 2);
  }
}

/**
 * Refuse, before allocating, a network too large for this machine: the memory estimate of its spec,
 * against the memory there is (and the 4 GiB a WebAssembly arena can address). `flags` names what the user
 * set, e.g. "--hidden 10000000", so the message says what to change.
 */
export function checkModelMemory(spec: ModelSpec, batchSize: number, flags: string, limit = memoryLimit(spec)): void {
  const m = estimateMemory(spec, { batchSize });
  if (m.bytes <= limit.bytes) return;
  const batchHelps = m.activationBytes > m.parameterBytes && batchSize > m.batchRows / 2;
  const largest = m.largestLayer === null ? '' : `, ${m.largestLayer.parameters.toLocaleString('en-US')} in layer '${m.largestLayer.name}'`;
  throw usageError(`${flags}: this network needs about ${formatBytes(m.bytes)} of memory (${m.parameters.toLocaleString('en-US')} parameters${largest}; ${formatBytes(m.activationBytes)} of activations for batches of ${m.batchRows} rows), more than ${limit.what} (${formatBytes(limit.bytes)}); use fewer units in --hidden${batchHelps ? ' or a smaller --batch-size' : ''}`);
}

/** Memory a model may use here: most of the machine's, and at most 4 GiB for a float32 (WebAssembly) arena. */
function memoryLimit(spec: ModelSpec): { bytes: number; what: string } {
  const machine = Math.floor(totalmem() * 0.8);
  const wasm = 4 * 1024 ** 3;
  return (spec.dtype ?? 'float32') === 'float32' && wasm < machine
    ? { bytes: wasm, what: 'a WebAssembly arena can address' }
    : { bytes: machine, what: "80% of this machine's memory" };
}

/** Write files all or nothing: each atomically; if a later one fails, the earlier ones are removed. */
export async function writeAll(files: readonly { path: string; data: string | Uint8Array }[]): Promise<void> {
  const { unlink } = await import('node:fs/promises');
  const done: string[] = [];
  try {
    for (const f of files) {
      await writeFileAtomic(f.path, f.data);
      done.push(f.path);
    }
  } catch (e) {
    for (const p of done) await unlink(p).catch(() => undefined);
    throw new CliError((e as Error).message);
  }
}

/** A CSV cell: quoted when it holds a delimiter, quote or line break. */
export function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

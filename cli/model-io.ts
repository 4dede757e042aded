/**
 * Loading a model file for the command, applying its preprocessing to a table, predicting, and the
 * metrics of a prediction. Output files are written atomically (a temporary file renamed into place).
 */

import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, statSync, unlinkSync } from 'node:fs';
import { totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { estimateMemory, formatBytes } from '../src/graph/memory.js';
import { ARENA_MAX_BYTES } from '../src/kernels/backend.js';
import type { ModelSpec } from '../src/spec.js';
import { loadModelFile, outputTarget, TEMP_PREFIX, writeFileAtomic } from '../src/io/node/files.js';
import { CliError, describeErrno, usageError } from './errors.js';
import type { ModelFile } from '../src/io/model-file.js';
import { TableError, type ReadTableOptions, type Table } from '../src/table/types.js';
import { Pipeline } from '../src/workflow/pipeline.js';
import { readTableFile } from '../src/io/node/read-table.js';
import type { Progress } from './progress.js';

export interface LoadedModel {
  readonly path: string;
  readonly file: ModelFile;
  /** The preprocessor, the network (or ensemble), the options and the training summary. */
  readonly pipeline: Pipeline;
}

export async function loadCliModel(path: string): Promise<LoadedModel> {
  if (!existsSync(path)) throw new CliError(`${path}: no such model file`);
  try {
    const file = await loadModelFile(path);
    return { path, file, pipeline: Pipeline.fromFile(file, path) };
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** Read a data file with the column types the model was trained on (a zip code stays a category). */
export async function readForModel(path: string, m: LoadedModel, progress: Progress, decimal?: '.' | ','): Promise<Table> {
  const d = decimalFor(m, decimal);
  try {
    return await readData(path, progress, { types: m.pipeline.preprocessor.readTypes, ...(d === undefined ? {} : { decimal: d }) });
  } catch (e) {
    if (e instanceof CliError) throw new CliError(modelReadHints(e.message, m, decimal), e.exitCode);
    throw e;
  }
}

/**
 * The decimal separator a file for `m` is read with: the flag's, else a comma when the model's training
 * file had decimal commas (its file says so: training.summary.data.decimal), else the reader's default.
 */
export function decimalFor(m: LoadedModel, flag: '.' | ',' | undefined): '.' | ',' | undefined {
  return flag ?? m.pipeline.summary?.data.decimal;
}

/** trainingHints, and, when a number did not read with the comma the model's training file used, how to read decimal points. */
export function modelReadHints(message: string, m: LoadedModel, flag: '.' | ',' | undefined): string {
  const hinted = trainingHints(message);
  if (flag !== undefined || decimalFor(m, flag) !== ',' || !/is not a number|no column/.test(message)) return hinted;
  return `${/[.!?]$/.test(hinted) ? hinted : `${hinted}.`} The model was trained on a file with decimal commas, so its files are read with decimal ',' (and ',' does not separate columns); for a file with decimal points pass --decimal .`;
}

/**
 * A table message as a command reading data for a trained model says it: how the model reads and encodes
 * columns was fixed by `mlpkit train`, so a hint naming one of train's reading flags (--impute, --categorical,
 * --unknown, --min-frequency, --drop, --features) names that command.
 */
export function trainingHints(message: string): string {
  return message.replace(/\((option \w+, )?(--(?:impute|categorical|unknown|min-frequency|drop|features)\b[^)]*)\)/g, '($1mlpkit train $2)');
}

/** Read a data file (CSV, TSV, JSON lines, Parquet, Arrow; '-' for stdin) with a progress bar; errors as the command reports them. */
export async function readData(path: string, progress: Progress, options: ReadTableOptions = {}): Promise<Table> {
  const report = progress.phase('reading', path === '-' ? 'stdin' : basename(path));
  try {
    const table = await readTableFile(path, { ...options, onProgress: report });
    progress.phaseDone();
    return table;
  } catch (e) {
    progress.phaseDone('failed');
    if (e instanceof TableError) throw new CliError(e.message);
    throw e;
  }
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
  const wasm = ARENA_MAX_BYTES;
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


/**
 * Loading a model file for the command, applying its preprocessing to a table, predicting, and the
 * metrics of a prediction. Output files are written atomically (a temporary file renamed into place).
 */

import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { ModelFile } from '../src/io/model-file.js';
import { loadModelFile, writeFileAtomic } from '../src/io/node/files.js';
import { TableError, type ReadTableOptions, type Table } from '../src/table/types.js';
import { Pipeline } from '../src/workflow/pipeline.js';
import { readTableFile } from '../src/io/node/read-table.js';
import { CliError } from './errors.js';
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
  return readData(path, progress, { types: m.pipeline.preprocessor.readTypes, ...(decimal === undefined ? {} : { decimal }) });
}

/** Read a data file (CSV, TSV, JSON lines, Parquet, Arrow; '-' for stdin) with a progress bar; errors as the command reports them. */
export async function readData(path: string, progress: Progress, options: ReadTableOptions = {}): Promise<Table> {
  const report = progress.readProgress(path === '-' ? 'stdin' : basename(path));
  try {
    const table = await readTableFile(path, { ...options, onProgress: (p) => report(p.bytes, p.totalBytes ?? p.bytes, p.rows) });
    progress.readDone();
    return table;
  } catch (e) {
    progress.readDone();
    if (e instanceof TableError) throw new CliError(e.message);
    throw e;
  }
}

/** Refuse an output path whose folder does not exist (before any long work), or that is a folder. */
export function checkOutputPath(path: string, what: string): string {
  const full = resolve(path);
  const dir = dirname(full);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${what} ${path}: the folder ${dir} does not exist`, 2);
  if (existsSync(full) && statSync(full).isDirectory()) throw new CliError(`${what} ${path}: is a folder; give a file name`, 2);
  return full;
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

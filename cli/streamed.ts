/**
 * `mlpkit train` through the on-disk columnar cache (src/io/node/cache.ts, src/workflow/stream.ts): a file
 * whose in-memory run would need more than the budget (`--memory SIZE`, by default half of this machine's;
 * about IN_MEMORY_PER_BYTE times the file), and a large file that fits when no flag needs the raw table. The
 * file is converted once (later runs of the same bytes reuse it); the encoded training rows are then held
 * when they fit half of what the budget leaves beside this process, else they stream each epoch.
 */

import { statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { basename } from 'node:path';
import { openTableCache, defaultCacheDir } from '../src/io/node/cache.js';
import { backendForThreads } from '../src/node/native.js';
import { workerBlockEncoder } from '../src/node/block-encoder.js';
import { encodedFileEncoder } from '../src/node/encoded-blocks.js';
import { SCORE_ROWS, trainStreamed, unstreamable } from '../src/workflow/stream.js';
import { fitPreprocessor, type TrainHooks } from '../src/workflow/train.js';
import type { Table } from '../src/table/types.js';
import { diagnose } from '../src/train/diagnose.js';
import type { BatchInfo, EpochRecord } from '../src/train/types.js';
import { CliError, usageError, userMessage } from './errors.js';
import { checkModelMemory, writeAll } from './model-io.js';
import { onInterrupt } from './io.js';
import type { Progress } from './progress.js';
import { noteTask, noteUnseen, printResult, workflowOptions, type TrainOptions, type TrainResult } from './train.js';

/** A size as --memory reads it (powers of 1024): 256 MB, 1.5 GB. */
const sizeText = (b: number): string => (b >= 1024 ** 3 ? `${Number((b / 1024 ** 3).toFixed(1))} GB` : `${Math.round(b / 1024 ** 2)} MB`);

/** Resident bytes an in-memory run needs per byte of a CSV file (measured: 4.2 GB for a 1 GB numeric file). */
export const IN_MEMORY_PER_BYTE = 4.5;

/** The memory budget: --memory, or half of this machine's memory. */
export function memoryBudget(o: TrainOptions): { bytes: number; given: boolean } {
  return o.memory === undefined ? { bytes: Math.floor(totalmem() / 2), given: false } : { bytes: o.memory, given: true };
}

/**
 * Resident bytes an in-memory run takes per encoded value (each row's network inputs and targets, float32):
 * the encoded rows, the training/validation split's copy of them and the held-out rows' encoding. Measured
 * (`/usr/bin/time -v`, 977-level category one-hot, 985 values a row): 1.36 GB for 200,000 rows, 6.49 GB for
 * 1,000,000.
 */
export const IN_MEMORY_PER_VALUE = 7;

/** What an in-memory run of a table would hold, estimated from its encoded width (a one-hot column is one value per level). */
export interface EncodedSize { readonly bytes: number; readonly rows: number; readonly values: number }

/** A file this large goes through the on-disk cache even when it fits, so only its encoded rows are held (not the raw table beside them). */
export const LARGE_FILE = 256 * 1024 ** 2;

/** An in-memory run this large, when no flag needs the table, holds only the encoded rows (through the cache), as a LARGE_FILE does. */
export const LARGE_ENCODED = LARGE_FILE * IN_MEMORY_PER_BYTE;

/**
 * The in-memory run's estimated size when it is over the budget ('over'), or large enough that holding
 * only its encoded rows pays ('large': 1,000,000 rows × 985 values trained in 17 s and 3.5 GB so, against
 * 40 s and 6.5 GB in memory); else null.
 */
export function encodedPlan(table: Table, o: TrainOptions, dataPath: string): { size: EncodedSize; plan: 'over' | 'large' } | null {
  let prep;
  // Options the preprocessor refuses are refused by the training itself, in its words.
  try { prep = fitPreprocessor(table, workflowOptions(o)); } catch { return null; }
  const values = prep.width + prep.outputWidth;
  const size = { bytes: table.rows * values * IN_MEMORY_PER_VALUE, rows: table.rows, values };
  if (size.bytes > memoryBudget(o).bytes) return { size, plan: 'over' };
  return size.bytes >= LARGE_ENCODED && dataPath !== '-' && !needsTable(o) ? { size, plan: 'large' } : null;
}

/**
 * Whether a read table trains through the on-disk cache after all, by its encoded plan (said in a note): a
 * 'large' one holds only its encoded rows; an 'over' one streams, unless something needs the table — then,
 * over an explicit --memory, it is refused naming what; over the default budget, it goes on in memory.
 */
export function streamsForWidth(table: Table, o: TrainOptions, dataPath: string, progress: Progress): boolean {
  const encoded = encodedPlan(table, o, dataPath);
  if (encoded === null) return false;
  const need = `${encoded.size.rows.toLocaleString('en-US')} rows × ${encoded.size.values} encoded values need about ${sizeText(encoded.size.bytes)} in memory`;
  if (encoded.plan === 'large') {
    progress.note(`${need}: only the encoded rows are held, read through an on-disk cache`);
    return true;
  }
  const budget = memoryBudget(o);
  const what = tableNeed(o);
  const inMemory = what !== null || dataPath === '-';
  if (inMemory && budget.given) {
    // --memory with stdin is refused before the table is read (readPlan): here something needs the table.
    throw usageError(`${need}, more than --memory ${sizeText(budget.bytes)}, and ${what!} needs them there: give a larger --memory, or leave ${what!} out`);
  }
  if (inMemory) {
    progress.note(`${need}, more than half of this machine's memory (${sizeText(budget.bytes)}); the run goes on in memory${what === null ? '' : ` because ${what} needs the table (without it, it would stream)`}`);
    return false;
  }
  progress.note(`${need}, more than ${budget.given ? `--memory ${sizeText(budget.bytes)}` : `half of this machine's memory (${sizeText(budget.bytes)}; --memory sets it)`}: training streams instead`);
  return true;
}

/** The command's flags whose work needs the raw table (or every row) in memory, and why a streamed run refuses each. */
const TABLE_FLAGS: readonly { readonly flag: string; readonly why: string; readonly given: (o: TrainOptions) => boolean }[] = [
  { flag: '--report', why: 'the report needs the rows in memory', given: (o) => o.report !== undefined },
  { flag: '--predictions', why: 'write them with mlpkit predict, which reads the file a block at a time,', given: (o) => o.predictions !== undefined },
  { flag: '--test', why: 'a separate test file is not available (the held-out rows are a --test-size split)', given: (o) => o.test !== undefined },
  { flag: '--checkpoint', why: 'checkpoints are not available', given: (o) => o.checkpoint !== undefined || o.resume === true },
  { flag: '--restarts', why: 'restarts are not available', given: (o) => (o.restarts ?? 1) > 1 },
  { flag: '--intervals', why: 'intervals are not available', given: (o) => o.intervals !== undefined },
];

/** The first flag or option given that needs the raw table in memory (the report, predictions, a test file, …), or null. */
function tableNeed(o: TrainOptions): string | null {
  return TABLE_FLAGS.find((f) => f.given(o))?.flag ?? unstreamable(workflowOptions(o));
}

/** Whether something needs the raw table in memory: then a file that fits is read whole. */
function needsTable(o: TrainOptions): boolean {
  return tableNeed(o) !== null;
}

/**
 * How a training file is read: 'table' (whole, as a table in memory), or through its on-disk cache — a file
 * whose in-memory run would exceed the budget ('over', training streams unless its encoded rows fit half the
 * budget), or a large file that fits ('large', its encoded rows held in memory, no raw table beside them).
 */
export function readPlan(dataPath: string, o: TrainOptions): 'table' | 'over' | 'large' {
  if (dataPath === '-') {
    if (o.memory !== undefined) throw usageError('--memory streams a file from an on-disk cache: give a file, not - (stdin)');
    return 'table';
  }
  let size: number;
  try { size = statSync(dataPath).size; } catch { return 'table'; }
  if (size * IN_MEMORY_PER_BYTE > memoryBudget(o).bytes) return 'over';
  return size >= LARGE_FILE && !needsTable(o) ? 'large' : 'table';
}

/** Flags whose work needs every row in memory, refused before the file is converted. */
function refuseFlags(o: TrainOptions): void {
  const f = TABLE_FLAGS.find((x) => x.given(o));
  if (f !== undefined) throw usageError(`${f.flag}: ${f.why} when training streams from disk (the file is larger than --memory allows in memory); give a larger --memory, or leave ${f.flag} out`);
}

/** What the runtime itself takes of a --memory budget (Node, the modules, the encoding worker): a fixed allowance, not a measure. */
export const RUNTIME_BYTES = 256 * 1024 ** 2;

/**
 * The part of the process's budget the streamed run's rows may take: the budget less the runtime's
 * allowance (at least 1 MB). It is fixed by the budget alone, not by what the process holds when the run
 * starts, so the same command and seed train the same model every time (the shuffle window's size and
 * whether the rows are held both follow from it).
 */
export function dataMemory(budget: number): number {
  return Math.max(1024 ** 2, budget - RUNTIME_BYTES);
}

/** Train on a file through its on-disk cache, write the model file, print the scores as an in-memory run does. */
export async function trainStreamedFile(dataPath: string, o: TrainOptions, model: string, progress: Progress, started: number, plan: 'over' | 'large' | 'encoded'): Promise<TrainResult> {
  if (plan === 'over') refuseFlags(o);
  const budget = memoryBudget(o);
  const size = statSync(dataPath).size;
  const dir = o.cacheDir ?? defaultCacheDir();
  const limit = budget.given ? `--memory ${sizeText(budget.bytes)}` : `half of this machine's memory (${sizeText(budget.bytes)}; --memory sets it)`;
  if (plan !== 'encoded') progress.note(plan === 'over'
    ? `${basename(dataPath)} (${sizeText(size)}) needs more than ${limit} in memory: it is read through an on-disk cache in ${dir}`
    : `${basename(dataPath)} (${sizeText(size)}) is read through an on-disk cache in ${dir}, and only its encoded rows are held in memory`);
  const types = Object.fromEntries((o.categorical ?? []).map((c) => [c, 'category' as const]));
  const read = { types, ...(o.decimal === undefined ? {} : { decimal: o.decimal }) };
  const onRead = progress.phase('caching', basename(dataPath));
  let cache;
  try {
    cache = await openTableCache(dataPath, read, { dir, onProgress: onRead });
    progress.phaseDone();
  } catch (e) {
    progress.phaseDone('failed');
    throw e;
  }
  progress.note(cache.built ? `cache written: ${cache.path}` : `cache reused: ${cache.path}`);
  const memory = dataMemory(budget.bytes);
  if (memory > budget.bytes - RUNTIME_BYTES) progress.note(`${limit} is less than the runtime itself takes (about ${sizeText(RUNTIME_BYTES)}): the rows get the least (${sizeText(memory)}), and the process will hold more than the budget`);
  const controller = new AbortController();
  const stopOnInterrupt = onInterrupt(() => { progress.note('\nstopping after this batch (Ctrl-C again to quit at once)'); controller.abort(); });
  const threads = o.threads ?? 1;
  const hooks: TrainHooks = {
    signal: controller.signal, onEpochEnd: (r: EpochRecord) => { progress.epoch(r); },
    ...(progress.mode === 'quiet' ? {} : { onBatchEnd: (b: BatchInfo) => { progress.batch(b); } }),
    checkSpec: (spec) => { checkModelMemory(spec, o.batchSize, `--hidden ${o.hidden.join(',')}`); },
    ...(threads > 1 ? { backend: backendForThreads(threads) } : {}),
  };
  progress.trainStart(o.epochs);
  let outcome;
  try {
    const holdOut = o.testSize === undefined ? {} : { testSize: o.testSize };
    outcome = await trainStreamed(cache.source, workflowOptions(o), holdOut, hooks, { memory, encoder: encodedFileEncoder(cache.path, workerBlockEncoder(cache.path)) });
  } catch (e) {
    throw e instanceof CliError ? e : new CliError(userMessage(e));
  } finally {
    stopOnInterrupt();
    progress.trainDone();
    cache.source.close();
  }
  const { pipeline, history } = outcome;
  if (plan !== 'large') progress.note(outcome.held ? `training rows held encoded in memory (${sizeText(outcome.heldBytes)}, within ${limit})` : `training rows stream from the cache each epoch (encoded, they would take more than half of the ${sizeText(memory)} ${limit} leaves the data beside the runtime)`);
  noteTask(pipeline, o, progress);
  noteUnseen('held-out rows', outcome.heldOut?.unseen ?? [], 'scored', progress);
  await writeAll([{ path: model, data: `${JSON.stringify(pipeline.toFile(), null, 1)}\n` }]);
  const findings = diagnose(history, { task: pipeline.task, model: pipeline.model, featureNames: pipeline.preprocessor.featureNames, ...(pipeline.options?.optimizer === undefined ? {} : { optimizer: pipeline.options.optimizer }) });
  const sampled = outcome.heldOut !== null && outcome.scored.heldOut < outcome.heldOut.rows;
  if (sampled) progress.note(`scores of a uniform sample of ${outcome.scored.heldOut} of the ${outcome.heldOut!.rows} held-out rows (and of ${outcome.scored.training} training rows): the rows past ${SCORE_ROWS} are not held for scoring`);
  const scored = outcome.heldOut?.evaluation ?? outcome.training;
  const result: TrainResult = { modelPath: model, reportPath: null, predictionsPath: null, metrics: scored.metrics, trainingMetrics: outcome.training.metrics, heldOutRows: outcome.heldOut?.rows ?? null, history };
  const trainedRows = pipeline.summary?.data.rows ?? 0;
  printResult(result, { pipeline, trainedRows, heldOut: outcome.heldOut === null ? null : { table: { source: outcome.heldOut.source, rows: outcome.heldOut.rows } } }, findings, basename(dataPath), progress, (Date.now() - started) / 1000);
  return result;
}

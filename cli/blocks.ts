/**
 * predict and evaluate a block of rows at a time: the data file is read in blocks (CSV, TSV, Parquet and Arrow
 * stream; JSON lines is read whole), each block predicted as it comes, and the predictions written as they are made
 * (CSV, TSV, JSON lines), so memory holds one block whatever the file's size. The output file is written
 * atomically: all of it, or nothing.
 */

import { basename } from 'node:path';
import { readTableFileBlocks, encodeTable } from '../src/io/node/read-table.js';
import { writeFileAtomicWith } from '../src/io/node/files.js';
import { formatOfName } from '../src/table/read.js';
import { TableError, type Table, type TableFormat } from '../src/table/types.js';
import { BlockScores, SCORE_ROWS, UnseenLevels } from '../src/workflow/stream.js';
import { noteUnseen } from './train.js';
import type { Evaluation } from '../src/workflow/evaluate.js';
import { CliError } from './errors.js';
import { decimalFor, modelReadHints, type LoadedModel } from './model-io.js';
import { out } from './output.js';
import { predictionColumns } from './predictions.js';
import type { Progress } from './progress.js';

/** Rows per block: 64 Ki rows of a 30-column file is about 16 MB in memory. */
export const BLOCK_ROWS = 1 << 16;

/** The formats predictions are written in block by block (the others are written whole, at the end). */
export function streamsOut(outPath: string | null): boolean {
  const f = (outPath === null ? null : formatOfName(outPath)) ?? 'csv';
  return f === 'csv' || f === 'tsv' || f === 'jsonl';
}

/** Read the data file for the model a block at a time; a table error is reported as the command reports it. */
async function eachBlock(dataPath: string, m: LoadedModel, progress: Progress, phase: 'predicting' | 'scoring', decimal: '.' | ',' | undefined, onBlock: (t: Table) => Promise<void> | void): Promise<number> {
  const file = dataPath === '-' ? 'stdin' : basename(dataPath);
  const report = progress.phase(phase, file);
  // A model trained with unknown: 'ignore' encodes a level it never saw as all zeros: say which, and how many rows.
  const unseen = m.pipeline.preprocessor.unknown === 'ignore' ? new UnseenLevels() : null;
  const d = decimalFor(m, decimal);
  try {
    const rows = await readTableFileBlocks(dataPath, { types: m.pipeline.preprocessor.readTypes, ...(d === undefined ? {} : { decimal: d }), onProgress: report }, BLOCK_ROWS, (t) => { unseen?.add(m.pipeline, t); return onBlock(t); });
    progress.phaseDone();
    noteUnseen(`rows of ${file}`, unseen?.list() ?? [], phase === 'predicting' ? 'predicted' : 'scored', progress);
    return rows;
  } catch (e) {
    progress.phaseDone('failed');
    if (e instanceof TableError) throw new CliError(modelReadHints(e.message, m, decimal));
    throw e;
  }
}

/** Predict every row of a file, in order, writing each block's predictions as soon as they are made (to stdout when `outPath` is null). */
export async function predictBlocks(m: LoadedModel, dataPath: string, outPath: string | null, o: { proba?: boolean; decimal?: '.' | ',' }, progress: Progress): Promise<number> {
  const format: TableFormat = (outPath === null ? null : formatOfName(outPath)) ?? 'csv';
  const target = m.pipeline.preprocessor.target;
  let first = true;
  const each = async (t: Table, write: (text: string) => Promise<void> | void): Promise<void> => {
    let text = await encodeTable(predictionColumns(target, m.pipeline.predict(t), o.proba === true), format) as string;
    // The header once, above the first block.
    if (!first && format !== 'jsonl') text = text.slice(text.indexOf('\n') + 1);
    first = false;
    await write(text);
  };
  if (outPath === null) return eachBlock(dataPath, m, progress, 'predicting', o.decimal, (t) => each(t, out));
  let rows = 0;
  // An error while reading or predicting is that error, not one of writing the file (which is then not written).
  let failure: unknown = null;
  await writeFileAtomicWith(outPath, async (h) => {
    try {
      rows = await eachBlock(dataPath, m, progress, 'predicting', o.decimal, (t) => each(t, async (s) => { await h.write(s); }));
    } catch (e) {
      failure = e;
      throw e;
    }
  }).catch((e: unknown) => { throw failure ?? e; });
  return rows;
}

/** Score a model on a labelled file, a block at a time. */
export async function evaluateBlocks(m: LoadedModel, dataPath: string, targetColumns: readonly string[], decimal: '.' | ',' | undefined, progress: Progress, check: (t: Table) => void = () => undefined): Promise<{ evaluation: Evaluation; rows: number }> {
  const scores = new BlockScores();
  await eachBlock(dataPath, m, progress, 'scoring', decimal, (t) => { check(t); scores.add(m.pipeline, t, targetColumns); });
  if (scores.kept < scores.rows) progress.note(`scores of a uniform sample of ${scores.kept} of the ${scores.rows} rows (the rows past ${SCORE_ROWS} are not held for scoring)`);
  return { evaluation: scores.evaluate(m.pipeline), rows: scores.rows };
}

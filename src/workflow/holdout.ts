/**
 * Held-out scoring: rows that training, early stopping and restarts never see, kept aside before the
 * preprocessor is fitted, and the trained pipeline scored on them with the training rows' figures beside
 * them (the over-fitting gap). A classifier's split is stratified (every class keeps its share on both
 * sides); a regression's is a plain shuffle. The split is a pure function of the table and the seed.
 */

import { takeTableRows } from '../table/rows.js';
import type { Table } from '../table/types.js';
import type { Evaluation } from './evaluate.js';
import type { TrainOptions } from './options.js';
import type { Pipeline } from './pipeline.js';
import { splitRows } from './splits.js';
import { uncertaintyCoverage } from './intervals.js';
import { trainPipeline, type TrainHooks, type TrainOutcome } from './train.js';

/** Where the held-out rows come from. */
export interface HoldOutOptions {
  /**
   * A fraction in (0, 1) of the table's rows, or a whole row count, held out; 0 holds out nothing.
   * Default HOLD_OUT.testSize with at least HOLD_OUT.minRows rows, else 0.
   */
  readonly testSize?: number;
  /**
   * A table of held-out rows (e.g. a separate test file) instead of a split; or its reader, called after
   * training with the column types the preprocessor learned (so a test file's columns read as in training).
   */
  readonly test?: Table | ((types: Readonly<Record<string, 'number' | 'category'>>) => Table | Promise<Table>);
}

/** The default held-out share, and the fewest rows a table needs for a default split. */
export const HOLD_OUT = { testSize: 0.2, minRows: 20 } as const;

/** A table split into the rows to train on and the held-out rows (null when nothing is held out). */
export interface HeldOutSplit {
  readonly train: Table;
  readonly test: Table | null;
  /** The rows of the original table that went to `test`, ascending (empty for a separate test table). */
  readonly testRows: Int32Array;
}

/** Seeds the split apart from the network's initialization and the validation split of the same seed. */
export const SPLIT_SALT = 0x7e57_5eed;

/** The held-out fraction the options give for a table of `rows` rows. */
export function testSizeOf(h: HoldOutOptions, rows: number): number {
  if (h.test !== undefined) return 0;
  if (h.testSize === undefined) return rows >= HOLD_OUT.minRows ? HOLD_OUT.testSize : 0;
  const t = h.testSize;
  if (!(Number.isFinite(t) && t >= 0 && (t < 1 || Number.isInteger(t)))) {
    throw new Error(`holdOut: option testSize must be 0, a fraction in (0, 1) or a whole row count, got ${t}`);
  }
  return t;
}

/** Split a table for held-out scoring, as the training options and their seed say. */
export function holdOut(table: Table, options: TrainOptions, h: HoldOutOptions = {}): HeldOutSplit {
  if (h.test !== undefined && h.testSize !== undefined && h.testSize !== 0) {
    throw new Error('holdOut: give testSize (a split of the table) or test (a table of held-out rows), not both');
  }
  if (h.test !== undefined) return { train: table, test: typeof h.test === 'function' ? null : h.test, testRows: new Int32Array(0) };
  const size = testSizeOf(h, table.rows);
  if (size === 0) return { train: table, test: null, testRows: new Int32Array(0) };
  const split = splitRows(table, options, size, SPLIT_SALT, 'the held-out split', ' (option testSize, --test-size; 0 trains on every row)');
  return {
    train: takeTableRows(table, split.train),
    test: takeTableRows(table, split.test, `${split.test.length} held-out rows of ${table.source}`),
    testRows: split.test,
  };
}

/** Scores of a pipeline on the held-out rows and on the rows it was trained on. */
export interface HeldOutScores {
  /** The held-out rows' table (its source says which rows: "30 held-out rows of iris.csv", or the test file). */
  readonly table: Table;
  readonly evaluation: Evaluation & ReturnType<Pipeline['evaluate']>;
  /** Category levels of the held-out rows never seen in training, scored as all-zero one-hot columns. */
  readonly unseen: ReturnType<Pipeline['preprocessor']['unseenLevels']>;
  /** For a calibrated pipeline: how often its intervals (or sets) held the truth on these rows, and their width (or size). */
  readonly coverage: ReturnType<typeof uncertaintyCoverage> | null;
}

/** What `trainHeldOut` gives: the training outcome (its summary records the held-out scores) and both scorings. */
export interface HeldOutOutcome extends TrainOutcome {
  readonly split: HeldOutSplit;
  readonly heldOut: HeldOutScores | null;
  readonly training: Evaluation & ReturnType<Pipeline['evaluate']>;
}

/**
 * Hold rows out, train on the rest, and score both: the one held-out workflow of the command (and of
 * any caller that wants honest figures). The pipeline's summary records the held-out rows and metrics.
 */
export async function trainHeldOut(table: Table, options: TrainOptions, h: HoldOutOptions = {}, hooks: TrainHooks = {}): Promise<HeldOutOutcome> {
  const first = holdOut(table, options, h);
  const outcome = await trainPipeline(first.train, options, hooks);
  const p = outcome.pipeline;
  // The training rows as the network saw them, when they are all of them (not with intervals' calibration rows set aside).
  const training = outcome.x.rows === first.train.rows ? p.evaluate(first.train, undefined, { x: outcome.x, y: outcome.y }) : p.evaluate(first.train);
  const test = typeof h.test === 'function' ? await h.test(p.preprocessor.readTypes) : first.test;
  const split = { ...first, test };
  if (test === null) return { ...outcome, split, heldOut: null, training };
  const heldOut = scoreHeldOut(p, test);
  const cover = heldOut.coverage === null ? {} : { coverage: heldOut.coverage };
  const summary = p.summary === null ? null : { ...p.summary, heldOut: { source: test.source, rows: test.rows, metrics: heldOut.evaluation.metrics, ...cover } };
  return { ...outcome, pipeline: p.with({ summary }), split, heldOut, training };
}

/** Score held-out rows; a level training never saw is scored as unknown-ignore (and reported), not refused. */
export function scoreHeldOut(p: Pipeline, test: Table): HeldOutScores {
  const scorer = lenientFor(p, test);
  const evaluation = scorer.evaluate(test);
  const coverage = p.calibration === null ? null : uncertaintyCoverage(scorer, p.calibration, test, evaluation);
  return { table: test, evaluation, unseen: p.preprocessor.unseenLevels(test), coverage };
}

/**
 * The pipeline that scores a table of the training file's own rows: the same, except that a category
 * level the held-out rows brought and training never saw gets all-zero one-hot columns instead of an
 * error (the model file keeps its own policy).
 */
export function lenientFor(p: Pipeline, table: Table): Pipeline {
  if (p.preprocessor.unknown === 'ignore' || p.preprocessor.unseenLevels(table).length === 0) return p;
  return p.with({ preprocessor: p.preprocessor.withUnknown('ignore') });
}

/**
 * Uncertainty a trained pipeline carries in its model file: split-conformal prediction intervals for each
 * regression output (in the target's units), or adaptive prediction sets (APS) for a classifier, both
 * calibrated on rows the network and its preprocessor never saw, so a new row's interval (or set) holds
 * its true value with probability at least the level (e.g. 0.9) — exchangeability is all it assumes.
 * An ensemble's regression intervals are scaled by the spread of its members (wider where they disagree).
 */

import { takeTableRows } from '../table/rows.js';
import { TableError, type Table } from '../table/types.js';
import { apsSets, calibrateAps, calibrateSplit, ensembleSpread, splitIntervals, type ApsCalibration, type SplitCalibration } from '../uncertainty/conformal.js';
import { Ensemble } from '../train/ensemble.js';
import type { Label } from '../data/matrix-input.js';
import type { Pipeline } from './pipeline.js';
import type { Decoded, EncodedTarget } from './preprocessor.js';
import { splitRows } from './splits.js';
import type { TrainOptions } from './options.js';

/** A pipeline's calibration: the level, the rows it was calibrated on, and one calibration per regression output (or one APS). */
export interface PipelineCalibration {
  /** The coverage promised, e.g. 0.9. */
  readonly level: number;
  /** How many rows calibrated it. */
  readonly rows: number;
  readonly calibrations: readonly (SplitCalibration | ApsCalibration)[];
}

/** Prediction intervals per row and output (rows × outputs, row-major), or prediction sets of labels. */
export type PredictionUncertainty =
  | { readonly kind: 'intervals'; readonly outputs: number; readonly lower: Float64Array; readonly upper: Float64Array }
  | { readonly kind: 'sets'; readonly sets: readonly (readonly Label[])[] };

/** The share of the training rows set aside to calibrate intervals. */
export const CALIBRATION_FRACTION = 0.2;
const CAL_SALT = 0xca11_b8a7;

/** Rows to train on and rows to calibrate on (stratified for a classifier), as the options' seed says. */
export function calibrationSplit(table: Table, options: TrainOptions): { train: Table; calibration: Table } {
  const level = options.intervals!;
  const need = Math.ceil(1 / (1 - level)) - 1;
  const rows = Math.ceil(CALIBRATION_FRACTION * table.rows);
  if (rows < need) {
    throw new TableError(`${table.source}: intervals ${level} need at least ${need} calibration rows, and ${CALIBRATION_FRACTION} of ${table.rows} rows gives ${rows}; add rows or lower the level (option intervals, --intervals)`, table.source);
  }
  const split = splitRows(table, options, CALIBRATION_FRACTION, CAL_SALT, 'the calibration split of option intervals (--intervals)');
  return { train: takeTableRows(table, split.train), calibration: takeTableRows(table, split.test, `${split.test.length} calibration rows of ${table.source}`) };
}

/** Calibrate a trained pipeline's intervals (or sets) at `level` on rows it never saw. */
export function calibratePipeline(p: Pipeline, cal: Table, level: number, seed = 0): PipelineCalibration {
  const alpha = 1 - level;
  const t = p.preprocessor.target;
  const pred = p.predict(cal);
  const truth = p.preprocessor.transformTarget(cal);
  if (t.task === 'regression') {
    const k = t.names.length;
    // An ensemble's members disagree more where the model knows less: its spread scales each row's width.
    const spread = spreadOf(p, cal);
    const calibrations = t.names.map((_, j) => calibrateSplit(column(pred.values!, k, j), column(truth.values!, k, j), {
      alpha, ...(spread === null ? {} : { spread: column(spread, k, j) }),
    }));
    return { level, rows: cal.rows, calibrations };
  }
  const k = t.classes.length;
  const probs = { rows: cal.rows, cols: k, data: pred.proba! };
  return { level, rows: cal.rows, calibrations: [calibrateAps(probs, truth.classIndex!, { alpha, randomized: true, seed })] };
}

/** An ensemble's spread per row and output, in the target's units (the members' decoded predictions); null for one network. */
function spreadOf(p: Pipeline, table: Table): Float64Array | null {
  if (!(p.predictor instanceof Ensemble) || p.predictor.members.length < 2) return null;
  const x = p.preprocessor.transform(table, p.model.dtype);
  return ensembleSpread(p.predictor.members.map((m) => p.preprocessor.decode(m.predict(x)).values!));
}

function column(a: Float64Array, k: number, j: number): Float64Array {
  return Float64Array.from({ length: a.length / k }, (_, r) => a[r * k + j]!);
}

/**
 * The intervals (regression) or prediction sets (classification) of a calibrated pipeline for a table's rows;
 * `pred` is the pipeline's prediction for them when the caller has made it already.
 */
export function predictUncertainty(p: Pipeline, c: PipelineCalibration, table: Table, pred: Decoded = p.predict(table)): PredictionUncertainty {
  const t = p.preprocessor.target;
  if (t.task === 'regression') {
    const k = t.names.length;
    const lower = new Float64Array(table.rows * k);
    const upper = new Float64Array(table.rows * k);
    const spread = (c.calibrations[0] as SplitCalibration).scale === 'ensembleSpread' ? spreadOf(p, table) : null;
    c.calibrations.forEach((cal, j) => {
      const iv = splitIntervals(cal as SplitCalibration, column(pred.values!, k, j), spread === null ? undefined : column(spread, k, j));
      for (let r = 0; r < table.rows; r++) { lower[r * k + j] = iv.lower[r]!; upper[r * k + j] = iv.upper[r]!; }
    });
    return { kind: 'intervals', outputs: k, lower, upper };
  }
  const probs = { rows: table.rows, cols: t.classes.length, data: pred.proba! };
  const sets = apsSets(c.calibrations[0] as ApsCalibration, probs).map((s) => s.map((i) => t.classes[i]!));
  return { kind: 'sets', sets };
}

/** How often the intervals (or sets) hold the truth on labelled rows, and their mean width (or size). */
export function uncertaintyCoverage(
  p: Pipeline, c: PipelineCalibration, table: Table, scored?: { readonly predictions: Decoded; readonly truth: EncodedTarget },
): { readonly coverage: number; readonly meanWidth?: number; readonly meanSize?: number; readonly rows: number } {
  const u = predictUncertainty(p, c, table, scored?.predictions);
  const truth = scored?.truth ?? p.preprocessor.transformTarget(table);
  if (u.kind === 'intervals') {
    let hit = 0;
    let width = 0;
    const y = truth.values!;
    for (let i = 0; i < y.length; i++) { if (y[i]! >= u.lower[i]! && y[i]! <= u.upper[i]!) hit++; width += u.upper[i]! - u.lower[i]!; }
    return { coverage: hit / y.length, meanWidth: width / y.length, rows: table.rows };
  }
  const t = p.preprocessor.target;
  if (t.task === 'regression') throw new Error('unreachable: sets of a regression');
  let hit = 0;
  let size = 0;
  u.sets.forEach((s, r) => { if (s.includes(t.classes[truth.classIndex![r]!]!)) hit++; size += s.length; });
  return { coverage: hit / table.rows, meanSize: size / table.rows, rows: table.rows };
}

/** A stored calibration, checked as data (a model file from elsewhere); every error names the field. */
export function parseCalibration(v: unknown, path: string, outputs: number, classifier: boolean, ensemble = false): PipelineCalibration {
  const o = v as Record<string, unknown>;
  const bad = (what: string): never => { throw new Error(`${path}${what}`); };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(': expected an object { level, rows, calibrations }');
  if (typeof o.level !== 'number' || !(o.level > 0 && o.level < 1)) bad(`.level: expected a coverage in (0, 1), got ${JSON.stringify(o.level)}`);
  if (typeof o.rows !== 'number' || !Number.isInteger(o.rows) || o.rows < 1) bad(`.rows: expected a row count ≥ 1, got ${JSON.stringify(o.rows)}`);
  const list = o.calibrations;
  const want = classifier ? 1 : outputs;
  if (!Array.isArray(list) || list.length !== want) bad(`.calibrations: expected ${want} calibration${want === 1 ? '' : 's'}`);
  (list as unknown[]).forEach((c, i) => {
    const x = c as Record<string, unknown>;
    const kind = classifier ? 'aps' : 'splitConformal';
    if (typeof c !== 'object' || c === null || x.kind !== kind) bad(`.calibrations[${i}].kind: expected '${kind}'`);
    if (typeof x.quantile !== 'number' || Number.isNaN(x.quantile)) bad(`.calibrations[${i}].quantile: expected a number`);
    if (typeof x.alpha !== 'number' || Math.abs(x.alpha - (1 - (o.level as number))) > 1e-9) bad(`.calibrations[${i}].alpha: expected 1 − level`);
    if (!classifier && x.scale !== 'constant' && x.scale !== (ensemble ? 'ensembleSpread' : 'constant')) bad(`.calibrations[${i}].scale: expected 'constant'${ensemble ? " or 'ensembleSpread'" : ' (a single network has no spread)'}`);
  });
  return v as PipelineCalibration;
}

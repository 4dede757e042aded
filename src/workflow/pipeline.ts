/**
 * A trained pipeline: the fitted Preprocessor, the network (or an ensemble of networks), the options it
 * was trained with and a summary of the run. It predicts from raw tables and is what the one model file
 * holds: `pipeline.toFile()` is written by every door, and `Pipeline.fromFile()` reads what any door wrote.
 */

import type { Model } from '../graph/model.js';
import type { Matrix } from '../matrix.js';
import { ensembleMembersJson, predictorFromFile } from '../io/ensemble-file.js';
import type { JsonObject } from '../io/json-check.js';
import { modelToFile, parseModelFile, type ModelFile } from '../io/model-file.js';
import { checkPredictions } from '../io/model-checks.js';
import type { Table } from '../table/types.js';
import { Ensemble } from '../train/ensemble.js';
import { evaluateDecoded, type Evaluation } from './evaluate.js';
import { checkTrainOptions, type TrainOptions } from './options.js';
import { Preprocessor, type Decoded, type EncodedTarget } from './preprocessor.js';
import { parsePreprocessor } from './preprocessor-json.js';
import { parseCalibration, predictUncertainty, type PipelineCalibration, type PredictionUncertainty } from './intervals.js';

/** What a run did, as stored in the model file's `training.summary`. */
export interface TrainingSummary {
  /** The table trained on (its name in messages) and how many rows went where. */
  readonly data: {
    readonly source: string; readonly rows: number; readonly trainRows: number; readonly validationRows: number;
    /** ',' when the table's numbers had decimal commas: the commands read the model's files so by default. */
    readonly decimal?: ',';
  };
  readonly epochs: number;
  readonly stopReason: string;
  readonly bestEpoch: number;
  readonly finalTrainLoss: number | null;
  readonly finalValLoss: number | null;
  /** Restarts: each run's validation loss, and the run kept (or all, for an ensemble). */
  readonly restarts?: { readonly valLosses: readonly number[]; readonly kept: number | 'all' };
  /** Scores on held-out rows, when the door measured them (e.g. the command's test split). */
  readonly heldOut?: {
    readonly source?: string; readonly rows: number; readonly metrics: Readonly<Record<string, number>>;
    /** With intervals: their coverage on the held-out rows and mean width (regression) or mean set size (classification). */
    readonly coverage?: { readonly coverage: number; readonly meanWidth?: number; readonly meanSize?: number; readonly rows: number };
  };
}

/** A fitted preprocessor and its network (or ensemble): raw tables in, labels, probabilities or values out; the one model file. */
export class Pipeline {
  constructor(
    readonly predictor: Model | Ensemble,
    readonly preprocessor: Preprocessor,
    readonly options: TrainOptions | null = null,
    readonly summary: TrainingSummary | null = null,
    /** Prediction intervals or sets, when the run was asked for them (option intervals). */
    readonly calibration: PipelineCalibration | null = null,
  ) {
    if (predictor.inputSize !== preprocessor.width) throw new Error(`Pipeline: the preprocessor gives ${preprocessor.width} inputs, the network takes ${predictor.inputSize}`);
    if (predictor.outputSize !== preprocessor.outputWidth) throw new Error(`Pipeline: the preprocessor expects ${preprocessor.outputWidth} outputs, the network has ${predictor.outputSize}`);
  }

  /** The same pipeline with some parts replaced. */
  with(parts: { readonly preprocessor?: Preprocessor; readonly summary?: TrainingSummary | null; readonly calibration?: PipelineCalibration | null }): Pipeline {
    return new Pipeline(this.predictor, parts.preprocessor ?? this.preprocessor, this.options, parts.summary === undefined ? this.summary : parts.summary, parts.calibration === undefined ? this.calibration : parts.calibration);
  }

  /**
   * Intervals (regression) or prediction sets (classification) for a table's rows; refused when the model
   * was not calibrated. `predicted` is `predict(table)` when the caller has it already.
   */
  uncertainty(table: Table, predicted?: Decoded): PredictionUncertainty {
    if (this.calibration === null) throw new Error('this model has no prediction intervals: train it with option intervals (--intervals 0.9)');
    return predictUncertainty(this, this.calibration, table, predicted);
  }

  /** The network (member 0 of an ensemble). */
  get model(): Model { return this.predictor instanceof Ensemble ? this.predictor.members[0]! : this.predictor; }
  get task(): Preprocessor['task'] { return this.preprocessor.task; }

  /**
   * The network's raw outputs for a table's rows; `encoded` is the table already through the preprocessor
   * (as training holds it), so a large table is not encoded twice.
   */
  outputs(table: Table, encoded?: Matrix): Matrix {
    if (encoded !== undefined && encoded.rows !== table.rows) throw new Error(`Pipeline: ${encoded.rows} encoded rows for a table of ${table.rows}`);
    const out = this.predictor.predict(encoded ?? this.preprocessor.transform(table, this.model.dtype));
    // A model file from elsewhere is data: an output that is not finite is refused, never printed.
    checkPredictions(out.data, out.rows, out.cols, (r) => `${table.source}, line ${table.lines[r] ?? r + 2}`);
    return out;
  }

  /** Labels and probabilities, or values in the target's units, for every row of a raw table. */
  predict(table: Table): Decoded {
    return this.preprocessor.decode(this.outputs(table));
  }

  /**
   * Scores on a table that holds the target column(s) (named as in training, or as `targetColumns` says).
   * `encoded` may give the table's features and targets already through the preprocessor (training's own).
   */
  evaluate(table: Table, targetColumns?: readonly string[], encoded?: { readonly x: Matrix; readonly y: EncodedTarget }): Evaluation & { readonly predictions: Decoded; readonly truth: EncodedTarget } {
    const truth = encoded?.y ?? this.preprocessor.transformTarget(table, 'float64', targetColumns);
    const predictions = this.preprocessor.decode(this.outputs(table, encoded?.x));
    return { ...evaluateDecoded(this.preprocessor.target, predictions, truth), predictions, truth };
  }

  /** The one model file: spec, weights, preprocessor, task, classes, options, summary, mlpkit version. */
  toFile(metadata?: JsonObject): ModelFile {
    const t = this.preprocessor.target;
    const members = this.predictor instanceof Ensemble ? ensembleMembersJson(this.predictor) : [];
    const training = JSON.parse(JSON.stringify({
      ...(this.options === null ? {} : { options: this.options }),
      ...(this.summary === null ? {} : { summary: this.summary }),
      ...(this.calibration === null ? {} : { calibration: this.calibration }),
      ...(members.length === 0 ? {} : { ensembleMembers: members }),
    })) as JsonObject;
    return modelToFile(this.model, {
      task: t.task,
      ...(t.task === 'regression' ? {} : { classes: [...t.classes] }),
      preprocessing: JSON.parse(JSON.stringify(this.preprocessor.toJSON())) as JsonObject,
      ...(Object.keys(training).length === 0 ? {} : { training }),
      ...(metadata === undefined ? {} : { metadata }),
    });
  }

  /** Read a model file written by any door (or by mlpkit 0.1.0); every error names the field. */
  static fromFile(json: unknown, source?: string): Pipeline {
    const file = parseModelFile(json, source);
    const where = source === undefined ? '' : `${source}: `;
    const predictor = predictorFromFile(file, source === undefined ? {} : { source });
    if (file.preprocessing === undefined) {
      throw new Error(`${where}$.preprocessing: the file holds a bare network with no preprocessing (saved with modelToFile); load it with modelFromFile and feed it prepared inputs, or save a Pipeline`);
    }
    const prep = parsePreprocessor(file.preprocessing, `${where}$.preprocessing`, {
      inputSize: predictor.inputSize, outputSize: predictor.outputSize, loss: file.spec,
      ...(file.task === undefined ? {} : { task: file.task }),
      ...(file.classes === undefined ? {} : { classes: file.classes }),
    });
    const tr = file.training ?? {};
    const options = storedOptions(tr.options, `${where}$.training.options`);
    const summary = isSummary(tr.summary) ? tr.summary : null;
    const decimal: unknown = summary?.data.decimal;
    if (decimal !== undefined && decimal !== ',') throw new Error(`${where}$.training.summary.data.decimal: expected ',' (or no such field), got ${JSON.stringify(decimal)}`);
    const calibration = tr.calibration === undefined ? null
      : parseCalibration(tr.calibration, `${where}$.training.calibration`, prep.outputWidth, prep.task !== 'regression', predictor instanceof Ensemble);
    return new Pipeline(predictor, prep, options, summary, calibration);
  }
}

/** The options a file was trained with, checked as any options are (a file from elsewhere is data). */
function storedOptions(v: unknown, path: string): TrainOptions | null {
  if (v === undefined) return null;
  if (!isTrainOptions(v)) throw new Error(`${path}: expected the training options object`);
  checkTrainOptions(v, path);
  return v;
}

function isTrainOptions(v: unknown): v is TrainOptions {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'target' in v;
}

function isSummary(v: unknown): v is TrainingSummary {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'epochs' in v && 'stopReason' in v && 'data' in v;
}

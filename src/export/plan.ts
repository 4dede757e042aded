/**
 * What the code generators (JavaScript, C, PyTorch) read: a trained pipeline in its inference form, as
 * plain data. One walk, the same for every language:
 *
 *   raw row      each feature column, in the preprocessor's order: a number (missing → the imputation's
 *                fill, or refused), or a category level → its code (the plan's level index; missing → the
 *                fill's code; unseen → the '(other)' code, all zeros with unknown: 'ignore', or refused)
 *   features     the preprocessor's own `featureSteps()` on that vector of numbers and codes
 *                (one-hot of the codes, then the affine scaling), rounded to the network's float32
 *   network      every member's graph in topological order (dense, activation, batch norm in inference
 *                form, dropout and noise as the identity, add, concat); an ensemble is the members' mean
 *   decoding     the task's: probabilities and the label index, or the values mapped back to the target's units
 *
 * The network walk is src/export/graph.ts, which the ONNX export shares.
 */

import { affineOf } from '../io/features.js';
import type { ModelFile } from '../io/model-file.js';
import { Ensemble } from '../train/ensemble.js';
import { VERSION } from '../version.js';
import { networkPlan, type NetworkPlan } from './graph.js';
import { Pipeline } from '../workflow/pipeline.js';
import { type ColumnPlan, type TargetPlan, type UnknownPolicy } from '../workflow/preprocessor.js';

export { activationsUsed, type ActivationPlan, type NetworkOp, type NetworkPlan } from './graph.js';

/** What an exporter takes: a trained pipeline, a model file, or a model file's JSON text. */
export type ExportSource = Pipeline | ModelFile | string;

/** How one feature column of a raw row becomes a number or a category code. */
export type RawColumn =
  | { readonly name: string; readonly type: 'number'; readonly fill: number | null }
  | { readonly name: string; readonly type: 'category'; readonly levels: readonly string[];
      /** Code of a missing cell, or null when a missing cell is refused. */
      readonly fillCode: number | null;
      /** Code of a level never seen in training: the '(other)' code, −1 (all zeros), or null (refused). */
      readonly unknownCode: number | null };

/** A scaling step of the features, as the affine z = (x − shift)/divisor + offset per column. */
export interface AffineStep { readonly kind: 'affine'; readonly shift: readonly number[]; readonly divisor: readonly number[]; readonly offset: number }
/** A one-hot step of the features: each listed column's code replaced, in place, by one 0/1 column per category. */
export interface CodeStep { readonly kind: 'oneHot'; readonly columns: readonly number[]; readonly categories: readonly (readonly number[])[] }

/** A trained pipeline as the generators read it. */
export interface ExportPlan {
  readonly version: string;
  /** Where it came from, for the generated file's first comment. */
  readonly description: string;
  readonly columns: readonly RawColumn[];
  readonly steps: readonly (CodeStep | AffineStep)[];
  /** Network inputs after the steps. */
  readonly featureWidth: number;
  readonly featureNames: readonly string[];
  readonly target: TargetPlan;
  readonly unknown: UnknownPolicy;
  readonly networks: readonly NetworkPlan[];
  /** Network outputs (1 for a binary classifier). */
  readonly outputWidth: number;
}

/** The pipeline of an export source (a model file is read as `mlpkit predict` reads it). */
export function pipelineOf(source: ExportSource): Pipeline {
  if (source instanceof Pipeline) return source;
  if (typeof source === 'object' && source !== null && 'preprocessor' in source && 'predictor' in source) return source as unknown as Pipeline;
  return Pipeline.fromFile(source);
}

/** The inference plan of a pipeline; `what` names the exporter in a refusal. */
export function exportPlan(source: ExportSource, what: string): ExportPlan {
  const p = pipelineOf(source);
  const prep = p.preprocessor;
  const members = p.predictor instanceof Ensemble ? p.predictor.members : [p.predictor];
  const steps = prep.featureSteps().map((s): CodeStep | AffineStep => (s.kind === 'oneHot' ? s : { kind: 'affine', ...affineOf(s) }));
  const kind = p.task === 'regression' ? 'regression' : `${p.task} classifier`;
  return {
    version: VERSION,
    description: `a ${kind} of ${members.length === 1 ? 'one network' : `an ensemble of ${members.length} networks`} on ${prep.columns.length} feature column${prep.columns.length === 1 ? '' : 's'}`,
    columns: prep.columns.map((c) => rawColumn(c, prep.unknown)),
    steps,
    featureWidth: prep.width,
    featureNames: prep.featureNames,
    target: prep.target,
    unknown: prep.unknown,
    networks: members.map((m) => networkPlan(m, what)),
    outputWidth: prep.outputWidth,
  };
}

/** The codes of a column plan, as the preprocessor's `transform` gives them. */
function rawColumn(c: ColumnPlan, unknown: UnknownPolicy): RawColumn {
  if (c.type === 'number') return { name: c.name, type: 'number', fill: c.fill };
  const otherCode = c.other ? c.levels.length : null;
  const fillCode = c.fill === null ? null : c.levels.includes(c.fill) ? c.levels.indexOf(c.fill) : otherCode;
  return { name: c.name, type: 'category', levels: c.levels, fillCode, unknownCode: otherCode ?? (unknown === 'ignore' ? -1 : null) };
}

/** The shortest decimal spelling that reads back as the same float32 (`v` is a float32 value). */
export function float32Literal(v: number): string {
  const f = Math.fround(v);
  if (!Number.isFinite(f)) throw new Error(`export: a weight is ${f}; only finite weights can be written`);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  for (let p = 1; p < 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return tidy(s);
  }
  return tidy(f.toPrecision(9));
}

/** The shortest decimal spelling that reads back as the same float64. */
export function float64Literal(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`export: a stored number is ${v}; only finite numbers can be written`);
  return String(v);
}

function tidy(s: string): string {
  // 1.50000e+3 → 1.5e+3, 2.500 → 2.5
  const [m, e] = s.split('e');
  const mant = m!.includes('.') ? m!.replace(/0+$/, '').replace(/\.$/, '') : m!;
  return e === undefined ? mant : `${mant}e${e}`;
}

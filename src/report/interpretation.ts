/**
 * The report's interpretation data for a trained model on a set of rows: permutation importance
 * (mean ± std of the score's drop), mean |∂ŷ/∂x| saliency per feature, and the partial-dependence
 * curve of the most important feature. Shared by `mlpkit train --report` and `mlpkit explain --report`
 * so both draw the same section.
 */

import type { Model } from '../graph/model.js';
import type { NumericMatrix } from '../data/matrix-input.js';
import { permutationImportance, type PermutationImportance } from '../explain/importance.js';
import { saliency } from '../explain/saliency.js';
import { partialDependence, type PartialDependence } from '../explain/partial-dependence.js';
import { affineOf, type FeatureStep } from '../io/features.js';
import type { TargetPlan } from '../workflow/preprocessor.js';
import type { ReportInterpretation } from './report.js';

export interface InterpretOptions {
  /** Which rows these are, for the section's title. */
  readonly setName: string;
  readonly featureNames: readonly string[];
  /**
   * What the outputs are: the probability of each class (of the positive class for binary), or the
   * target; a regression target the model learned standardized (ŷ = (y − mean)/scale) is shown on its
   * own scale.
   */
  readonly target: {
    readonly name: string; readonly task: 'regression' | 'binary' | 'multiclass'; readonly classes?: readonly string[];
    readonly mean?: number; readonly scale?: number;
  };
  /**
   * The feature pipeline the model's inputs went through: a scaling z = (x − shift)/divisor is undone
   * for the partial-dependence grid, shown on the feature's raw scale, and for the saliency (below).
   */
  readonly features?: readonly FeatureStep[];
  /**
   * The units of the saliency: 'raw' (default), ∂ŷ/∂x per unit of each column as the data gives it; or
   * 'standardized', ∂ŷ/∂z per unit of the scaled input the network sees (per standard deviation for a
   * standard scaling), which compares features of different units in one chart.
   */
  readonly saliencyUnits?: SaliencyUnits;
  /** Model inputs that are one original feature (a category's one-hot columns), permuted together. */
  readonly groups?: readonly { readonly name: string; readonly columns: readonly number[] }[];
  readonly repeats?: number;
  readonly seed?: number;
  /** Partial dependence of this feature (index) instead of the most important one. */
  readonly feature?: number;
  /** Grid points of the partial-dependence curve (default 20). */
  readonly grid?: number;
}

/** Saliency per raw unit of each column, or per unit of the scaled input the network sees. */
export type SaliencyUnits = 'raw' | 'standardized';

export interface Interpretation {
  readonly importance: PermutationImportance;
  /** Mean |∂ŷ/∂x| per model input in `saliencyUnits`, ŷ on the target's scale (null for a model without gradients). */
  readonly saliency: number[] | null;
  /** The units the saliency is in, as words for a label (e.g. 'raw inputs: per unit of each column'). */
  readonly saliencyUnits: string;
  /** The curve with its grid on the feature's raw scale and its values on the target's. */
  readonly partialDependence: PartialDependence;
  /** The same results as the report draws them. */
  readonly report: ReportInterpretation;
}

/** Importance, saliency and partial dependence of `model` on rows x (model inputs) with targets y. */
export function interpretModel(model: Model, x: NumericMatrix, y: NumericMatrix, o: InterpretOptions): Interpretation {
  const names = o.featureNames;
  const imp = permutationImportance(model, x, y, { repeats: o.repeats ?? 5, seed: o.seed ?? 0, featureNames: names, ...(o.groups === undefined ? {} : { groups: o.groups }) });
  const step = o.features?.find((f): f is Exclude<FeatureStep, { kind: 'oneHot' }> => f.kind === 'standard' || f.kind === 'minmax');
  const affine = step === undefined ? undefined : affineOf(step);
  const ys = o.target.task === 'regression' ? o.target.scale ?? 1 : 1;
  const y0 = o.target.task === 'regression' ? o.target.mean ?? 0 : 0;
  const units = o.saliencyUnits ?? 'raw';
  // dz/dx = 1/divisor: the chain rule turns the network's ∂ŷ/∂z into ∂ŷ/∂x per raw unit.
  const inputScale = units === 'raw' && affine !== undefined ? { inputScale: affine.divisor.map((d) => 1 / d) } : {};
  const sal = model.trainable ? saliency(model, x, inputScale).meanAbs.map((v) => v * ys) : null;
  const feature = o.feature ?? o.groups?.[imp.ranking[0]!]?.columns[0] ?? imp.ranking[0]!;
  const pd = partialDependence(model, x, feature, { grid: o.grid ?? 20 });
  const toRaw = (z: number): number => (affine === undefined ? z : (z - affine.offset) * affine.divisor[feature]! + affine.shift[feature]!);
  const saliencyUnits = affine === undefined
    ? 'raw inputs: per unit of each column (the network sees them unscaled)'
    : units === 'raw' ? 'raw inputs: per unit of each column' : 'standardized inputs: per unit of z, the scaled column the network sees';
  const pdRaw: PartialDependence = { ...pd, grid: pd.grid.map(toRaw), curves: pd.curves.map((c) => c.map((v) => v * ys + y0)) };
  const outputs = outputNames(o.target);
  const name = (j: number): string => names[j] ?? `x${j + 1}`;
  return {
    importance: imp, saliency: sal, saliencyUnits, partialDependence: pdRaw,
    report: {
      setName: o.setName, scoreName: imp.score,
      importance: imp.features.map((f) => ({ name: f.name, mean: f.mean, std: f.std })),
      ...(sal === null ? {} : { saliency: sal.map((v, j) => ({ name: name(j), meanAbs: v })), saliencyInputs: saliencyUnits }),
      partialDependence: {
        feature: name(feature), grid: pdRaw.grid,
        curves: pdRaw.curves.map((values, k) => ({ output: outputs[k] ?? `output ${k + 1}`, values })),
      },
    },
  };
}

/** The interpretation's view of a fitted preprocessor's target (a regression's first output). */
export function targetForInterpretation(t: TargetPlan): InterpretOptions['target'] {
  if (t.task === 'regression') return { name: t.names[0]!, task: t.task, mean: t.mean[0]!, scale: t.scale[0]! };
  return { name: t.name, task: t.task, classes: t.classes.map(String) };
}

/** Names of a model's outputs: P(class) per class, P(positive class) for binary, the target for regression. */
export function outputNames(t: InterpretOptions['target']): string[] {
  const classes = t.classes ?? [];
  if (t.task === 'multiclass') return classes.map((c) => `P(${c})`);
  if (t.task === 'binary') return [`P(${classes[1] ?? 'positive'})`];
  return [t.name];
}

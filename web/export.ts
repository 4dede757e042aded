/**
 * The playground's model as an mlpkit model file — the one file every door writes. When the network's
 * inputs are a CSV's own columns (only the x₁ and x₂ features, no squares or sines), the file carries a
 * Preprocessor: the columns in input order, the page's scaling to [−1, 1] as each column's centre and
 * half-range, and the target — so `mlpkit predict model.json data.csv`, `loadModel` and the ONNX export
 * take the file's raw columns. Otherwise the inputs are the page's features of scaled columns, described
 * in the metadata.
 */

import { modelToFile, Preprocessor, type JsonObject, type Model, type ModelFile } from '../src/index.js';
import type { Problem } from './data.js';
import { inputNames } from './data.js';
import { FEATURE_LABELS, type PlaygroundState } from './state.js';

/** The preprocessing of this problem's raw columns, or null when the inputs are not raw columns. */
export function rawColumnsPreprocessing(p: Problem, s: PlaygroundState): JsonObject | null {
  if (s.dataset !== 'csv' || s.features.length === 0 || !s.features.every((f) => f === 'x1' || f === 'x2')) return null;
  // The network's inputs, as columns of X: the view's columns (x₁, x₂ as selected), then the others.
  const cols = [
    ...s.features.map((f) => (f === 'x1' ? p.viewX : p.viewY)),
    ...p.names.map((_, j) => j).filter((j) => j !== p.viewX && j !== p.viewY),
  ];
  const prep = Preprocessor.fromPlan({
    columns: cols.map((j) => ({ name: p.names[j]!, type: 'number' as const, fill: null, center: p.centre[j]!, scale: p.half[j]! })),
    target: p.task === 'regression'
      ? { task: 'regression', names: [p.targetName], mean: [p.targetScaling?.centre ?? 0], scale: [p.targetScaling?.half ?? 1] }
      : { task: p.task, name: p.targetName, classes: [...p.classes] },
    unknown: 'error', scaling: 'minmax', impute: null,
  });
  return JSON.parse(JSON.stringify(prep.toJSON())) as JsonObject;
}

/** The model file the page's "Model JSON" button saves; `link` is the page's address (its whole setting). */
export function playgroundModelFile(model: Model, p: Problem, s: PlaygroundState, link: string): ModelFile {
  const preprocessing = rawColumnsPreprocessing(p, s);
  return modelToFile(model, {
    task: p.task,
    ...(p.task === 'regression' ? {} : { classes: [...p.classes] }),
    ...(preprocessing === null ? {} : { preprocessing }),
    metadata: {
      source: 'mlpkit playground', inputs: inputNames(p, s.features, FEATURE_LABELS), target: p.targetName, playground: link,
      scaling: preprocessing === null
        ? 'the inputs are the features above of the columns scaled to [-1, 1] over the data set (and a regression target likewise)'
        : 'preprocessing holds the scaling: the file takes the raw columns named there',
    },
  });
}

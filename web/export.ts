/**
 * The playground's model as an mlpkit model file. When the network's inputs are a CSV's own columns
 * (only the x₁ and x₂ features, no squares or sines), the file also carries the command's preprocessing
 * section — the columns in input order, the page's scaling as a standardization step and the target —
 * so `mlpkit predict model.json data.csv` and the ONNX export take the file's raw columns. Otherwise the
 * inputs are the page's features of scaled columns, described in the metadata.
 */

import { modelToFile, type JsonObject, type Model, type ModelFile } from '../src/index.js';
import type { Problem } from './data.js';
import { inputNames } from './data.js';
import { FEATURE_LABELS, type PlaygroundState } from './state.js';

/** The command's preprocessing section for this problem, or null when the inputs are not raw columns. */
export function rawColumnsPreprocessing(p: Problem, s: PlaygroundState): JsonObject | null {
  if (s.dataset !== 'csv' || s.features.length === 0 || !s.features.every((f) => f === 'x1' || f === 'x2')) return null;
  // The network's inputs, as columns of X: the view's columns (x₁, x₂ as selected), then the others.
  const cols = [
    ...s.features.map((f) => (f === 'x1' ? p.viewX : p.viewY)),
    ...p.names.map((_, j) => j).filter((j) => j !== p.viewX && j !== p.viewY),
  ];
  const target: JsonObject = p.task === 'regression'
    ? { name: p.targetName, task: 'regression', mean: p.targetScaling?.centre ?? 0, scale: p.targetScaling?.half ?? 1 }
    : { name: p.targetName, task: p.task, classes: [...p.classes] };
  return {
    columns: cols.map((j) => ({ name: p.names[j]!, kind: 'numeric', impute: null })),
    featureNames: cols.map((j) => p.names[j]!),
    features: [{ kind: 'standard', withMean: true, withStd: true, mean: cols.map((j) => p.centre[j]!), scale: cols.map((j) => p.half[j]!) }],
    target,
  };
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

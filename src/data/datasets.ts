/**
 * Bundled data sets: `await loadDataset(name, options?)`.
 *
 * Real tables ship inside the package as CSV text modules (src/data/datasets/, provenance in its
 * README) and are imported lazily, so a browser bundle loads only the table it asks for.
 * Generated sets are seeded and take { n, noise, seed }.
 */

import type { Label } from './matrix-input.js';
import {
  circles, convexPolygon, gaussians, halfPlane, moons, polygonUnion, sin, twoSpirals, xor,
} from './generators.js';
import type { Generated, GaussiansOptions } from './generators.js';

export type Task = 'classification' | 'regression';

/** A loaded data set: rows of features, a label or target per row, the names, the task and a description. */
export interface Dataset {
  readonly name: string;
  /** Rows of features. */
  readonly x: number[][];
  /** Class labels (classification) or targets (regression), one per row. */
  readonly y: Label[];
  readonly featureNames: string[];
  readonly targetName: string;
  readonly task: Task;
  readonly description: string;
}

/** Options of the generated sets (rows, noise, seed, and for gaussians the classes). */
export type DatasetOptions = GaussiansOptions;

/** A data set as listDatasets describes it. */
export interface DatasetInfo {
  readonly name: string;
  readonly task: Task;
  /** 'table': real data, fixed; 'generator': synthetic, seeded. */
  readonly kind: 'table' | 'generator';
  readonly description: string;
}

interface TableEntry extends DatasetInfo {
  readonly kind: 'table';
  readonly featureNames: readonly string[];
  readonly targetName: string;
  /** Class names by class index; absent for regression. */
  readonly classNames?: readonly string[];
  readonly load: () => Promise<string>;
}

interface GeneratorEntry extends DatasetInfo {
  readonly kind: 'generator';
  readonly featureNames: readonly string[];
  readonly targetName: string;
  readonly generate: (o: DatasetOptions) => Generated;
}

const XY = ['x1', 'x2'] as const;

const REGISTRY: readonly (TableEntry | GeneratorEntry)[] = [
  {
    name: 'iris', kind: 'table', task: 'classification',
    description: 'Fisher\'s iris flowers (1936): 150 rows, 4 measurements in cm, 3 species of 50 each; one species is linearly separable from the other two.',
    featureNames: ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'],
    targetName: 'species', classNames: ['setosa', 'versicolor', 'virginica'],
    load: async () => (await import('./datasets/iris-table.js')).table,
  },
  {
    name: 'wine', kind: 'table', task: 'classification',
    description: 'Wine recognition (UCI): 178 wines from 3 cultivars, 13 chemical measurements on very different scales (standardize first).',
    featureNames: [
      'alcohol', 'malic_acid', 'ash', 'alcalinity_of_ash', 'magnesium', 'total_phenols', 'flavanoids',
      'nonflavanoid_phenols', 'proanthocyanins', 'color_intensity', 'hue', 'od280/od315_of_diluted_wines', 'proline',
    ],
    targetName: 'cultivar', classNames: ['class_0', 'class_1', 'class_2'],
    load: async () => (await import('./datasets/wine-table.js')).table,
  },
  {
    name: 'breast-cancer', kind: 'table', task: 'classification',
    description: 'Breast Cancer Wisconsin (Diagnostic, UCI): 569 tumours, 30 features of cell nuclei (mean, error, worst of 10 measures), malignant (212) or benign (357).',
    featureNames: [
      'mean radius', 'mean texture', 'mean perimeter', 'mean area', 'mean smoothness', 'mean compactness',
      'mean concavity', 'mean concave points', 'mean symmetry', 'mean fractal dimension', 'radius error',
      'texture error', 'perimeter error', 'area error', 'smoothness error', 'compactness error', 'concavity error',
      'concave points error', 'symmetry error', 'fractal dimension error', 'worst radius', 'worst texture',
      'worst perimeter', 'worst area', 'worst smoothness', 'worst compactness', 'worst concavity',
      'worst concave points', 'worst symmetry', 'worst fractal dimension',
    ],
    targetName: 'diagnosis', classNames: ['malignant', 'benign'],
    load: async () => (await import('./datasets/breast-cancer-table.js')).table,
  },
  {
    name: 'diabetes', kind: 'table', task: 'regression',
    description: 'Diabetes (Efron et al. 2004): 442 patients, age, sex, BMI, blood pressure and six serum measurements (unscaled); target: disease progression one year later.',
    featureNames: ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6'],
    targetName: 'progression',
    load: async () => (await import('./datasets/diabetes-table.js')).table,
  },
  {
    name: 'xor', kind: 'generator', task: 'classification', featureNames: [...XY], targetName: 'class',
    description: 'XOR: uniform in [−1, 1]², class 1 where the signs of x1 and x2 differ. Defaults n 200, noise 0.',
    generate: xor,
  },
  {
    name: 'two-spirals', kind: 'generator', task: 'classification', featureNames: [...XY], targetName: 'class',
    description: 'Two interleaved spirals of 1.75 turns, radius 0 to 1. Defaults n 400, noise 0.',
    generate: twoSpirals,
  },
  {
    name: 'circles', kind: 'generator', task: 'classification', featureNames: [...XY], targetName: 'class',
    description: 'Two concentric circles, radius 1 (class 0) and 0.5 (class 1). Defaults n 200, noise 0.05.',
    generate: circles,
  },
  {
    name: 'moons', kind: 'generator', task: 'classification', featureNames: [...XY], targetName: 'class',
    description: 'Two interleaving half circles. Defaults n 200, noise 0.1.',
    generate: moons,
  },
  {
    name: 'gaussians', kind: 'generator', task: 'classification', featureNames: [...XY], targetName: 'class',
    description: 'Gaussian clusters centred on a circle of radius 2, one per class. Defaults n 300, noise (cluster SD) 0.5, classes 3.',
    generate: gaussians,
  },
  {
    name: 'sin', kind: 'generator', task: 'regression', featureNames: ['x'], targetName: 'y',
    description: 'y = sin(x) + noise·N(0, 1), x uniform in [−π, π]. Defaults n 200, noise 0.',
    generate: sin,
  },
  {
    name: 'half-plane', kind: 'generator', task: 'classification', featureNames: [...XY], targetName: 'class',
    description: 'Uniform in [−1, 1]², class 1 where 2·x1 − x2 > 0.3: separable by one neuron. Points within 0.02 of the boundary are redrawn. Defaults n 300, noise 0.',
    generate: halfPlane,
  },
  {
    name: 'convex-polygon', kind: 'generator', task: 'classification', featureNames: [...XY], targetName: 'class',
    description: 'Uniform in [−1, 1]², class 1 inside a convex pentagon (an intersection of 5 half-planes: two layers). Margin 0.02. Defaults n 300, noise 0.',
    generate: convexPolygon,
  },
  {
    name: 'polygon-union', kind: 'generator', task: 'classification', featureNames: [...XY], targetName: 'class',
    description: 'Uniform in [−1, 1]², class 1 inside either of two disjoint convex polygons (a union of intersections: three layers). Margin 0.02. Defaults n 300, noise 0.',
    generate: polygonUnion,
  },
];

/** Every bundled data set, tables first. */
export function listDatasets(): DatasetInfo[] {
  return REGISTRY.map(({ name, task, kind, description }) => ({ name, task, kind, description }));
}

/** Parse a bundled CSV table: numbers only, the last column the class index or target. */
function parseTable(name: string, text: string, width: number): { x: number[][]; last: number[] } {
  const x: number[][] = [];
  const last: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const cells = line.split(',').map(Number);
    if (cells.length !== width + 1 || cells.some((v) => !Number.isFinite(v))) {
      throw new Error(`dataset ${name}: line ${i + 1} of the bundled table is malformed`);
    }
    last.push(cells.pop()!);
    x.push(cells);
  }
  return { x, last };
}

/**
 * Load a bundled data set by name. Options { n, noise, seed } (and `classes` for gaussians) apply
 * to generated sets; a real table takes none. Each call returns fresh arrays the caller may modify.
 */
export async function loadDataset(name: string, options: DatasetOptions = {}): Promise<Dataset> {
  const entry = REGISTRY.find((e) => e.name === name);
  if (entry === undefined) {
    throw new Error(`loadDataset: unknown data set ${JSON.stringify(name)}; known: ${REGISTRY.map((e) => e.name).join(', ')}`);
  }
  const base = {
    name, featureNames: [...entry.featureNames], targetName: entry.targetName, task: entry.task, description: entry.description,
  };
  if (entry.kind === 'generator') {
    if (options.classes !== undefined && name !== 'gaussians') throw new Error(`loadDataset: option 'classes' applies only to gaussians`);
    const { x, y } = entry.generate(options);
    return { ...base, x, y };
  }
  const given = Object.entries(options).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (given.length > 0) throw new Error(`loadDataset: ${name} is a fixed table; options ${given.join(', ')} apply only to generated sets`);
  const { x, last } = parseTable(name, await entry.load(), entry.featureNames.length);
  const classNames = entry.classNames;
  const y: Label[] = classNames === undefined ? last : last.map((k) => {
    const c = classNames[k];
    if (c === undefined) throw new Error(`dataset ${name}: class index ${k} has no name`);
    return c;
  });
  return { ...base, x, y };
}

/**
 * The lecture's "number of layers" argument as runnable experiments on sets in the square [−1, 1]²:
 *
 *   half-plane       one layer selects it (a single neuron's threshold)
 *   convex polygon   two layers (an AND of half-planes)
 *   polygon union    three layers (an OR of ANDs); a non-convex L-shape likewise
 *
 * For each set: networks of 1, 2 and 3 layers (0, 1, 2 hidden layers; the lecture counts hidden +
 * output) with sigmoid or ReLU hidden units are trained by `fit` and scored on fresh points; and the
 * lecture's construction (demos/geometry.ts) is evaluated as a step network and as a steep-sigmoid
 * network, showing the set is represented exactly at the depth the lecture names. Results carry
 * probability grids for the pictures.
 */

import { Model } from '../graph/model.js';
import { mlp } from '../graph/builders.js';
import { fit } from '../train/fit.js';
import { convexPolygon, GEOMETRIC_SETS, halfPlane, polygonUnion, type Generated } from '../data/generators.js';
import { Rng } from '../rng.js';
import { zeros } from '../matrix.js';
import { constructNetwork, insideUnion, type Polygon } from './geometry.js';

/** The lecture's geometric sets, by the number of layers each needs. */
export const GEOMETRIC_SET_NAMES = ['half-plane', 'convex-polygon', 'polygon-union', 'non-convex'] as const;
/** The name of a geometric set. */
export type GeometricSetName = (typeof GEOMETRIC_SET_NAMES)[number];

/** An L-shape: two overlapping rectangles, connected but not convex. */
const L_SHAPE: readonly Polygon[] = [
  [[-0.8, -0.8], [0.7, -0.8], [0.7, -0.25], [-0.8, -0.25]],
  [[-0.8, -0.8], [-0.25, -0.8], [-0.25, 0.7], [-0.8, 0.7]],
];

/** The convex pieces of a set (their union is the set). */
export function setPolygons(name: GeometricSetName): readonly Polygon[] {
  return name === 'non-convex' ? L_SHAPE : GEOMETRIC_SETS[name];
}

/** Points uniform in [−1, 1]², label 1 inside the set; points within `margin` of an edge are redrawn. */
export function sampleSet(name: GeometricSetName, n: number, seed: number): Generated {
  if (name === 'half-plane') return halfPlane({ n, seed });
  if (name === 'convex-polygon') return convexPolygon({ n, seed });
  if (name === 'polygon-union') return polygonUnion({ n, seed });
  const rng = new Rng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  const margin = 0.02;
  while (x.length < n) {
    const p: [number, number] = [rng.range(-1, 1), rng.range(-1, 1)];
    const inside = insideUnion(p, L_SHAPE);
    // Near the outer boundary the label changes; stay a margin away (both sides) from it.
    const near = [[margin, 0], [-margin, 0], [0, margin], [0, -margin]].some(([dx, dy]) => insideUnion([p[0] + dx!, p[1] + dy!], L_SHAPE) !== inside);
    if (near) continue;
    x.push(p);
    y.push(inside ? 1 : 0);
  }
  return { x, y };
}

export type HiddenActivation = 'sigmoid' | 'relu';

/** Which set the depth demo trains on, at which depths, and how. */
export interface DepthDemoOptions {
  readonly set: GeometricSetName;
  /** Layers (hidden + output), default [1, 2, 3]. */
  readonly depths?: readonly number[];
  readonly activations?: readonly HiddenActivation[];
  /** Units of the first hidden layer (default 16); the second has half. */
  readonly width?: number;
  /** Training points (default 500); the test set has 2000. */
  readonly n?: number;
  readonly epochs?: number;
  readonly learningRate?: number;
  readonly seed?: number;
  /** Grid points per axis of the pictures (default 41). */
  readonly resolution?: number;
}

/** One trained depth: its layers, train and test accuracy, final loss and the decision grid. */
export interface DepthRun {
  readonly depth: number;
  readonly activation: HiddenActivation;
  readonly hidden: number[];
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly finalLoss: number;
  /** P(inside) over the grid, row-major grid[iy · n + ix]. */
  readonly grid: Float64Array;
}

/** The lecture's construction for the set, built by hand, and its accuracy. */
export interface ConstructedRun {
  /** The depth the lecture names for this set. */
  readonly depth: 1 | 2 | 3;
  readonly widths: number[];
  /** Accuracy of the step network on the test points. */
  readonly stepAccuracy: number;
  /** Accuracy of the same weights ×100 under the sigmoid. */
  readonly steepSigmoidAccuracy: number;
  readonly grid: Float64Array;
}

/** The depth demo: the trained runs per depth and the constructed network. */
export interface DepthDemoResult {
  readonly set: GeometricSetName;
  readonly polygons: readonly Polygon[];
  readonly train: Generated;
  readonly axis: number[];
  readonly runs: DepthRun[];
  readonly constructed: ConstructedRun;
}

function accuracyOf(p: ArrayLike<number>, y: readonly number[]): number {
  let hits = 0;
  for (let i = 0; i < y.length; i++) if ((p[i]! >= 0.5 ? 1 : 0) === y[i]) hits++;
  return hits / y.length;
}

function gridInputs(res: number): { axis: number[]; x: ReturnType<typeof zeros> } {
  const axis = Array.from({ length: res }, (_, i) => -1 + (2 * i) / (res - 1));
  const x = zeros(res * res, 2, 'float64');
  for (let iy = 0; iy < res; iy++) for (let ix = 0; ix < res; ix++) { x.data[(iy * res + ix) * 2] = axis[ix]!; x.data[(iy * res + ix) * 2 + 1] = axis[iy]!; }
  return { axis, x };
}

/** Train 1-, 2-, 3-layer networks on one geometric set and evaluate the lecture's construction. */
export async function depthDemo(o: DepthDemoOptions): Promise<DepthDemoResult> {
  if (!GEOMETRIC_SET_NAMES.includes(o.set)) throw new Error(`depthDemo: unknown set '${String(o.set)}'; expected one of ${GEOMETRIC_SET_NAMES.join(', ')}`);
  const seed = o.seed ?? 0;
  const width = o.width ?? 16;
  const depths = o.depths ?? [1, 2, 3];
  for (const d of depths) if (!(Number.isInteger(d) && d >= 1 && d <= 4)) throw new Error(`depthDemo: depths must be integers in 1..4, got ${d}`);
  const train = sampleSet(o.set, o.n ?? 500, seed);
  const test = sampleSet(o.set, 2000, seed + 1000);
  const { axis, x: gx } = gridInputs(o.resolution ?? 41);
  const runs: DepthRun[] = [];
  for (const activation of o.activations ?? ['sigmoid', 'relu']) {
    for (const depth of depths) {
      const hidden = Array.from({ length: depth - 1 }, (_, i) => Math.max(2, Math.round(width / 2 ** i)));
      const model = new Model(mlp({ inputSize: 2, outputSize: 1, task: 'binary', hidden, activation, dtype: 'float64' }), { seed: seed + depth });
      const h = await fit(model, { x: train.x, y: train.y }, {
        epochs: o.epochs ?? 300, batchSize: 32, seed,
        optimizer: { kind: 'adam', learningRate: o.learningRate ?? (activation === 'sigmoid' ? 0.03 : 0.01) },
      });
      runs.push({
        depth, activation, hidden,
        trainAccuracy: accuracyOf(model.predict(train.x).data, train.y),
        testAccuracy: accuracyOf(model.predict(test.x).data, test.y),
        finalLoss: h.epochs.at(-1)!.trainLoss,
        grid: Float64Array.from(model.predict(gx).data),
      });
    }
  }
  const polygons = setPolygons(o.set);
  const step = constructNetwork(polygons);
  const steep = constructNetwork(polygons, { steepness: 100 });
  return {
    set: o.set, polygons, train, axis, runs,
    constructed: {
      depth: step.depth, widths: step.widths,
      stepAccuracy: accuracyOf(step.model.predict(test.x).data, test.y),
      steepSigmoidAccuracy: accuracyOf(steep.model.predict(test.x).data, test.y),
      grid: Float64Array.from(step.model.predict(gx).data),
    },
  };
}

/** A text table of a depth demo: layers × activation → test accuracy, and the construction. */
export function formatDepthTable(r: DepthDemoResult): string {
  const lines = [`${r.set}: test accuracy by layers (hidden + output)`, 'layers  activation  hidden   train    test'];
  for (const run of r.runs) {
    lines.push(`${String(run.depth).padStart(6)}  ${run.activation.padEnd(10)}  ${(run.hidden.join('x') || '-').padEnd(7)}  ${run.trainAccuracy.toFixed(3)}  ${run.testAccuracy.toFixed(3)}`);
  }
  const c = r.constructed;
  lines.push(`lecture's construction: ${c.depth} layer(s) of ${c.widths.join(', ')} step neurons: test accuracy ${c.stepAccuracy.toFixed(3)}; as steep sigmoids (×100): ${c.steepSigmoidAccuracy.toFixed(3)}`);
  return lines.join('\n');
}

/**
 * Seeded synthetic data sets: the classic two-dimensional classification puzzles, a 1-D regression,
 * and the lecture's geometric sets for "how many layers does a task need" (a half-plane needs one
 * layer, a convex polygon two, a union of disjoint polygons three).
 *
 * Each generator is a pure function of its options: the same { n, noise, seed } gives the same rows.
 */

import { Rng } from '../rng.js';

/** Options every generator takes: rows, noise and seed. */
export interface GeneratorOptions {
  /** Number of rows. */
  readonly n?: number;
  /** Standard deviation of the Gaussian noise (on the inputs, or on the target for regression). */
  readonly noise?: number;
  /** Seed of the generator (default 0). */
  readonly seed?: number;
}

/** A generated set: rows of features and a label or target per row. */
export interface Generated {
  readonly x: number[][];
  readonly y: number[];
}

interface Resolved { readonly n: number; readonly noise: number; readonly rng: Rng }

function resolve(name: string, o: GeneratorOptions, n: number, noise: number): Resolved {
  const rows = o.n ?? n;
  const sd = o.noise ?? noise;
  if (!Number.isInteger(rows) || rows < 2) throw new Error(`${name}: n must be an integer ≥ 2, got ${rows}`);
  if (!Number.isFinite(sd) || sd < 0) throw new Error(`${name}: noise must be a finite number ≥ 0, got ${sd}`);
  return { n: rows, noise: sd, rng: new Rng(o.seed ?? 0) };
}

/** Interleave two classes and jitter: the row order must not reveal the class. */
function finish(points: [number, number, number][], noise: number, rng: Rng): Generated {
  rng.shuffle(points);
  return {
    x: points.map(([a, b]) => [a + noise * rng.normal(), b + noise * rng.normal()]),
    y: points.map((p) => p[2]),
  };
}

/** Uniform in [−1, 1]², label 1 where the coordinates' signs differ (the classic non-linearly-separable set). */
export function xor(o: GeneratorOptions = {}): Generated {
  const { n, noise, rng } = resolve('xor', o, 200, 0);
  const pts: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.range(-1, 1);
    const b = rng.range(-1, 1);
    pts.push([a, b, a * b < 0 ? 1 : 0]);
  }
  return finish(pts, noise, rng);
}

/**
 * Two interleaved spirals of 1.75 turns each (class 1 is class 0 turned by π), radius growing from
 * 0 to 1 with the angle; half the rows in each class.
 */
export function twoSpirals(o: GeneratorOptions = {}): Generated {
  const { n, noise, rng } = resolve('two-spirals', o, 400, 0);
  const pts: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const r = rng.uniform();
    const t = 1.75 * 2 * Math.PI * r + c * Math.PI;
    pts.push([r * Math.cos(t), r * Math.sin(t), c]);
  }
  return finish(pts, noise, rng);
}

/** Two concentric circles: class 0 on radius 1, class 1 on radius 0.5. */
export function circles(o: GeneratorOptions = {}): Generated {
  const { n, noise, rng } = resolve('circles', o, 200, 0.05);
  const pts: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const t = rng.range(0, 2 * Math.PI);
    const r = c === 0 ? 1 : 0.5;
    pts.push([r * Math.cos(t), r * Math.sin(t), c]);
  }
  return finish(pts, noise, rng);
}

/** Two interleaving half circles (scikit-learn's make_moons geometry). */
export function moons(o: GeneratorOptions = {}): Generated {
  const { n, noise, rng } = resolve('moons', o, 200, 0.1);
  const pts: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const t = rng.range(0, Math.PI);
    pts.push(c === 0 ? [Math.cos(t), Math.sin(t), 0] : [1 - Math.cos(t), 0.5 - Math.sin(t), 1]);
  }
  return finish(pts, noise, rng);
}

/** The gaussians() generator's options: the number of clusters as well. */
export interface GaussiansOptions extends GeneratorOptions {
  /** Number of clusters (default 3), centred evenly on a circle of radius 2. */
  readonly classes?: number;
}

/** Isotropic Gaussian clusters, one per class, of standard deviation `noise` (default 0.5). */
export function gaussians(o: GaussiansOptions = {}): Generated {
  const { n, noise, rng } = resolve('gaussians', o, 300, 0.5);
  const k = o.classes ?? 3;
  if (!Number.isInteger(k) || k < 2) throw new Error(`gaussians: classes must be an integer ≥ 2, got ${k}`);
  const pts: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const c = i % k;
    const a = (2 * Math.PI * c) / k;
    pts.push([2 * Math.cos(a), 2 * Math.sin(a), c]);
  }
  return finish(pts, noise, rng);
}

/** y = sin(x) + noise·ε for x uniform in [−π, π]: a smooth 1-D function for universal approximation. */
export function sin(o: GeneratorOptions = {}): Generated {
  const { n, noise, rng } = resolve('sin', o, 200, 0);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = rng.range(-Math.PI, Math.PI);
    x.push([v]);
    y.push(Math.sin(v) + noise * rng.normal());
  }
  return { x, y };
}

// ---- The lecture's geometric sets, in [−1, 1]² ----

type Point = readonly [number, number];
type Polygon = readonly Point[];

/** The half-plane 2x − y > 0.3 (one layer: a single neuron's threshold). */
// A triangle with one edge on the line y = 2x − 0.3 and the others outside [−1, 1]², so that inside
// the square it is exactly the half-plane.
const HALF_PLANE: Polygon = [[-1, -2.3], [1.5, 2.7], [1.5, -2.3]];
/** A convex pentagon (two layers: an AND of five half-planes). */
const PENTAGON: Polygon = [[0.75, 0], [0.2318, 0.7133], [-0.6068, 0.4408], [-0.6068, -0.4408], [0.2318, -0.7133]];
/** Two disjoint convex polygons (three layers: an OR of two ANDs). */
const UNION: readonly Polygon[] = [
  [[-0.95, 0.05], [-0.05, 0.95], [-0.05, 0.05]],
  [[0.05, -0.1], [0.95, -0.1], [0.95, -0.95], [0.25, -0.95]],
];

/** Points closer than this to a boundary are redrawn, so the noise-free sets are separable with a margin. */
const MARGIN = 0.02;

function insideConvex(p: Point, poly: Polygon): boolean {
  let sign = 0;
  for (let i = 0; i < poly.length; i++) {
    const [ax, ay] = poly[i]!;
    const [bx, by] = poly[(i + 1) % poly.length]!;
    const s = Math.sign((bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax));
    if (s === 0) return false;
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}

function distanceToBoundary(p: Point, poly: Polygon): number {
  let d = Infinity;
  for (let i = 0; i < poly.length; i++) {
    const [ax, ay] = poly[i]!;
    const [bx, by] = poly[(i + 1) % poly.length]!;
    const ex = bx - ax;
    const ey = by - ay;
    const t = Math.min(1, Math.max(0, ((p[0] - ax) * ex + (p[1] - ay) * ey) / (ex * ex + ey * ey)));
    d = Math.min(d, Math.hypot(p[0] - ax - t * ex, p[1] - ay - t * ey));
  }
  return d;
}

function polygonSet(name: string, polys: readonly Polygon[], o: GeneratorOptions): Generated {
  const { n, noise, rng } = resolve(name, o, 300, 0);
  const pts: [number, number, number][] = [];
  while (pts.length < n) {
    const p: Point = [rng.range(-1, 1), rng.range(-1, 1)];
    if (polys.some((q) => distanceToBoundary(p, q) < MARGIN)) continue;
    pts.push([p[0], p[1], polys.some((q) => insideConvex(p, q)) ? 1 : 0]);
  }
  return finish(pts, noise, rng);
}

/** Uniform in [−1, 1]², label 1 on the side 2x − y > 0.3 of a line. */
export function halfPlane(o: GeneratorOptions = {}): Generated {
  return polygonSet('half-plane', [HALF_PLANE], o);
}

/** Uniform in [−1, 1]², label 1 inside a convex pentagon (circumradius 0.75, centred at the origin). */
export function convexPolygon(o: GeneratorOptions = {}): Generated {
  return polygonSet('convex-polygon', [PENTAGON], o);
}

/** Uniform in [−1, 1]², label 1 inside either of two disjoint convex polygons (a triangle and a quadrilateral). */
export function polygonUnion(o: GeneratorOptions = {}): Generated {
  return polygonSet('polygon-union', UNION, o);
}

/** The polygons behind the geometric sets, for plotting their true boundaries. */
export const GEOMETRIC_SETS: { readonly [K in 'half-plane' | 'convex-polygon' | 'polygon-union']: readonly Polygon[] } = {
  'half-plane': [HALF_PLANE],
  'convex-polygon': [PENTAGON],
  'polygon-union': UNION,
};

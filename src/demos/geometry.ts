/**
 * The lecture's construction of step networks from polygons, made executable:
 *
 *   layer 1  one neuron per polygon edge: fires on the edge's inner half-plane (b + w·x ≥ 0)
 *   layer 2  one neuron per convex polygon: AND of its edges (weights 1, bias −(m − ½))
 *   layer 3  OR of the polygons (weights 1, bias −½)
 *
 * Edges whose half-plane contains the whole plotting square are dropped (they select nothing there),
 * so a half-plane needs one layer, one convex polygon two, a union of polygons three — the depths the
 * lecture states. With `steepness` k the same weights times k under the sigmoid give a smooth,
 * trainable network that approaches the step network as k grows.
 */

import { Model } from '../graph/model.js';
import type { LayerSpec, ModelSpec } from '../spec.js';

export type Point = readonly [number, number];
/** A polygon as its vertices in order. */
export type Polygon = readonly Point[];

/** Signed area ×2: positive for counter-clockwise vertices. */
function orientation(poly: Polygon): number {
  let s = 0;
  for (let i = 0; i < poly.length; i++) {
    const [ax, ay] = poly[i]!;
    const [bx, by] = poly[(i + 1) % poly.length]!;
    s += ax * by - bx * ay;
  }
  return Math.sign(s);
}

/** A half-plane b + w₁x + w₂y ≥ 0 with ‖w‖ = 1 (so I is the signed distance to the edge). */
export interface HalfPlane { readonly w1: number; readonly w2: number; readonly b: number }

/** The inner half-planes of a convex polygon's edges. */
export function edgeHalfPlanes(poly: Polygon): HalfPlane[] {
  const s = orientation(poly);
  return poly.map((a, i) => {
    const b = poly[(i + 1) % poly.length]!;
    const ex = b[0] - a[0];
    const ey = b[1] - a[1];
    const len = Math.hypot(ex, ey);
    // Inside lies left of a→b for a counter-clockwise polygon: cross(e, p − a) ≥ 0.
    return { w1: (-s * ey) / len, w2: (s * ex) / len, b: (s * (ey * a[0] - ex * a[1])) / len };
  });
}

/** Whether a half-plane contains every corner of the square [lo, hi]² (then it is redundant there). */
function coversSquare(h: HalfPlane, lo: number, hi: number): boolean {
  return [[lo, lo], [lo, hi], [hi, lo], [hi, hi]].every(([x, y]) => h.b + h.w1 * x! + h.w2 * y! > 0);
}

/** Whether a point lies inside (or on) a convex polygon. */
export function insideConvex(p: Point, poly: Polygon): boolean {
  return edgeHalfPlanes(poly).every((h) => h.b + h.w1 * p[0] + h.w2 * p[1] >= 0);
}

/** Whether a point lies inside one of the polygons. */
export function insideUnion(p: Point, polys: readonly Polygon[]): boolean {
  return polys.some((q) => insideConvex(p, q));
}

/** The lecture's step network for a set: its layers and how many it needs. */
export interface Construction {
  /** Layers (hidden + output) the construction needs for this set inside the square. */
  readonly depth: 1 | 2 | 3;
  /** The network, weights set (step: forward only; steep sigmoid: trainable). */
  readonly model: Model;
  /** Neurons per layer, output last. */
  readonly widths: number[];
}

/**
 * The step network (or, with steepness k, the steep-sigmoid network) that selects the union of the
 * convex polygons inside the square [lo, hi]².
 */
export function constructNetwork(polys: readonly Polygon[], options: { steepness?: number; square?: readonly [number, number] } = {}): Construction {
  if (polys.length === 0) throw new Error('constructNetwork: at least one polygon is needed');
  const [lo, hi] = options.square ?? [-1, 1];
  const k = options.steepness;
  if (k !== undefined && !(k > 0)) throw new Error(`constructNetwork: steepness must be > 0, got ${k}`);
  const f = k === undefined ? 'step' : 'sigmoid';
  const scale = k ?? 1;
  const planes = polys.map((p) => edgeHalfPlanes(p).filter((h) => !coversSquare(h, lo, hi)));
  planes.forEach((ps, i) => { if (ps.length === 0) throw new Error(`constructNetwork: polygon ${i} covers the whole square`); });
  const edges = planes.flat();
  const depth: 1 | 2 | 3 = polys.length > 1 ? 3 : edges.length === 1 ? 1 : 2;
  const layers: LayerSpec[] = [];
  const weights: { W: number[][]; b: number[] }[] = [];
  const edgeLayer = { W: [edges.map((h) => h.w1), edges.map((h) => h.w2)], b: edges.map((h) => h.b) };
  weights.push(edgeLayer);
  if (depth >= 2) {
    // AND per polygon over its own edges.
    const W: number[][] = edges.map(() => new Array<number>(planes.length).fill(0));
    let row = 0;
    planes.forEach((ps, j) => { for (let e = 0; e < ps.length; e++) W[row++]![j] = 1; });
    weights.push({ W, b: planes.map((ps) => -(ps.length - 0.5)) });
  }
  if (depth === 3) weights.push({ W: planes.map(() => [1]), b: [-0.5] });
  const widths = weights.map((w) => w.b.length);
  widths.forEach((units, i) => {
    layers.push({ kind: 'dense', name: i === widths.length - 1 ? 'output' : `layer${i + 1}`, units, activation: f });
  });
  const spec: ModelSpec = { inputSize: 2, layers, loss: 'mse', dtype: 'float64' };
  const model = new Model(spec, { trainable: k !== undefined });
  weights.forEach((w, i) => {
    const name = i === widths.length - 1 ? 'output' : `layer${i + 1}`;
    const Wv = model.param(name, 'W').value.a;
    const bv = model.param(name, 'b').value.a;
    const units = w.b.length;
    w.W.forEach((r, p) => r.forEach((v, j) => { Wv[p * units + j] = v * scale; }));
    w.b.forEach((v, j) => { bv[j] = v * scale; });
  });
  return { depth, model, widths };
}

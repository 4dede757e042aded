/**
 * The report's charts as Vega-Lite specifications over plain rows of data. Each function takes the
 * numbers already prepared (binned, sampled, laid out) and says how to draw them; `renderSvg` draws.
 *
 * Colours never come from Vega's order-dependent default scales: every nominal colour is given as an
 * explicit domain and range (`colorScale`, `nodeColor`), so two reports of the same architecture, or two
 * learning curves, draw the same thing in the same colour.
 */

import type { TopLevelSpec } from 'vega-lite';
import { ACTIVATION_NAMES } from '../activations.js';

const WIDTH = 420;
const HEIGHT = 240;
const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', background: 'white' } as const;

/** The categorical palette (Tableau 10), taken in order for series without a colour of their own. */
export const PALETTE: readonly string[] = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#ff9da6', '#9d755d', '#bab0ac'];

/** Series that always wear the same colour, whatever else is drawn beside them. */
export const SERIES_COLORS: Readonly<Record<string, string>> = { training: '#4c78a8', validation: '#f58518', target: '#222222' };

/** An explicit nominal colour scale: named series get their fixed colour, the others the palette by position. */
export function colorScale(domain: readonly string[]): { domain: string[]; range: string[] } {
  return { domain: [...domain], range: domain.map((d, i) => SERIES_COLORS[d] ?? PALETTE[i % PALETTE.length]!) };
}

const NODE_COLORS: Readonly<Record<string, string>> = {
  input: '#d9d9d9', identity: '#f2f2f2', sigmoid: '#b3cde3', tanh: '#ccebc5', relu: '#fbb4ae', softmax: '#fed9a6', perUnit: '#e5d8bd',
};
const NODE_PALETTE = ['#decbe4', '#ffffcc', '#fddaec', '#c7e9c0', '#c6dbef', '#fdd0a2', '#d9d9f3', '#f0e0c0'];

/** The fill of a network unit by its kind ('input', an activation name, 'softmax', 'perUnit'): fixed, not by order of appearance. */
export function nodeColor(kind: string): string {
  const fixed = NODE_COLORS[kind];
  if (fixed !== undefined) return fixed;
  const i = (ACTIVATION_NAMES as readonly string[]).indexOf(kind);
  return NODE_PALETTE[(i < 0 ? ACTIVATION_NAMES.length : i) % NODE_PALETTE.length]!;
}

/** A colour mixed with white: t = 0 is white, t = 1 the colour itself. */
export function tint(hex: string, t: number): string {
  const c = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
  return `#${c.map((v) => Math.round(255 - (255 - v) * t).toString(16).padStart(2, '0')).join('')}`;
}

/** Unique values in order of first appearance. */
const ordered = (values: Iterable<string>): string[] => [...new Set(values)];

/** One point of a line over epochs. */
export interface SeriesPoint { readonly epoch: number; readonly series: string; readonly value: number }

/** How epochLinesSpec draws: a log y axis, and the epoch to mark as the best one. */
export interface EpochLinesOptions {
  readonly logY?: boolean;
  /** Drawn as a vertical rule labelled "best epoch N" when inside the epochs shown. */
  readonly bestEpoch?: number;
}

/** Lines over epochs, one per series (training / validation, or one per layer), the best epoch marked. */
export function epochLinesSpec(points: readonly SeriesPoint[], title: string, yTitle: string, o: EpochLinesOptions = {}): TopLevelSpec {
  let first = Infinity;
  let last = -Infinity;
  for (const p of points) { first = Math.min(first, p.epoch); last = Math.max(last, p.epoch); }
  if (!Number.isFinite(first)) { first = 0; last = 1; }
  const x = { field: 'epoch', type: 'quantitative' as const, title: 'epoch', scale: { domain: [first, Math.max(last, first + 1)], nice: false } };
  const best = o.bestEpoch;
  const marked = best !== undefined && best >= first && best <= last;
  return {
    // The best-epoch label sits above the plot, between it and the title, where no line crosses it.
    ...base, title: marked ? { text: title, offset: 18 } : title, width: WIDTH, height: HEIGHT,
    layer: [
      {
        data: { values: points.map((p) => ({ ...p })) },
        mark: { type: 'line', point: points.length <= 60 },
        encoding: {
          x,
          y: { field: 'value', type: 'quantitative', title: yTitle, scale: o.logY === true ? { type: 'log' } : { zero: false } },
          color: { field: 'series', type: 'nominal', title: null, scale: colorScale(ordered(points.map((p) => p.series))) },
        },
      },
      ...(marked ? [
        { data: { values: [{ epoch: best }] }, mark: { type: 'rule' as const, color: '#555', strokeDash: [4, 3] }, encoding: { x } },
        {
          data: { values: [{ epoch: best, label: `best epoch ${best}` }] },
          mark: { type: 'text' as const, align: (best > (first + last) / 2 ? 'right' : 'left') as 'right' | 'left', dx: best > (first + last) / 2 ? 4 : -4, baseline: 'bottom' as const, fontSize: 11, color: '#333' },
          encoding: { x, y: { value: -3 }, text: { field: 'label', type: 'nominal' as const } },
        },
      ] : []),
    ],
  };
}

/** One cell of a confusion matrix. */
export interface ConfusionCell { readonly actual: string; readonly predicted: string; readonly count: number }

export function confusionSpec(cells: readonly ConfusionCell[], classes: readonly string[]): TopLevelSpec {
  const side = Math.min(360, Math.max(160, classes.length * 48));
  return {
    ...base, title: 'Confusion matrix', width: side, height: side,
    data: { values: cells.map((c) => ({ ...c })) },
    encoding: {
      // Class names read horizontally (they are short; turned on their side they are hard to read).
      x: { field: 'predicted', type: 'ordinal', sort: [...classes], title: 'predicted class', axis: { labelAngle: 0, orient: 'bottom' } },
      y: { field: 'actual', type: 'ordinal', sort: [...classes], title: 'actual class' },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' }, title: 'rows' } } },
      { mark: { type: 'text', fontSize: 12 }, encoding: { text: { field: 'count', type: 'quantitative' } } },
    ],
  };
}

export interface ResidualPoint { readonly predicted: number; readonly residual: number; readonly output: string }

export function residualSpec(points: readonly ResidualPoint[]): TopLevelSpec {
  return {
    ...base, title: 'Residuals (actual − predicted)', width: WIDTH, height: HEIGHT,
    data: { values: points.map((p) => ({ ...p })) },
    layer: [
      {
        mark: { type: 'point', filled: true, opacity: 0.6, size: 20 },
        encoding: {
          x: { field: 'predicted', type: 'quantitative', scale: { zero: false } },
          y: { field: 'residual', type: 'quantitative', title: 'actual − predicted' },
          color: { field: 'output', type: 'nominal', title: null, scale: colorScale(ordered(points.map((p) => p.output))) },
        },
      },
      { mark: { type: 'rule', color: 'gray' }, encoding: { y: { datum: 0 } } },
    ],
  };
}

export interface HistogramBin { readonly layer: string; readonly lo: number; readonly hi: number; readonly count: number }

/** Pre-binned histograms, one small panel per layer, each with its own x range. */
export function histogramSpec(bins: readonly HistogramBin[], title: string, xTitle: string): TopLevelSpec {
  return {
    ...base, title,
    data: { values: bins.map((b) => ({ ...b })) },
    facet: { field: 'layer', type: 'nominal', title: null, sort: [...new Set(bins.map((b) => b.layer))] },
    columns: 3,
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 200, height: 120,
      mark: { type: 'bar', color: '#4c78a8' },
      encoding: {
        x: { field: 'lo', type: 'quantitative', title: xTitle, scale: { zero: false } },
        x2: { field: 'hi' },
        // A ranged x makes the bar a rect: its base must be given, or it is drawn as a thin band at the count.
        y: { field: 'count', type: 'quantitative', title: 'count' },
        y2: { datum: 0 },
      },
    },
  };
}

/** A unit of the network picture: column, row, the text by it and its kind ('input' or its activation). */
export interface DiagramNode { readonly x: number; readonly y: number; readonly label: string; readonly kind: string }
/** A weight of the network picture, from a unit to a unit of the next drawn column. */
export interface DiagramEdge { readonly x: number; readonly y: number; readonly x2: number; readonly y2: number; readonly weight: number }
/** A column (input or layer) of the network picture and its heading. */
export interface DiagramColumn { readonly x: number; readonly title: string }

const COLUMN_PX = 150;

/**
 * Neurons as circles in one column per layer, edges coloured by the sign and weighted by |w|. Input
 * units are labelled to their left (feature names can be long); unit colours come from `nodeColor`.
 */
export function networkSpec(nodes: readonly DiagramNode[], edges: readonly DiagramEdge[], columns: readonly DiagramColumn[]): TopLevelSpec {
  const maxAbs = Math.max(1e-12, ...edges.map((e) => Math.abs(e.weight)));
  const outside = nodes.filter((n) => n.kind === 'input' && !n.label.startsWith('+'));
  // Room left of the first column for the input labels, as a fraction of a column, by the renderer's own
  // estimate of a label's width (0.8 em a character when there is no canvas to measure with).
  const left = Math.min(2, Math.max(0, ...outside.map((n) => n.label.length * 0.8 * 11 + 24)) / COLUMN_PX);
  const width = Math.max(300, Math.round((columns.length + left) * COLUMN_PX));
  const rows = Math.max(1, ...nodes.map((n) => n.y + 1));
  const height = Math.max(160, Math.min(520, rows * 34));
  const x = { field: 'x', type: 'quantitative' as const, axis: null, scale: { domain: [-0.5 - left, columns.length - 0.5] } };
  const y = { field: 'y', type: 'quantitative' as const, axis: null, scale: { domain: [rows, -1.2] } };
  const kinds = ordered(nodes.map((n) => n.kind));
  return {
    ...base, title: 'Network', width, height, view: { stroke: null },
    resolve: { scale: { color: 'independent' } },
    layer: [
      {
        data: { values: edges.map((e) => ({ ...e, sign: e.weight >= 0 ? 'w ≥ 0' : 'w < 0', strength: Math.abs(e.weight) / maxAbs })) },
        mark: { type: 'rule', aria: false },
        encoding: {
          x, y, x2: { field: 'x2' }, y2: { field: 'y2' },
          color: { field: 'sign', type: 'nominal', scale: { domain: ['w ≥ 0', 'w < 0'], range: ['#4c78a8', '#e45756'] }, title: 'weight' },
          opacity: { field: 'strength', type: 'quantitative', scale: { range: [0.08, 0.9] }, legend: null },
          strokeWidth: { field: 'strength', type: 'quantitative', scale: { range: [0.5, 3] }, legend: null },
        },
      },
      {
        data: { values: nodes.map((n) => ({ ...n })) },
        mark: { type: 'circle', size: 420, stroke: '#333', strokeWidth: 1 },
        encoding: {
          x, y,
          color: { field: 'kind', type: 'nominal', title: 'unit', scale: { domain: kinds, range: kinds.map(nodeColor) } },
          opacity: { value: 1 },
        },
      },
      {
        data: { values: nodes.filter((n) => !outside.includes(n)).map((n) => ({ ...n })) },
        mark: { type: 'text', fontSize: 9 },
        encoding: { x, y, text: { field: 'label' } },
      },
      {
        data: { values: outside.map((n) => ({ ...n })) },
        mark: { type: 'text', fontSize: 11, align: 'right', dx: -14, limit: Math.round(left * COLUMN_PX) - 20 },
        encoding: { x, y, text: { field: 'label' } },
      },
      {
        data: { values: columns.map((c) => ({ ...c, y: -0.9 })) },
        mark: { type: 'text', fontSize: 11, fontWeight: 'bold' },
        encoding: { x, y, text: { field: 'title' } },
      },
    ],
  };
}

/** One sample of an activation's f or f′. */
export interface CurveSample { readonly activation: string; readonly curve: string; readonly x: number; readonly value: number }

/** Each activation's f and f′ side by side (the lecture's sigmoid-derivative plot, for every f used). */
export function activationSpec(points: readonly CurveSample[]): TopLevelSpec {
  return {
    ...base, title: 'Activations f and f′',
    data: { values: points.map((p) => ({ ...p })) },
    facet: { field: 'activation', type: 'nominal', title: null },
    columns: 3,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 200, height: 130,
      mark: { type: 'line' },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: 'I' },
        y: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'curve', type: 'nominal', title: null, scale: { domain: ['f', 'f′'], range: [PALETTE[0]!, PALETTE[1]!] } },
      },
    },
  };
}

/** A rectangle of the decision grid (a run of cells of one predicted class along a row). */
export interface GridCell { readonly x1: number; readonly x2: number; readonly x1b: number; readonly x2b: number; readonly label: string }
/** A data row in the plane of two features, with its class. */
export interface LabelledPoint { readonly x1: number; readonly x2: number; readonly label: string }

/**
 * The predicted class over a grid of the two features, with the data on top. The regions are opaque
 * light tints of the class colours (no seams where rectangles meet); the points wear the full colour.
 */
export function boundarySpec(grid: readonly GridCell[], points: readonly LabelledPoint[], names: readonly [string, string], classes: readonly string[], domain: { x1: readonly [number, number]; x2: readonly [number, number] }): TopLevelSpec {
  const x = { field: 'x1', type: 'quantitative' as const, title: names[0], scale: { domain: [...domain.x1], nice: false } };
  const y = { field: 'x2', type: 'quantitative' as const, title: names[1], scale: { domain: [...domain.x2], nice: false } };
  const colors = classes.map((_, i) => PALETTE[i % PALETTE.length]!);
  return {
    ...base, title: 'Decision boundary', width: 360, height: 360,
    resolve: { scale: { color: 'independent' } },
    layer: [
      {
        data: { values: grid.map((g) => ({ ...g })) },
        mark: { type: 'rect', clip: true, aria: false },
        encoding: { x, y, x2: { field: 'x1b' }, y2: { field: 'x2b' }, color: { field: 'label', type: 'nominal', legend: null, scale: { domain: [...classes], range: colors.map((c) => tint(c, 0.3)) } } },
      },
      {
        data: { values: points.map((p) => ({ ...p })) },
        mark: { type: 'point', filled: true, size: 24, stroke: 'black', strokeWidth: 0.5, opacity: 0.9, aria: false },
        encoding: { x, y, color: { field: 'label', type: 'nominal', title: 'class', scale: { domain: [...classes], range: colors } } },
      },
    ],
  };
}

/** One bar of a per-feature bar chart. */
export interface FeatureBar { readonly name: string; readonly value: number; readonly spread?: number }

/** Horizontal bars per feature, largest first, with ± spread whiskers when given. */
export function featureBarsSpec(bars: readonly FeatureBar[], title: string, xTitle: string): TopLevelSpec {
  // Sorted here, kept in data order by both layers (a sort per layer would conflict when they are unioned).
  const values = [...bars].sort((a, b) => b.value - a.value)
    .map((b) => ({ name: b.name, value: b.value, lo: b.value - (b.spread ?? 0), hi: b.value + (b.spread ?? 0) }));
  const y = { field: 'name', type: 'nominal' as const, sort: null, title: null };
  return {
    ...base, title, width: 420, height: Math.max(60, 18 * bars.length),
    data: { values },
    layer: [
      { mark: { type: 'bar', color: '#4c78a8' }, encoding: { y, x: { field: 'value', type: 'quantitative', title: xTitle } } },
      { mark: { type: 'rule', color: '#222' }, encoding: { y, x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } },
    ],
  };
}

export interface DependencePoint { readonly x: number; readonly value: number; readonly output: string }

/** Partial-dependence curves: the mean prediction of each output against one feature's value. */
export function partialDependenceSpec(points: readonly DependencePoint[], feature: string): TopLevelSpec {
  return {
    ...base, title: `Partial dependence on ${feature}`, width: WIDTH, height: HEIGHT,
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: feature, scale: { zero: false } },
      y: { field: 'value', type: 'quantitative', title: 'mean prediction', scale: { zero: false } },
      color: { field: 'output', type: 'nominal', title: null, scale: colorScale(ordered(points.map((p) => p.output))) },
    },
  };
}

/** What a heatmap draws besides its grid, and how it is labelled. */
export interface HeatmapOptions {
  readonly title?: string;
  /** Value range of the colour scale (default the grid's min and max). */
  readonly range?: readonly [number, number];
  /** Data points on top, coloured by their 0/1 class. */
  readonly points?: { readonly x: readonly (readonly number[])[]; readonly y: readonly number[] };
  /** Outlines to draw (the region a demo's set is made of). */
  readonly polygons?: readonly (readonly (readonly [number, number])[])[];
  /** Lines b + w₁x + w₂y = 0 to draw (a first-layer neuron's boundary). */
  readonly lines?: readonly { readonly w1: number; readonly w2: number; readonly b: number }[];
  /** Side of the square plot in pixels (default 300). */
  readonly size?: number;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** The legend's title for the colour (default 'value'). */
  readonly valueLabel?: string;
}

/** A line's two ends at the square's left and right edges (or bottom and top when it is steep). */
function lineEnds(l: { w1: number; w2: number; b: number }, [x0, x1]: readonly [number, number], [y0, y1]: readonly [number, number]): { x: number; y: number; x2: number; y2: number } {
  if (Math.abs(l.w2) > Math.abs(l.w1)) return { x: x0, y: -(l.b + l.w1 * x0) / l.w2, x2: x1, y2: -(l.b + l.w1 * x1) / l.w2 };
  return { x: -(l.b + l.w2 * y0) / l.w1, y: y0, x2: -(l.b + l.w2 * y1) / l.w1, y2: y1 };
}

/** Colour steps of a heatmap. */
export const HEATMAP_LEVELS = 64;

/**
 * A heatmap of grid[iy · nx + ix] over the cell centres xs × ys (y up), blue (low) through white to red
 * (high), with optional outlines, lines and points on top, clipped to the square.
 */
export function heatmapSpec(grid: ArrayLike<number>, xs: readonly number[], ys: readonly number[], o: HeatmapOptions = {}): TopLevelSpec {
  const nx = xs.length;
  const ny = ys.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < grid.length; i++) { lo = Math.min(lo, grid[i]!); hi = Math.max(hi, grid[i]!); }
  const range = o.range ?? [lo, hi === lo ? lo + 1 : hi];
  const dx = (xs[nx - 1]! - xs[0]!) / Math.max(1, nx - 1);
  const dy = (ys[ny - 1]! - ys[0]!) / Math.max(1, ny - 1);
  const xd = [xs[0]!, xs[nx - 1]!] as const;
  const yd = [ys[0]!, ys[ny - 1]!] as const;
  // Values are drawn in HEATMAP_LEVELS steps of the colour range (finer than the eye tells apart), so a
  // row's neighbouring cells of one step merge into one rectangle. Each reaches one cell into the next
  // ones, which are drawn over it: no seam shows between rectangles.
  const step = (range[1] - range[0]) / HEATMAP_LEVELS;
  const level = (v: number): number => range[0] + step * Math.round((Math.min(range[1], Math.max(range[0], v)) - range[0]) / step);
  const cells = [];
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx;) {
      const v = level(grid[iy * nx + ix]!);
      let end = ix + 1;
      while (end < nx && level(grid[iy * nx + end]!) === v) end++;
      cells.push({ x: xs[ix]! - dx / 2, xb: xs[end - 1]! + 1.5 * dx, y: ys[iy]! - dy / 2, yb: ys[iy]! + 1.5 * dy, v });
      ix = end;
    }
  }
  const size = o.size ?? 300;
  const x = { field: 'x', type: 'quantitative' as const, title: o.xLabel ?? 'x₁', scale: { domain: [...xd], nice: false } };
  const y = { field: 'y', type: 'quantitative' as const, title: o.yLabel ?? 'x₂', scale: { domain: [...yd], nice: false } };
  const outlines = (o.polygons ?? []).flatMap((poly, k) => [...poly, poly[0]!].map(([px, py], i) => ({ x: px, y: py, polygon: k, order: i })));
  return {
    ...base, ...(o.title === undefined ? {} : { title: o.title }), width: size, height: size,
    resolve: { scale: { color: 'independent' } },
    layer: [
      {
        data: { values: cells },
        mark: { type: 'rect', clip: true, aria: false },
        encoding: { x, y, x2: { field: 'xb' }, y2: { field: 'yb' }, color: { field: 'v', type: 'quantitative', title: o.valueLabel ?? 'value', scale: { domain: [...range], scheme: 'redblue', reverse: true, clamp: true } } },
      },
      ...(outlines.length === 0 ? [] : [{
        data: { values: outlines }, mark: { type: 'line' as const, color: 'black', strokeWidth: 1.5, clip: true },
        encoding: { x, y, detail: { field: 'polygon', type: 'nominal' as const }, order: { field: 'order', type: 'quantitative' as const } },
      }]),
      ...((o.lines ?? []).length === 0 ? [] : [{
        data: { values: (o.lines ?? []).map((l) => lineEnds(l, xd, yd)) }, mark: { type: 'rule' as const, color: 'black', strokeDash: [4, 3], clip: true },
        encoding: { x, y, x2: { field: 'x2' }, y2: { field: 'y2' } },
      }]),
      ...(o.points === undefined ? [] : [{
        data: { values: o.points.x.map((p, i) => ({ x: p[0]!, y: p[1]!, label: `class ${o.points!.y[i]}` })) },
        mark: { type: 'circle' as const, size: 14, stroke: 'white', strokeWidth: 0.5, opacity: 1, clip: true, aria: false },
        encoding: { x, y, color: { field: 'label', type: 'nominal' as const, title: 'data', scale: { domain: ['class 0', 'class 1'], range: ['#08306b', '#67000d'] } } },
      }]),
    ],
  };
}

/** One named line of a line chart. */
export interface Series { readonly name: string; readonly x: readonly number[]; readonly y: readonly number[] }

/** How a line chart is drawn and labelled. */
export interface LineChartOptions {
  readonly title?: string;
  /** A log-scaled x axis (learning rates). */
  readonly logX?: boolean;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** A vertical marker at this x, with `markLabel` beside it. */
  readonly markX?: number;
  readonly markLabel?: string;
  readonly width?: number;
  readonly height?: number;
}

/** Lines over shared axes, one colour per series (fixed by position; 'target' is always dark), legend outside. */
export function lineChartSpec(series: readonly Series[], o: LineChartOptions = {}): TopLevelSpec {
  const ok = (x: number, y: number): boolean => Number.isFinite(x) && Number.isFinite(y) && (o.logX !== true || x > 0);
  const values = series.flatMap((s) => s.x.map((x, i) => ({ x, y: s.y[i]!, series: s.name })).filter((p) => ok(p.x, p.y)));
  const x = { field: 'x', type: 'quantitative' as const, title: o.xLabel ?? 'x', scale: o.logX === true ? { type: 'log' as const } : { zero: false } };
  const mark = o.markX;
  return {
    ...base, ...(o.title === undefined ? {} : { title: o.title }), width: o.width ?? WIDTH, height: o.height ?? HEIGHT,
    layer: [
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x, y: { field: 'y', type: 'quantitative', title: o.yLabel ?? 'y', scale: { zero: false } },
          color: { field: 'series', type: 'nominal', title: null, scale: colorScale(series.map((s) => s.name)), legend: { symbolType: 'stroke', labelLimit: 400 } },
        },
      },
      ...(mark === undefined || !ok(mark, 0) ? [] : [
        { data: { values: [{ x: mark }] }, mark: { type: 'rule' as const, color: '#d62728', strokeDash: [4, 3] }, encoding: { x } },
        ...(o.markLabel === undefined ? [] : [{
          data: { values: [{ x: mark, label: o.markLabel }] },
          mark: { type: 'text' as const, align: 'left' as const, dx: 4, baseline: 'top' as const, fontSize: 11, color: '#d62728' },
          encoding: { x, y: { value: 4 }, text: { field: 'label', type: 'nominal' as const } },
        }]),
      ]),
    ],
  };
}

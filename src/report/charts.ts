/**
 * The report's charts as Vega-Lite specifications over plain rows of data. Each function takes the
 * numbers already prepared (binned, sampled, laid out) and says how to draw them; `renderSvg` draws.
 */

import type { TopLevelSpec } from 'vega-lite';

const WIDTH = 420;
const HEIGHT = 240;
const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', background: 'white' } as const;

export interface SeriesPoint { readonly epoch: number; readonly series: string; readonly value: number }

/** Lines over epochs, one per series (train / validation, or one per layer). */
export function epochLinesSpec(points: readonly SeriesPoint[], title: string, yTitle: string, logY = false): TopLevelSpec {
  return {
    ...base, title, width: WIDTH, height: HEIGHT,
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: 'line', point: points.length <= 60 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: logY ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}

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
          color: { field: 'output', type: 'nominal', title: null },
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

export interface DiagramNode { readonly x: number; readonly y: number; readonly label: string; readonly kind: string }
export interface DiagramEdge { readonly x: number; readonly y: number; readonly x2: number; readonly y2: number; readonly weight: number }
export interface DiagramColumn { readonly x: number; readonly title: string }

/** Neurons as circles in one column per layer, edges coloured by the sign and weighted by |w|. */
export function networkSpec(nodes: readonly DiagramNode[], edges: readonly DiagramEdge[], columns: readonly DiagramColumn[]): TopLevelSpec {
  const maxAbs = Math.max(1e-12, ...edges.map((e) => Math.abs(e.weight)));
  const width = Math.max(300, columns.length * 150);
  const rows = Math.max(1, ...nodes.map((n) => n.y + 1));
  const height = Math.max(160, Math.min(520, rows * 34));
  const x = { field: 'x', type: 'quantitative' as const, axis: null, scale: { domain: [-0.5, columns.length - 0.5] } };
  const y = { field: 'y', type: 'quantitative' as const, axis: null, scale: { domain: [rows, -1.2] } };
  return {
    ...base, title: 'Network', width, height,
    resolve: { scale: { color: 'independent' } },
    layer: [
      {
        data: { values: edges.map((e) => ({ ...e, sign: e.weight >= 0 ? 'w ≥ 0' : 'w < 0', strength: Math.abs(e.weight) / maxAbs })) },
        mark: { type: 'rule' },
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
          color: { field: 'kind', type: 'nominal', title: 'unit', scale: { scheme: 'pastel1' } },
          opacity: { value: 1 },
        },
      },
      {
        data: { values: nodes.map((n) => ({ ...n })) },
        mark: { type: 'text', fontSize: 9 },
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
        color: { field: 'curve', type: 'nominal', title: null },
      },
    },
  };
}

export interface GridCell { readonly x1: number; readonly x2: number; readonly x1b: number; readonly x2b: number; readonly label: string }
export interface LabelledPoint { readonly x1: number; readonly x2: number; readonly label: string }

/** The predicted class over a grid of the two features, with the data on top. */
export function boundarySpec(grid: readonly GridCell[], points: readonly LabelledPoint[], names: readonly [string, string], classes: readonly string[]): TopLevelSpec {
  const x = { field: 'x1', type: 'quantitative', title: names[0], scale: { zero: false, nice: false } } as const;
  const y = { field: 'x2', type: 'quantitative', title: names[1], scale: { zero: false, nice: false } } as const;
  const color = { field: 'label', type: 'nominal', title: 'class', scale: { domain: [...classes] } } as const;
  return {
    ...base, title: 'Decision boundary', width: 360, height: 360,
    layer: [
      {
        data: { values: grid.map((g) => ({ ...g })) },
        mark: { type: 'rect', opacity: 0.35 },
        encoding: { x, y, x2: { field: 'x1b' }, y2: { field: 'x2b' }, color },
      },
      {
        data: { values: points.map((p) => ({ ...p })) },
        mark: { type: 'point', filled: true, size: 24, stroke: 'black', strokeWidth: 0.5 },
        encoding: { x, y, color },
      },
    ],
  };
}

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
      color: { field: 'output', type: 'nominal', title: null },
    },
  };
}

/**
 * Pictures of the demos and explanation results as SVG files (name → content), for `mlpkit depth`,
 * `mlpkit lr-find`, `mlpkit explain` and `mlpkit compare` to write: Vega-Lite specifications from
 * ./charts.js drawn by the report's renderer, so they need the same optional vega and vega-lite packages.
 */

import type { DepthDemoResult } from '../demos/depth.js';
import type { UniversalResult } from '../demos/universal.js';
import type { LrRangeResult } from '../tune/lr-range.js';
import type { HiddenUnitMaps } from '../explain/hidden-units.js';
import type { PartialDependence } from '../explain/partial-dependence.js';
import { heatmapSpec, lineChartSpec, type HeatmapOptions, type LineChartOptions, type Series } from './charts.js';
import { renderSvg } from './render.js';

export type { HeatmapOptions, LineChartOptions, Series } from './charts.js';

/** A heatmap of grid[iy · n + ix] over xs × ys (y up) as SVG, with optional outlines, lines and points. */
export function heatmapSvg(grid: ArrayLike<number>, xs: readonly number[], ys: readonly number[], o: HeatmapOptions = {}): Promise<string> {
  return renderSvg(heatmapSpec(grid, xs, ys, o), { decimals: 2 });
}

/** Lines over a shared pair of axes as SVG; logX for learning rates, a vertical marker at `markX` if given. */
export function lineChartSvg(series: readonly Series[], o: LineChartOptions = {}): Promise<string> {
  return renderSvg(lineChartSpec(series, o));
}

/** SVG pictures of a depth demo, by file name. */
export async function depthDemoPictures(r: DepthDemoResult): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const axes = { xLabel: 'x₁', yLabel: 'x₂', valueLabel: 'P(inside)' };
  for (const run of r.runs) {
    out[`${r.set}-${run.depth}layer-${run.activation}.svg`] = await heatmapSvg(run.grid, r.axis, r.axis, {
      title: `${r.set}: ${run.depth} layer(s), ${run.activation}, test accuracy ${run.testAccuracy.toFixed(3)}`,
      range: [0, 1], points: r.train, polygons: r.polygons, ...axes,
    });
  }
  out[`${r.set}-constructed-step.svg`] = await heatmapSvg(r.constructed.grid, r.axis, r.axis, {
    title: `${r.set}: lecture's ${r.constructed.depth}-layer step network, accuracy ${r.constructed.stepAccuracy.toFixed(3)}`,
    range: [0, 1], polygons: r.polygons, ...axes, valueLabel: 'output',
  });
  return out;
}

/** SVG pictures of the universal-approximation demo, by file name. */
export async function universalPictures(r: UniversalResult): Promise<Record<string, string>> {
  return {
    'universal-approximation.svg': await lineChartSvg(
      [{ name: 'target', x: r.xs, y: r.target }, ...r.runs.map((u) => ({ name: `width ${u.width}: max err ${u.maxError.toFixed(3)}`, x: r.xs, y: u.curve }))],
      { title: 'one hidden layer, growing width', xLabel: 'x', yLabel: 'f(x)' },
    ),
  };
}

/** The learning-rate range test as an SVG line chart, the suggested rate marked. */
export function lrRangePicture(r: LrRangeResult): Promise<string> {
  return lineChartSvg([
    { name: 'loss', x: r.learningRates, y: r.losses },
    { name: 'smoothed', x: r.learningRates, y: r.smoothed },
  ], {
    title: `learning-rate range test: suggested ${r.suggested.toPrecision(2)}`, logX: true, xLabel: 'learning rate (log scale)', yLabel: 'training loss',
    markX: r.suggested, markLabel: `suggested ${r.suggested.toPrecision(2)}`,
  });
}

/** SVG heat maps of hidden-unit maps, by file name. */
export async function hiddenUnitPictures(m: HiddenUnitMaps, featureNames?: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const [a, b] = m.features;
  for (const layer of m.layers) {
    for (const u of layer.units) {
      out[`${layer.layer}-unit${u.unit}.svg`] = await heatmapSvg(u.values, m.xs, m.ys, {
        title: `${layer.layer} unit ${u.unit} (${layer.activation})`, ...(u.line === null ? {} : { lines: [u.line] }), size: 200,
        xLabel: `${featureNames?.[a] ?? `x${a + 1}`} (model input)`, yLabel: `${featureNames?.[b] ?? `x${b + 1}`} (model input)`, valueLabel: 'output',
      });
    }
  }
  return out;
}

/** A partial-dependence curve as an SVG line chart. */
export function partialDependencePicture(pd: PartialDependence, name: string, outputNames?: readonly string[]): Promise<string> {
  return lineChartSvg(pd.curves.map((c, o) => ({ name: outputNames?.[o] ?? `output ${o}`, x: pd.grid, y: c })), {
    title: `partial dependence on ${name}`, xLabel: name, yLabel: 'mean prediction',
  });
}

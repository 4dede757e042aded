/**
 * Pictures of the demos and explanation results as SVG files (name → content), for `mlpkit demo`,
 * `mlpkit lr-find` and `mlpkit explain` to write.
 */

import type { DepthDemoResult } from './depth.js';
import type { UniversalResult } from './universal.js';
import type { LrRangeResult } from '../tune/lr-range.js';
import type { HiddenUnitMaps } from '../explain/hidden-units.js';
import type { PartialDependence } from '../explain/partial-dependence.js';
import { heatmapSvg, lineChartSvg } from './svg.js';

/** SVG pictures of a depth demo, by file name. */
export function depthDemoPictures(r: DepthDemoResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const run of r.runs) {
    out[`${r.set}-${run.depth}layer-${run.activation}.svg`] = heatmapSvg(run.grid, r.axis, r.axis, {
      title: `${r.set}: ${run.depth} layer(s), ${run.activation}, test accuracy ${run.testAccuracy.toFixed(3)}`,
      range: [0, 1], points: r.train, polygons: r.polygons,
    });
  }
  out[`${r.set}-constructed-step.svg`] = heatmapSvg(r.constructed.grid, r.axis, r.axis, {
    title: `${r.set}: lecture's ${r.constructed.depth}-layer step network, accuracy ${r.constructed.stepAccuracy.toFixed(3)}`,
    range: [0, 1], polygons: r.polygons,
  });
  return out;
}

/** SVG pictures of the universal-approximation demo, by file name. */
export function universalPictures(r: UniversalResult): Record<string, string> {
  return {
    'universal-approximation.svg': lineChartSvg(
      [{ name: 'target', x: r.xs, y: r.target }, ...r.runs.map((u) => ({ name: `width ${u.width}: max err ${u.maxError.toFixed(3)}`, x: r.xs, y: u.curve }))],
      { title: 'one hidden layer, growing width', xLabel: 'x', yLabel: 'f(x)' },
    ),
  };
}

/** The learning-rate range test as an SVG line chart. */
export function lrRangePicture(r: LrRangeResult): string {
  return lineChartSvg([
    { name: 'loss', x: r.learningRates, y: r.losses },
    { name: 'smoothed', x: r.learningRates, y: r.smoothed },
  ], { title: `learning-rate range test: suggested ${r.suggested.toPrecision(2)}`, logX: true, xLabel: 'learning rate', yLabel: 'training loss', markX: r.suggested });
}

/** SVG heat maps of hidden-unit maps, by file name. */
export function hiddenUnitPictures(m: HiddenUnitMaps, inputs?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const layer of m.layers) {
    for (const u of layer.units) {
      out[`${layer.layer}-unit${u.unit}.svg`] = heatmapSvg(u.values, m.xs, m.ys, {
        title: `${layer.layer} unit ${u.unit} (${layer.activation})${inputs === undefined ? '' : `, over ${inputs}`}`, ...(u.line === null ? {} : { lines: [u.line] }), size: 200,
      });
    }
  }
  return out;
}

/** A partial-dependence curve as an SVG line chart. */
export function partialDependencePicture(pd: PartialDependence, name: string, outputNames?: readonly string[]): string {
  return lineChartSvg(pd.curves.map((c, o) => ({ name: outputNames?.[o] ?? `output ${o}`, x: pd.grid, y: c })), {
    title: `partial dependence on ${name}`, xLabel: name, yLabel: 'mean prediction',
  });
}

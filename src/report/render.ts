/**
 * Charts are Vega-Lite specifications, compiled to Vega and rendered to static SVG when the report is
 * built, so the HTML file carries its pictures and opens offline without any script.
 */

import { Error as LogError, parse as parseVega, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Render one Vega-Lite specification to an SVG string (no DOM or canvas needed). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parseVega(compile(spec).spec), { renderer: 'none', logLevel: LogError });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

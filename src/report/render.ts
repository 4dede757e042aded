/**
 * Charts are Vega-Lite specifications, compiled to Vega and rendered to static SVG when the report is
 * built, so the HTML file carries its pictures and opens offline without any script.
 *
 * vega and vega-lite are optional peer dependencies (about 23 MB installed): they are loaded here, on the
 * first report, and nowhere else, so an install that never writes a report does without them.
 */

import type { TopLevelSpec } from 'vega-lite';

/** The versions the report is tested with; vega-lite 6.5 and later require Node 22. */
export const REPORT_PACKAGES = 'vega@^6.4.0 vega-lite@~6.4.3';

/** Raised when a report is asked for and vega or vega-lite is not installed. */
export class ReportRendererMissingError extends Error {
  constructor(readonly missing: string) {
    super(`writing a report needs the optional packages vega and vega-lite (${missing} is not installed): npm install ${REPORT_PACKAGES}`);
    this.name = 'ReportRendererMissingError';
  }
}

interface Renderer {
  readonly vega: typeof import('vega');
  readonly vegaLite: typeof import('vega-lite');
}

let loaded: Promise<Renderer> | null = null;

async function importOrExplain<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const code = e instanceof Error && 'code' in e ? e.code : undefined;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new ReportRendererMissingError(name);
    throw e;
  }
}

/** Load vega and vega-lite once; rejects with ReportRendererMissingError when either is not installed. */
export function loadRenderer(): Promise<Renderer> {
  loaded ??= (async () => ({
    vega: await importOrExplain('vega', () => import('vega')),
    vegaLite: await importOrExplain('vega-lite', () => import('vega-lite')),
  }))();
  loaded.catch(() => { loaded = null; });
  return loaded;
}

/** How renderSvg writes the picture. */
export interface RenderOptions {
  /**
   * Round the coordinates of every path and mark position to this many decimals (Vega writes them to full precision).
   * For pictures of thousands of cells, where a hundredth of a pixel is invisible and the digits are
   * most of the file.
   */
  readonly decimals?: number;
}

/** Path data and translations with their numbers rounded to `decimals` places. */
function roundPaths(svg: string, decimals: number): string {
  return svg.replace(/ (d|transform)="([^"]*)"/g, (_, k: string, d: string) => ` ${k}="${d.replace(/-?\d*\.\d+(?:e[-+]?\d+)?/g, (n) => String(+Number(n).toFixed(decimals)))}"`);
}

/** Render one Vega-Lite specification to an SVG string (no DOM or canvas needed). */
export async function renderSvg(spec: TopLevelSpec, o: RenderOptions = {}): Promise<string> {
  const { vega, vegaLite } = await loadRenderer();
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none', logLevel: vega.Error });
  try {
    const svg = await view.toSVG();
    return o.decimals === undefined ? svg : roundPaths(svg, o.decimals);
  } finally {
    view.finalize();
  }
}

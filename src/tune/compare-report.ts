/**
 * A comparison as one self-contained HTML page: the table (held-out mean ± sd, both paired tests) and the
 * learning curves of every configuration overlaid — held-out loss and training loss per epoch, each the
 * mean over the seeds.
 */

import { lineChartSvg } from '../report/pictures.js';
import { formatCompareTable, type CompareResult } from './compare.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The comparison page (needs the report's optional vega and vega-lite for its two charts). */
export async function compareReport(r: CompareResult, title: string): Promise<string> {
  const curve = (which: 'heldOutLoss' | 'trainLoss'): Promise<string> => lineChartSvg(
    r.configurations.map((c) => ({ name: c.label, x: c.curve[which].map((_, e) => e + 1), y: c.curve[which] })),
    { title: `${which === 'heldOutLoss' ? 'held-out' : 'training'} loss, mean of ${r.repeats} seeds`, xLabel: 'epoch', yLabel: 'loss', width: 640, height: 360 },
  );
  return [
    '<!doctype html>', '<html lang="en"><head><meta charset="utf-8">', `<title>${esc(title)}</title>`,
    '<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{background:#f6f6f6;padding:1rem;overflow-x:auto}</style>',
    '</head><body>', `<h1>${esc(title)}</h1>`,
    `<p>Every configuration is trained on the same ${r.repeats} seeded splits (${Math.round(100 * r.testFraction)}% of the rows held out) from the same initial seeds, so the per-seed differences are paired.</p>`,
    `<pre>${esc(formatCompareTable(r))}</pre>`,
    '<h2>Learning curves</h2>', await curve('heldOutLoss'), await curve('trainLoss'),
    '</body></html>', '',
  ].join('\n');
}

/**
 * Small dependency-free SVG pictures for the demos and explanation tools: a heatmap over the square
 * with points and polygon outlines (decision regions, hidden-unit maps), and a line chart (loss
 * against learning rate, approximations against their target). Plain strings, so they run anywhere.
 */

import type { Polygon } from './geometry.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(1) : String(+v.toPrecision(3)));

/** Blue (low) → white → red (high) for t ∈ [0, 1]. */
function color(t: number): string {
  const c = Math.min(1, Math.max(0, t));
  const [r, g, b] = c < 0.5
    ? [2 * c * 255, 2 * c * 255, 255]
    : [255, (2 - 2 * c) * 255, (2 - 2 * c) * 255];
  return `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;
}

export interface HeatmapOptions {
  readonly title?: string;
  /** Value range of the colour scale (default the grid's min and max). */
  readonly range?: readonly [number, number];
  readonly points?: { readonly x: readonly (readonly number[])[]; readonly y: readonly number[] };
  readonly polygons?: readonly Polygon[];
  /** Lines b + w₁x + w₂y = 0 to draw (a first-layer neuron's boundary). */
  readonly lines?: readonly { readonly w1: number; readonly w2: number; readonly b: number }[];
  readonly size?: number;
}

/** A heatmap of grid[iy · n + ix] over xs × ys (y up). */
export function heatmapSvg(grid: ArrayLike<number>, xs: readonly number[], ys: readonly number[], o: HeatmapOptions = {}): string {
  const size = o.size ?? 300;
  const pad = 30;
  const nx = xs.length;
  const ny = ys.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < grid.length; i++) { lo = Math.min(lo, grid[i]!); hi = Math.max(hi, grid[i]!); }
  const [a, b] = o.range ?? [lo, hi === lo ? lo + 1 : hi];
  const x0 = xs[0]!;
  const x1 = xs[nx - 1]!;
  const y0 = ys[0]!;
  const y1 = ys[ny - 1]!;
  const px = (x: number): number => pad + ((x - x0) / (x1 - x0)) * size;
  const py = (y: number): number => pad + size - ((y - y0) / (y1 - y0)) * size;
  const cw = size / (nx - 1);
  const ch = size / (ny - 1);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${size + 2 * pad}" height="${size + 2 * pad}" font-family="sans-serif" font-size="11">`];
  if (o.title !== undefined) parts.push(`<text x="${pad}" y="${pad - 10}">${esc(o.title)}</text>`);
  parts.push(`<g clip-path="url(#c)"><clipPath id="c"><rect x="${pad}" y="${pad}" width="${size}" height="${size}"/></clipPath>`);
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      const v = grid[iy * nx + ix]!;
      parts.push(`<rect x="${(px(xs[ix]!) - cw / 2).toFixed(1)}" y="${(py(ys[iy]!) - ch / 2).toFixed(1)}" width="${(cw + 0.5).toFixed(1)}" height="${(ch + 0.5).toFixed(1)}" fill="${color((v - a) / (b - a))}"/>`);
    }
  }
  for (const poly of o.polygons ?? []) {
    parts.push(`<polygon points="${poly.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}" fill="none" stroke="black" stroke-width="1.5"/>`);
  }
  for (const l of o.lines ?? []) {
    // Two points of the line at the square's left and right edges (or top and bottom if vertical).
    const ends: [number, number][] = Math.abs(l.w2) > Math.abs(l.w1)
      ? [x0, x1].map((x) => [x, -(l.b + l.w1 * x) / l.w2])
      : [y0, y1].map((y) => [-(l.b + l.w2 * y) / l.w1, y]);
    parts.push(`<line x1="${px(ends[0]![0]).toFixed(1)}" y1="${py(ends[0]![1]).toFixed(1)}" x2="${px(ends[1]![0]).toFixed(1)}" y2="${py(ends[1]![1]).toFixed(1)}" stroke="black" stroke-dasharray="4 3"/>`);
  }
  if (o.points !== undefined) {
    o.points.x.forEach((p, i) => {
      parts.push(`<circle cx="${px(p[0]!).toFixed(1)}" cy="${py(p[1]!).toFixed(1)}" r="2" fill="${o.points!.y[i] === 1 ? '#900' : '#009'}" stroke="white" stroke-width="0.5"/>`);
    });
  }
  parts.push('</g>');
  parts.push(`<rect x="${pad}" y="${pad}" width="${size}" height="${size}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${pad}" y="${pad + size + 14}">${fmt(x0)}</text><text x="${pad + size}" y="${pad + size + 14}" text-anchor="end">${fmt(x1)}</text>`);
  parts.push(`<text x="${pad - 4}" y="${pad + size}" text-anchor="end">${fmt(y0)}</text><text x="${pad - 4}" y="${pad + 8}" text-anchor="end">${fmt(y1)}</text>`);
  parts.push(`<text x="${pad + size}" y="${pad - 10}" text-anchor="end">colour ${fmt(a)} … ${fmt(b)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

export interface Series { readonly name: string; readonly x: readonly number[]; readonly y: readonly number[] }

const PALETTE = ['#000', '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

/** Lines over a shared pair of axes; logX for learning rates. A vertical marker at `markX` if given. */
export function lineChartSvg(series: readonly Series[], o: { title?: string; logX?: boolean; xLabel?: string; yLabel?: string; markX?: number; width?: number; height?: number } = {}): string {
  const w = o.width ?? 480;
  const h = o.height ?? 300;
  const pad = 45;
  const tx = (v: number): number => (o.logX === true ? Math.log10(v) : v);
  const all = series.flatMap((s) => s.x.map((x, i) => [tx(x), s.y[i]!] as const)).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  // Loops, not Math.min(...points): a long series would overflow the argument list.
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (const [x, y] of all) { xMin = Math.min(xMin, x); xMax = Math.max(xMax, x); yMin = Math.min(yMin, y); yMax = Math.max(yMax, y); }
  const sx = (v: number): number => pad + ((tx(v) - xMin) / (xMax - xMin || 1)) * (w - 2 * pad);
  const sy = (v: number): number => h - pad - ((v - yMin) / (yMax - yMin || 1)) * (h - 2 * pad);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="11">`];
  if (o.title !== undefined) parts.push(`<text x="${pad}" y="18">${esc(o.title)}</text>`);
  parts.push(`<rect x="${pad}" y="${pad}" width="${w - 2 * pad}" height="${h - 2 * pad}" fill="none" stroke="#333"/>`);
  series.forEach((s, k) => {
    const pts = s.x.map((x, i) => [x, s.y[i]!] as const).filter(([x, y]) => Number.isFinite(tx(x)) && Number.isFinite(y));
    parts.push(`<polyline fill="none" stroke="${PALETTE[k % PALETTE.length]!}" stroke-width="1.5" points="${pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`);
    parts.push(`<text x="${w - pad + 4 - 120}" y="${pad + 14 * (k + 1)}" fill="${PALETTE[k % PALETTE.length]!}">${esc(s.name)}</text>`);
  });
  if (o.markX !== undefined) parts.push(`<line x1="${sx(o.markX).toFixed(1)}" x2="${sx(o.markX).toFixed(1)}" y1="${pad}" y2="${h - pad}" stroke="#d62728" stroke-dasharray="4 3"/>`);
  const xl = (v: number): string => fmt(o.logX === true ? 10 ** v : v);
  parts.push(`<text x="${pad}" y="${h - pad + 14}">${xl(xMin)}</text><text x="${w - pad}" y="${h - pad + 14}" text-anchor="end">${xl(xMax)}</text>`);
  parts.push(`<text x="${pad - 4}" y="${h - pad}" text-anchor="end">${fmt(yMin)}</text><text x="${pad - 4}" y="${pad + 8}" text-anchor="end">${fmt(yMax)}</text>`);
  if (o.xLabel !== undefined) parts.push(`<text x="${w / 2}" y="${h - 10}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  if (o.yLabel !== undefined) parts.push(`<text x="12" y="${h / 2}" transform="rotate(-90 12 ${h / 2})" text-anchor="middle">${esc(o.yLabel)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

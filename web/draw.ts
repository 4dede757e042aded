/**
 * Drawing for the playground: one diverging colour scale (orange for negative, white at 0, blue for
 * positive, as the classic playground), class colours for several classes, heatmaps, points and small
 * line charts, all on canvases.
 */

type Rgb = readonly [number, number, number];

const NEG: Rgb = [245, 147, 34];
const MID: Rgb = [232, 234, 235];
const POS: Rgb = [8, 119, 189];
export const CLASS_COLOURS: readonly Rgb[] = [NEG, POS, [46, 160, 67], [156, 82, 196], [214, 39, 40], [140, 86, 75], [227, 119, 194], [90, 90, 90], [188, 189, 34], [23, 190, 207]];

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

/** t in [−1, 1] (clamped) to orange – light grey – blue. */
export function diverging(t: number): Rgb {
  const v = Number.isFinite(t) ? Math.max(-1, Math.min(1, t)) : 0;
  return v < 0 ? mix(MID, NEG, -v) : mix(MID, POS, v);
}

/** A colour moved a fraction t of the way to white. */
export function lighten(c: Rgb, t: number): Rgb {
  return mix(c, [255, 255, 255], t);
}

export function css(c: Rgb, alpha = 1): string {
  return `rgba(${Math.round(c[0])},${Math.round(c[1])},${Math.round(c[2])},${alpha})`;
}

/** Paint a g × g field (row 0 at the top) scaled to the canvas; `colour` maps cell index to a colour. */
export function heatmap(canvas: HTMLCanvasElement, g: number, colour: (cell: number) => Rgb, alpha = 1): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  // A canvas of the field's own size takes the pixels directly; a larger one scales them (smoothed).
  const direct = canvas.width === g && canvas.height === g;
  const off = direct ? canvas : document.createElement('canvas');
  if (!direct) { off.width = g; off.height = g; }
  const octx = direct ? ctx : off.getContext('2d');
  if (octx === null) return;
  const img = octx.createImageData(g, g);
  for (let i = 0; i < g * g; i++) {
    const c = colour(i);
    img.data[4 * i] = c[0];
    img.data[4 * i + 1] = c[1];
    img.data[4 * i + 2] = c[2];
    img.data[4 * i + 3] = Math.round(255 * alpha);
  }
  octx.putImageData(img, 0, 0);
  if (direct) return;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
}

/** Most points drawn per set: beyond it an even sample (every k-th row) shows the shape at frame rate. */
const MAX_POINTS = 1500;

/** Data points at view coordinates in [−1, 1]²: filled circles, white-ringed; test points ringed in black. */
export function points(canvas: HTMLCanvasElement, xy: Float32Array, idx: Int32Array, colourOf: (i: number) => Rgb, test: boolean): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const w = canvas.width;
  const h = canvas.height;
  const r = Math.max(2.2, w / 110);
  const stride = Math.ceil(idx.length / MAX_POINTS);
  for (let k = 0; k < idx.length; k += stride) {
    const i = idx[k]!;
    const x = ((xy[2 * i]! + 1) / 2) * w;
    const y = ((1 - xy[2 * i + 1]!) / 2) * h;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fillStyle = css(colourOf(i));
    ctx.fill();
    ctx.lineWidth = test ? 1.6 : 1;
    ctx.strokeStyle = test ? '#111' : '#fff';
    ctx.stroke();
  }
}

export interface Series { readonly values: readonly number[]; readonly colour: string; readonly dashed?: boolean }

/**
 * Lines over a shared x (their index), y linear from 0 or logarithmic; returns the y range drawn (null
 * when there is nothing to draw), for labels the page writes beside the canvas (text drawn on a canvas
 * resolves its font on every frame).
 */
export function lineChart(canvas: HTMLCanvasElement, series: readonly Series[], log: boolean): { lo: number; hi: number } | null {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return null;
  const w = canvas.width;
  const h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  const f = (v: number): number => (log ? Math.log10(v) : v);
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (const v of s.values) {
      if (!Number.isFinite(v) || (log && v <= 0)) continue;
      lo = Math.min(lo, f(v));
      hi = Math.max(hi, f(v));
    }
  }
  if (lo > hi) return null;
  if (!log) lo = 0;
  if (hi - lo < 1e-9) { hi += 0.5; lo -= 0.5; }
  const pad = 4;
  // A log chart keeps a gutter on the left for its two scale labels (written by the page).
  const left = log ? 40 : 1;
  ctx.strokeStyle = '#e3e6e8';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(left, h - pad + 0.5);
  ctx.lineTo(w, h - pad + 0.5);
  ctx.stroke();
  for (const s of series) {
    const n = s.values.length;
    if (n === 0) continue;
    ctx.beginPath();
    ctx.strokeStyle = s.colour;
    ctx.lineWidth = 1.6;
    ctx.setLineDash(s.dashed === true ? [4, 3] : []);
    let started = false;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v) || (log && v <= 0)) return;
      const x = n === 1 ? left + 2 : (i / (n - 1)) * (w - 1 - left) + left;
      const y = pad + (1 - (f(v) - lo) / (hi - lo)) * (h - 2 * pad);
      if (started) ctx.lineTo(x, y); else { ctx.moveTo(x, y); started = true; }
      // A lone point (the first step) would be a line of no length: mark it.
      if (n === 1) ctx.arc(x, y, 1.5, 0, 2 * Math.PI);
    });
    ctx.stroke();
  }
  ctx.setLineDash([]);
  return log ? { lo: 10 ** lo, hi: 10 ** hi } : { lo, hi };
}

export function fmt(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e4)) return v.toExponential(2);
  return v.toFixed(digits);
}

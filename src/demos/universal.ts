/**
 * Universal approximation: "any continuous function on a compact space can be uniformly approximated
 * by a 2-layer neural network with linear output" (the lecture) — one hidden layer, growing width.
 * Each width is trained to convergence by full-batch L-BFGS (a deterministic objective, so the
 * error measures the architecture more than the optimizer) and scored by the uniform (max) error and
 * the RMSE on a fine grid.
 */

import { Model } from '../graph/model.js';
import { mlp } from '../graph/builders.js';
import { fit } from '../train/fit.js';

/** The function, interval and widths of the universal-approximation demo. */
export interface UniversalOptions {
  /** The function to approximate (default sin(2x) + 0.3x). */
  readonly fn?: (x: number) => number;
  readonly domain?: readonly [number, number];
  /** Hidden widths, default [1, 2, 4, 8, 16]. */
  readonly widths?: readonly number[];
  readonly activation?: 'tanh' | 'sigmoid' | 'relu';
  /** Training points, evenly spaced (default 100). */
  readonly n?: number;
  /** L-BFGS iterations (default 500). */
  readonly iterations?: number;
  readonly seed?: number;
  /** Grid points for the error and the picture (default 201). */
  readonly resolution?: number;
}

/** One width's fit: its maximum and RMS error and its curve. */
export interface UniversalRun {
  readonly width: number;
  readonly maxError: number;
  readonly rmse: number;
  /** The network's curve on the grid. */
  readonly curve: number[];
}

/** The universal-approximation demo: the grid, the target and one run per width. */
export interface UniversalResult {
  readonly xs: number[];
  readonly target: number[];
  readonly runs: UniversalRun[];
}

/** Universal approximation: fit one hidden layer of growing width to a function of one variable and report the error per width. */
export async function universalApproximation(o: UniversalOptions = {}): Promise<UniversalResult> {
  const fn = o.fn ?? ((x: number) => Math.sin(2 * x) + 0.3 * x);
  const [lo, hi] = o.domain ?? [-Math.PI, Math.PI];
  if (!(lo < hi)) throw new Error(`universalApproximation: domain must have lo < hi, got [${lo}, ${hi}]`);
  const n = o.n ?? 100;
  const res = o.resolution ?? 201;
  const lin = (k: number): number[] => Array.from({ length: k }, (_, i) => lo + ((hi - lo) * i) / (k - 1));
  const xTrain = lin(n);
  const yTrain = xTrain.map(fn);
  const xs = lin(res);
  const target = xs.map(fn);
  const mid = (lo + hi) / 2;
  const half = (hi - lo) / 2;
  // Inputs scaled to [−1, 1]: the network sees (x − mid)/half.
  const scaled = (v: readonly number[]): number[][] => v.map((x) => [(x - mid) / half]);
  const runs: UniversalRun[] = [];
  for (const width of o.widths ?? [1, 2, 4, 8, 16]) {
    if (!Number.isInteger(width) || width < 1) throw new Error(`universalApproximation: widths must be integers ≥ 1, got ${width}`);
    const model = new Model(mlp({ inputSize: 1, outputSize: 1, task: 'regression', hidden: [width], activation: o.activation ?? 'tanh', dtype: 'float64' }), { seed: (o.seed ?? 0) + width });
    await fit(model, { x: scaled(xTrain), y: yTrain }, { epochs: o.iterations ?? 500, optimizer: { kind: 'lbfgs' }, seed: o.seed ?? 0 });
    const curve = Array.from(model.predict(scaled(xs)).data);
    let maxError = 0;
    let sq = 0;
    curve.forEach((v, i) => { const e = Math.abs(v - target[i]!); maxError = Math.max(maxError, e); sq += e * e; });
    runs.push({ width, maxError, rmse: Math.sqrt(sq / res), curve });
  }
  return { xs, target, runs };
}

/** A table of the universal-approximation errors per width. */
export function formatUniversalTable(r: UniversalResult): string {
  return ['width   max error   rmse', ...r.runs.map((u) => `${String(u.width).padStart(5)}   ${u.maxError.toFixed(4).padStart(9)}   ${u.rmse.toFixed(4)}`)].join('\n');
}

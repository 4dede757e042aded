/**
 * The learning-rate range test (Smith 2017, "Cyclical learning rates"): train briefly while the
 * learning rate grows geometrically from tiny to huge, and record the loss at each rate. Too small a
 * rate leaves the loss flat, a good one makes it fall fast, too large a one makes it blow up. The
 * suggestion is a tenth of the rate at the smoothed loss's minimum — a rate on the falling part of
 * the curve, safely below the blow-up.
 *
 * Each step is one epoch of `trainStep`s over shuffled batches with an exponential schedule
 * η_t = η_min · γ^t, so the optimizer (and its state) is the library's own; the model's weights are
 * put back afterwards.
 */

import type { Model } from '../graph/model.js';
import { Rng } from '../rng.js';
import type { FitData } from '../train/types.js';
import { prepareData, type Prepared } from '../train/prepare.js';
import { trainStep } from '../train/step.js';
import { createOptimizer, type Optimizer, type StepRuleOption } from '../optim/optimizer.js';

/** The range and length of the learning-rate range test. */
export interface LrRangeOptions {
  /** Default 1e-5. */
  readonly minLearningRate?: number;
  /** Default 1. */
  readonly maxLearningRate?: number;
  /** Rates tried, geometrically spaced (default 60). */
  readonly steps?: number;
  /** Default min(32, N). */
  readonly batchSize?: number;
  /** The optimizer whose rate is searched (its learningRate is ignored). Default Adam. */
  readonly optimizer?: StepRuleOption;
  /** Weight of the newest loss in the exponential moving average (default 0.3). */
  readonly smoothing?: number;
  /** Stop once the smoothed loss exceeds this multiple of its minimum (default 4). */
  readonly divergeFactor?: number;
  readonly seed?: number;
}

/** The learning-rate range test: loss against rate, smoothed, and the suggested rate. */
export interface LrRangeResult {
  readonly learningRates: number[];
  /** Mean training loss of each step's epoch. */
  readonly losses: number[];
  /** Bias-corrected exponential moving average of the losses. */
  readonly smoothed: number[];
  /** The rate at the smoothed loss's minimum. */
  readonly minLossLearningRate: number;
  /** The rate where the smoothed loss falls fastest per decade of η (before the minimum). */
  readonly steepestLearningRate: number;
  /** A tenth of minLossLearningRate. */
  readonly suggested: number;
  readonly stopReason: 'complete' | 'diverged';
}

/** Run the range test on `model` (its weights and state are restored at the end). */
export async function lrRangeTest(model: Model, data: FitData, options: LrRangeOptions = {}): Promise<LrRangeResult> {
  const lo = options.minLearningRate ?? 1e-5;
  const hi = options.maxLearningRate ?? 1;
  const steps = options.steps ?? 60;
  const beta = options.smoothing ?? 0.3;
  const factor = options.divergeFactor ?? 4;
  if (!(lo > 0 && hi > lo && Number.isFinite(hi))) throw new Error(`lrRangeTest: need 0 < minLearningRate < maxLearningRate, got ${lo} and ${hi}`);
  if (!Number.isInteger(steps) || steps < 3) throw new Error(`lrRangeTest: steps must be an integer ≥ 3, got ${steps}`);
  if (!(beta > 0 && beta <= 1)) throw new Error(`lrRangeTest: smoothing must be in (0, 1], got ${beta}`);
  if (!(factor > 1)) throw new Error(`lrRangeTest: divergeFactor must be > 1, got ${factor}`);
  const gamma = (hi / lo) ** (1 / (steps - 1));
  const base = options.optimizer ?? 'adam';
  const rule: StepRuleOption = typeof base === 'string' ? { kind: base, learningRate: lo } : { ...base, learningRate: lo };
  const opt = createOptimizer(rule, { kind: 'exponential', gamma }, model);
  const d = prepareData(model, data, 'lrRangeTest');
  const batchSize = Math.min(options.batchSize ?? 32, d.x.rows);
  model.compile(batchSize);
  const rng = new Rng(options.seed ?? 0);
  const weights = model.getWeights();
  const state = model.getState();
  const learningRates: number[] = [];
  const losses: number[] = [];
  const smoothed: number[] = [];
  let avg = 0;
  let best = Infinity;
  let stopReason: LrRangeResult['stopReason'] = 'complete';
  try {
    for (let i = 0; i < steps; i++) {
      const lr = opt.startEpoch(i, 0);
      const loss = epochLoss(model, opt, d, batchSize, rng);
      if (!Number.isFinite(loss)) { stopReason = 'diverged'; break; }
      learningRates.push(lr);
      losses.push(loss);
      avg = (1 - beta) * avg + beta * loss;
      const s = avg / (1 - (1 - beta) ** losses.length);
      smoothed.push(s);
      best = Math.min(best, s);
      if (s > factor * best) { stopReason = 'diverged'; break; }
    }
  } finally {
    model.setWeights(weights);
    model.setState(state);
    opt.release();
  }
  if (losses.length < 2) throw new Error(`lrRangeTest: the loss diverged after ${losses.length} step(s), already at η = ${lo}; lower minLearningRate`);
  let iMin = 0;
  smoothed.forEach((s, i) => { if (s < smoothed[iMin]!) iMin = i; });
  let iSteep = 0;
  let slope = Infinity;
  for (let i = 1; i <= iMin; i++) {
    const d = (smoothed[i]! - smoothed[i - 1]!) / Math.log10(learningRates[i]! / learningRates[i - 1]!);
    if (d < slope) { slope = d; iSteep = i; }
  }
  const minLossLearningRate = learningRates[iMin]!;
  return {
    learningRates, losses, smoothed, minLossLearningRate,
    steepestLearningRate: learningRates[iSteep]!,
    suggested: minLossLearningRate / 10,
    stopReason,
  };
}

/** The mean training loss of one epoch of steps (NaN as soon as a step is not finite). */
function epochLoss(model: Model, opt: Optimizer, d: Prepared, batchSize: number, rng: Rng): number {
  const n = d.x.rows;
  const order = rng.permutation(n);
  let sum = 0;
  for (let start = 0; start < n; start += batchSize) {
    const rows = Math.min(batchSize, n - start);
    const r = trainStep(model, opt, { x: d.x.data, y: d.y.data, order, start, rows, weights: d.w ?? undefined }, { rng });
    if (!r.ok) return NaN;
    sum += r.loss * rows;
  }
  return sum / n;
}

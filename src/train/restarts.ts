/**
 * Restarts against local optima (the lecture's slide "multiple local optima": solve the task many
 * times from different starting points or samples, then select the best model or average them).
 *
 * Each run is a pure function of (spec, data, fit options, seed): the model is initialized from the
 * seed and fit shuffles from it, and with `bootstrap` the run trains on a bootstrap sample drawn
 * from it. So a runner may execute the runs in any order or in parallel (worker threads in Node,
 * see src/node/restarts-worker.ts) and the results equal a sequential run with the same seeds.
 * All runs are judged on one shared validation set.
 */

import { Model } from '../graph/model.js';
import type { ModelSpec } from '../spec.js';
import { Rng } from '../rng.js';
import { bootstrapSample } from '../data/splits.js';
import { evaluateLoss, fit } from './fit.js';
import { prepareData, splitFraction, takePrepared, type Prepared } from './prepare.js';
import { Ensemble } from './ensemble.js';
import type { FitData, FitOptions, History } from './types.js';

/** The fit options a run can carry to a worker: plain data, no callbacks. */
export type RestartFitOptions = Omit<FitOptions, 'signal' | 'onEpochEnd' | 'onBatchEnd' | 'checkpoint' | 'resumeFrom' | 'metrics' | 'validation' | 'seed'>;

/** One run: structured-cloneable, so it can be posted to a worker. */
export interface RestartJob {
  readonly index: number;
  readonly seed: number;
  readonly spec: ModelSpec;
  readonly train: Prepared;
  readonly validation: Prepared;
  readonly fit: RestartFitOptions;
  readonly bootstrap: boolean;
}

/** One run's weights, state, validation loss and history. */
export interface RestartResult {
  readonly index: number;
  readonly seed: number;
  readonly weights: Float32Array | Float64Array;
  readonly state: Float32Array | Float64Array;
  /** Data loss on the shared validation set after training. */
  readonly valLoss: number;
  readonly history: History;
}

/** Runs a list of jobs and returns their results in job order. */
export type RestartRunner = (jobs: readonly RestartJob[]) => Promise<RestartResult[]>;

/** Train one run (the unit a worker executes). */
export async function runRestart(job: RestartJob): Promise<RestartResult> {
  const model = new Model(job.spec, { seed: job.seed });
  let train = job.train;
  if (job.bootstrap) train = takePrepared(train, bootstrapSample(train.x.rows, new Rng([job.seed >>> 0, 0xb007, 7, 1])).sample);
  const data: FitData = { x: train.x, y: train.y, ...(train.w === null ? {} : { sampleWeights: train.w }) };
  const validation: FitData = { x: job.validation.x, y: job.validation.y };
  const history = await fit(model, data, { ...job.fit, seed: job.seed, validation });
  const val = prepareData(model, validation, 'validation');
  const valLoss = evaluateLoss(model, val, Int32Array.from({ length: val.x.rows }, (_, i) => i));
  return { index: job.index, seed: job.seed, weights: model.getWeights(), state: model.getState(), valLoss, history };
}

/** The runner for any environment: one run after the other. */
export const sequentialRunner: RestartRunner = async (jobs) => {
  const out: RestartResult[] = [];
  for (const j of jobs) out.push(await runRestart(j));
  return out;
};

/** How many runs trainRestarts makes, from which seeds, on what data, and who runs them. */
export interface RestartOptions {
  /** Number of runs k (≥ 1). */
  readonly runs: number;
  /** Run i uses seed + i for its initial weights, shuffling, dropout and bootstrap sample. Default 0. */
  readonly seed?: number;
  /** Train each run on a bootstrap sample of the training rows (bagging). Default false. */
  readonly bootstrap?: boolean;
  /** Validation data shared by every run, or a fraction held out once (stratified for classifiers). Default { fraction: 0.1 }. */
  readonly validation?: FitData | { readonly fraction: number };
  readonly runner?: RestartRunner;
}

/** The runs of trainRestarts, the best one's model, and the ensemble of all of them. */
export interface RestartsOutcome {
  readonly runs: readonly RestartResult[];
  /** Index of the run with the lowest validation loss (the first such, on ties). */
  readonly best: number;
  /** The best run's model. */
  readonly model: Model;
  /** Every run's model, averaged. */
  readonly ensemble: Ensemble;
}

/** Build the jobs of a restart experiment (exported so that tests and runners can inspect them). */
export function restartJobs(spec: ModelSpec, data: FitData, fitOptions: RestartFitOptions, o: RestartOptions): RestartJob[] {
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error(`restarts: runs must be an integer ≥ 1, got ${o.runs}`);
  const probe = new Model(spec, { maxBatch: 1 });
  const all = prepareData(probe, data, 'restarts');
  const seed = o.seed ?? 0;
  const v = o.validation ?? { fraction: 0.1 };
  let train: Prepared;
  let validation: Prepared;
  if ('fraction' in v) ({ train, val: validation } = splitFraction(probe, all, v.fraction, new Rng([seed >>> 0, 0x5eed, 0x517, 2]), 'restarts: validation.fraction'));
  else { train = all; validation = prepareData(probe, v, 'restarts: validation'); }
  return Array.from({ length: o.runs }, (_, i) => ({
    index: i, seed: seed + i, spec, train, validation, fit: fitOptions, bootstrap: o.bootstrap ?? false,
  }));
}

/** Train k runs and keep the best by validation loss, and all of them as an ensemble. */
export async function trainRestarts(spec: ModelSpec, data: FitData, fitOptions: RestartFitOptions, o: RestartOptions): Promise<RestartsOutcome> {
  const jobs = restartJobs(spec, data, fitOptions, o);
  const runs = await (o.runner ?? sequentialRunner)(jobs);
  const models = runs.map((r) => {
    const m = new Model(spec, { seed: r.seed });
    m.setWeights(r.weights);
    m.setState(r.state);
    return m;
  });
  let best = 0;
  runs.forEach((r, i) => { if (r.valLoss < runs[best]!.valLoss) best = i; });
  return { runs, best, model: models[best]!, ensemble: new Ensemble(models) };
}

/**
 * A trial is what travels on the queue: a restart run or a search candidate as plain data — the
 * model spec or estimator options, the seed, the index — and a reference to the shared data by its
 * hash. A worker checks every trial it takes as any model spec is checked (it runs data, never
 * code), fetches the data by hash, and runs it with the same function as a local run
 * (`runRestart`, `evaluateCandidate`), so the result is the local one bit for bit.
 */

import { checkKeys } from '../../options.js';
import { resolveSpec, type ModelSpec } from '../../spec.js';
import type { Label } from '../../data/matrix-input.js';
import type { Prepared } from '../../train/fit.js';
import { runRestart, type RestartFitOptions, type RestartJob, type RestartResult } from '../../train/restarts.js';
import { evaluateCandidate, type BaseOptions, type Candidate, type CandidateResult, type TuneJob, type TuneTask } from '../../tune/search.js';
import { decodeBundle, encodeBundle, type Bundle, type DataRef } from './bundle.js';
import { isJson } from './wire.js';

export interface RestartTrial {
  readonly kind: 'restart';
  readonly index: number;
  readonly seed: number;
  readonly spec: ModelSpec;
  readonly fit: RestartFitOptions;
  readonly bootstrap: boolean;
  readonly data: DataRef;
}

export interface TuneTrial {
  readonly kind: 'tune';
  readonly index: number;
  readonly seed: number;
  readonly params: Candidate;
  readonly base: BaseOptions;
  readonly task: TuneTask;
  readonly data: DataRef;
}

export type Trial = RestartTrial | TuneTrial;
export type TrialKind = Trial['kind'];

/** What a trial returns, by kind. */
export interface TrialResults { readonly restart: RestartResult; readonly tune: CandidateResult }

/** The shared data of restart runs: the training and validation rows. */
interface RestartData { readonly train: Prepared; readonly validation: Prepared }
/** The shared data of candidates: the rows (row-major), labels and folds. */
interface TuneData {
  readonly x: Float64Array;
  readonly cols: number;
  readonly y: readonly Label[];
  readonly folds: readonly { readonly train: Int32Array; readonly test: Int32Array }[];
}

/** Trials and the bundles they refer to (one per distinct data, by hash). */
export interface TrialSet {
  readonly trials: Trial[];
  readonly bundles: Bundle[];
}

function collect<J>(jobs: readonly J[], store: DataRef['kind'], data: (j: J) => unknown, trial: (j: J, ref: DataRef) => Trial): TrialSet {
  const bundles = new Map<string, Bundle>();
  const trials = jobs.map((j) => {
    const b = encodeBundle(data(j));
    bundles.set(b.sha256, b);
    return trial(j, { kind: store, sha256: b.sha256, bytes: b.bytes.length });
  });
  return { trials, bundles: [...bundles.values()] };
}

export function restartTrials(jobs: readonly RestartJob[], store: DataRef['kind']): TrialSet {
  return collect(jobs, store, (j): RestartData => ({ train: j.train, validation: j.validation }), (j, data) => ({
    kind: 'restart', index: j.index, seed: j.seed, spec: j.spec, fit: j.fit, bootstrap: j.bootstrap, data,
  }));
}

export function tuneTrials(jobs: readonly TuneJob[], store: DataRef['kind']): TrialSet {
  return collect(jobs, store, (j): TuneData => {
    const cols = j.x[0]?.length ?? 0;
    const x = new Float64Array(j.x.length * cols);
    j.x.forEach((r, i) => x.set(r, i * cols));
    return { x, cols, y: j.y, folds: j.folds.map((f) => ({ train: Int32Array.from(f.train), test: Int32Array.from(f.test) })) };
  }, (j, data) => ({ kind: 'tune', index: j.index, seed: j.seed, params: j.params, base: j.base, task: j.task, data }));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkDataRef(v: unknown): DataRef {
  if (!isObject(v)) throw new Error('data must be an object { kind, sha256, bytes }');
  checkKeys(v, ['kind', 'sha256', 'bytes'], 'data');
  if (v.kind !== 'redis' && v.kind !== 'file') throw new Error(`data.kind must be 'redis' or 'file', got ${JSON.stringify(v.kind)}`);
  if (typeof v.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(v.sha256)) throw new Error('data.sha256 must be 64 hexadecimal digits');
  if (typeof v.bytes !== 'number' || !Number.isInteger(v.bytes) || v.bytes < 8) throw new Error(`data.bytes must be an integer ≥ 8, got ${JSON.stringify(v.bytes)}`);
  return { kind: v.kind, sha256: v.sha256, bytes: v.bytes };
}

function checkInt(v: unknown, what: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new Error(`${what} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function checkPlain(v: unknown, what: string): Record<string, unknown> {
  if (!isObject(v) || !isJson(v)) throw new Error(`${what} must be a plain JSON object`);
  return v;
}

const RESTART_KEYS = ['kind', 'index', 'seed', 'spec', 'fit', 'bootstrap', 'data'] as const;
const TUNE_KEYS = ['kind', 'index', 'seed', 'params', 'base', 'task', 'data'] as const;

/**
 * A trial from the queue, checked: the shape, then the model spec as `new Model` checks it. Anything
 * else (fit options, estimator options) is checked where a local run checks it, so a bad trial fails
 * with the same message as it would locally.
 */
export function checkTrial(v: unknown): Trial {
  if (!isObject(v)) throw new Error('a trial must be an object');
  const index = checkInt(v.index, 'index', 0);
  const seed = checkInt(v.seed, 'seed', -(2 ** 52));
  switch (v.kind) {
    case 'restart': {
      checkKeys(v, RESTART_KEYS, 'restart trial');
      const spec: unknown = checkPlain(v.spec, 'spec');
      resolveSpec(spec as ModelSpec);
      if (typeof v.bootstrap !== 'boolean') throw new Error('bootstrap must be true or false');
      const fit: unknown = checkPlain(v.fit, 'fit');
      return { kind: 'restart', index, seed, spec: spec as ModelSpec, fit: fit as RestartFitOptions, bootstrap: v.bootstrap, data: checkDataRef(v.data) };
    }
    case 'tune': {
      checkKeys(v, TUNE_KEYS, 'tune trial');
      if (v.task !== 'classification' && v.task !== 'regression') throw new Error(`task must be 'classification' or 'regression', got ${JSON.stringify(v.task)}`);
      return {
        kind: 'tune', index, seed, task: v.task, data: checkDataRef(v.data),
        params: checkPlain(v.params, 'params'), base: checkPlain(v.base, 'base'),
      };
    }
    default:
      throw new Error(`kind must be 'restart' or 'tune', got ${JSON.stringify(v.kind)}`);
  }
}

// The bundle was made by `restartTrials` / `tuneTrials` and checked against its hash; the shape check catches a mix-up of kinds.
const looksLike = (v: unknown, keys: readonly string[]): boolean => isObject(v) && keys.every((k) => k in v);

function asRestartData(v: unknown, where: string): RestartData {
  if (!looksLike(v, ['train', 'validation'])) throw new Error(`${where}: not the data of restart runs`);
  return v as RestartData;
}

function asTuneData(v: unknown, where: string): TuneData {
  if (!looksLike(v, ['x', 'cols', 'y', 'folds'])) throw new Error(`${where}: not the data of search candidates`);
  return v as TuneData;
}

let decoded: { readonly sha256: string; readonly value: unknown } | null = null;

/** Run a checked trial on its data bundle (bytes already checked against the hash). */
export async function runTrial(trial: Trial, bytes: Uint8Array): Promise<RestartResult | CandidateResult> {
  const where = `data ${trial.data.sha256.slice(0, 12)}`;
  if (decoded?.sha256 !== trial.data.sha256) decoded = { sha256: trial.data.sha256, value: decodeBundle(bytes, where) };
  switch (trial.kind) {
    case 'restart': {
      const d = asRestartData(decoded.value, where);
      return runRestart({ index: trial.index, seed: trial.seed, spec: trial.spec, train: d.train, validation: d.validation, fit: trial.fit, bootstrap: trial.bootstrap });
    }
    case 'tune': {
      const d = asTuneData(decoded.value, where);
      const x = Array.from({ length: d.x.length / d.cols }, (_, i) => Array.from(d.x.subarray(i * d.cols, (i + 1) * d.cols)));
      const folds = d.folds.map((f) => ({ train: Array.from(f.train), test: Array.from(f.test) }));
      return evaluateCandidate({ index: trial.index, params: trial.params, base: trial.base, task: trial.task, x, y: d.y, folds, seed: trial.seed });
    }
  }
}

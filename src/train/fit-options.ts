/**
 * fit's options checked at the door: every key known (a typo is refused with the closest name, in
 * nested objects too: "fit: unknown option earlyStopping.patiense (did you mean earlyStopping.patience?)"),
 * every value in range, the optimizer and schedule resolved (names expanded, default learning rate).
 */

import { checkKeys } from '../options.js';
import { resolveOptimizer, resolveSchedule } from '../optim/optimizer.js';
import type { OptimizerSpec } from '../optim/rules.js';
import type { ScheduleSpec } from '../optim/schedules.js';
import type { EarlyStoppingOptions, FitData, FitOptions } from './types.js';

/** Every option `fit` takes (any other key is refused with the closest name). */
export const FIT_OPTION_KEYS = [
  'epochs', 'batchSize', 'optimizer', 'schedule', 'shuffle', 'seed', 'validation', 'earlyStopping', 'tolerance',
  'nIterNoChange', 'timeLimitSeconds', 'signal', 'onEpochEnd', 'onBatchEnd', 'checkpoint', 'resumeFrom', 'resumeForce',
  'classWeights', 'metrics',
] as const satisfies readonly (keyof FitOptions)[];
const EARLY_STOPPING_KEYS = ['patience', 'minDelta', 'restoreBest'] as const satisfies readonly (keyof EarlyStoppingOptions)[];
const CHECKPOINT_KEYS = ['every', 'write'] as const satisfies readonly (keyof NonNullable<FitOptions['checkpoint']>)[];
const FRACTION_KEYS = ['fraction'] as const;

// Every option of FitOptions is listed (a compile-time check).
type Unlisted = Exclude<keyof FitOptions, (typeof FIT_OPTION_KEYS)[number]> | Exclude<keyof EarlyStoppingOptions, (typeof EARLY_STOPPING_KEYS)[number]>;
export const FIT_KEYS_COMPLETE: [Unlisted] extends [never] ? true : never = true;

/** The options with the optimizer and schedule resolved and the defaults of shuffle and seed filled in. */
export interface CheckedFitOptions {
  readonly options: FitOptions;
  readonly optimizer: OptimizerSpec;
  readonly schedule: ScheduleSpec;
  readonly shuffle: boolean;
  readonly seed: number;
}

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);

function integerAtLeast(v: unknown, min: number, what: string): void {
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= min)) throw new Error(`fit: ${what} must be an integer ≥ ${min}, got ${String(v)}`);
}

function nonNegative(v: unknown, what: string): void {
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new Error(`fit: ${what} must be a finite number ≥ 0, got ${String(v)}`);
}

function checkEarlyStopping(es: EarlyStoppingOptions, hasValidation: boolean): void {
  if (!isObject(es)) throw new Error(`fit: earlyStopping must be an object such as { patience: 10 }, got ${String(es)}`);
  checkKeys(es, EARLY_STOPPING_KEYS, 'fit', 'earlyStopping.');
  if (!hasValidation) throw new Error('fit: earlyStopping needs validation data or a validation fraction');
  integerAtLeast(es.patience, 1, 'earlyStopping.patience');
  if (es.minDelta !== undefined) nonNegative(es.minDelta, 'earlyStopping.minDelta');
  if (es.restoreBest !== undefined && typeof es.restoreBest !== 'boolean') throw new Error(`fit: earlyStopping.restoreBest must be true or false, got ${String(es.restoreBest)}`);
}

function checkValidation(v: FitData | { readonly fraction: number }): void {
  if (!isObject(v)) throw new Error(`fit: validation must be { fraction } or { x, y }, got ${String(v)}`);
  if ('x' in v && 'fraction' in v) throw new Error('fit: validation takes either a fraction or data { x, y }, not both');
  if ('x' in v) return;
  checkKeys(v, FRACTION_KEYS, 'fit', 'validation.');
  if (!('fraction' in v)) throw new Error('fit: validation needs a fraction ({ fraction: 0.2 }) or data ({ x, y })');
  const f = v.fraction;
  if (!(typeof f === 'number' && f > 0 && f < 1)) throw new Error(`fit: validation.fraction must be in (0, 1), got ${String(f)}`);
}

function checkCallbacks(o: FitOptions): void {
  for (const k of ['onEpochEnd', 'onBatchEnd'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'function') throw new Error(`fit: ${k} must be a function`);
  }
  if (o.checkpoint !== undefined) {
    if (!isObject(o.checkpoint)) throw new Error('fit: checkpoint must be { every, write }');
    checkKeys(o.checkpoint, CHECKPOINT_KEYS, 'fit', 'checkpoint.');
    integerAtLeast(o.checkpoint.every, 1, 'checkpoint.every');
    if (typeof o.checkpoint.write !== 'function') throw new Error('fit: checkpoint.write must be a function');
  }
  if (o.resumeForce !== undefined && typeof o.resumeForce !== 'boolean') throw new Error(`fit: resumeForce must be true or false, got ${String(o.resumeForce)}`);
}

/** Check every key and value of fit's options (before any data is touched). */
export function checkFitOptions(o: FitOptions, streamedValidation = false): CheckedFitOptions {
  if (!isObject(o)) throw new Error(`fit: options must be an object such as { epochs: 10 }, got ${String(o)}`);
  checkKeys(o, FIT_OPTION_KEYS, 'fit');
  integerAtLeast(o.epochs, 1, 'epochs');
  if (o.batchSize !== undefined) integerAtLeast(o.batchSize, 1, 'batchSize');
  if (o.validation !== undefined) checkValidation(o.validation);
  if (o.earlyStopping !== undefined) checkEarlyStopping(o.earlyStopping, o.validation !== undefined || streamedValidation);
  if (o.nIterNoChange !== undefined) integerAtLeast(o.nIterNoChange, 1, 'nIterNoChange');
  if (o.tolerance !== undefined) nonNegative(o.tolerance, 'tolerance');
  if (o.timeLimitSeconds !== undefined && !(typeof o.timeLimitSeconds === 'number' && o.timeLimitSeconds > 0)) {
    throw new Error(`fit: timeLimitSeconds must be a number > 0, got ${String(o.timeLimitSeconds)}`);
  }
  if (o.shuffle !== undefined && typeof o.shuffle !== 'boolean') throw new Error(`fit: shuffle must be true or false, got ${String(o.shuffle)}`);
  if (o.seed !== undefined && !(typeof o.seed === 'number' && Number.isFinite(o.seed))) throw new Error(`fit: seed must be a finite number, got ${String(o.seed)}`);
  checkCallbacks(o);
  return { options: o, optimizer: resolveOptimizer(o.optimizer), schedule: resolveSchedule(o.schedule), shuffle: o.shuffle ?? true, seed: o.seed ?? 0 };
}

/** Rows per batch for n training rows: the option (at most n), else min(32, n). */
export function batchSizeFor(o: FitOptions, n: number): number {
  return Math.min(o.batchSize ?? 32, n);
}

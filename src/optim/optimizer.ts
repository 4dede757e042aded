/**
 * The Optimizer: a rule (SGD, Adam, …; see rules.ts for the update equations), its state (step count
 * and moments) and a learning-rate schedule, as one object. `fit`, the playground and the range test
 * all step through it:
 *
 *   opt.startEpoch(e, samples)          η for epoch e from the schedule
 *   opt.step(params, grads, kernels)    one update with the current η (t = 1, 2, …); whether θ stays finite
 *   opt.observe(loss)                   the epoch's monitored loss (reduce-on-plateau listens)
 *   opt.toJSON() / opt.fromJSON(json)   the whole state, for checkpoints (exact through JSON)
 *
 * L-BFGS is not an Optimizer: it needs the objective, not one gradient, and runs as fit's separate
 * full-batch loop. `resolveOptimizer` still accepts it, so `fit` reads one option for both.
 *
 * Every optimizer has one default learning rate, in DEFAULT_LEARNING_RATES, used when `learningRate`
 * is omitted (and by every front door, so that they agree).
 */

import type { Arena, Kernels, Vec } from '../kernels/backend.js';
import type { Model } from '../graph/model.js';
import { checkKeys, closest } from '../options.js';
import {
  apply, init, optimizerStateFromJSON, optimizerStateToJSON, validateRule,
  type OptimizerSpec, type OptimizerState, type OptimizerStateJSON, type StepRuleSpec,
} from './rules.js';
import { validateLbfgs, type LbfgsSpec } from './lbfgs.js';
import { learningRateAt, scheduleInit, scheduleObserve, validateSchedule, type ScheduleSpec, type ScheduleState } from './schedules.js';

/** The optimizers that take one gradient step at a time. */
export type StepRuleKind = StepRuleSpec['kind'];
/** Every optimizer name, L-BFGS included. */
export type OptimizerKind = OptimizerSpec['kind'];

/**
 * The default η of each rule. Adam, AdamW and RMSprop: 1e-3, the value of their papers and of Keras
 * and PyTorch (Adam/AdamW); plain and momentum SGD: 0.01 (Keras); Adagrad: 0.01 (PyTorch, and Duchi
 * et al.'s experiments; its accumulated denominator shrinks steps quickly, so it starts larger).
 */
export const DEFAULT_LEARNING_RATES: Readonly<Record<StepRuleKind, number>> = {
  sgd: 0.01, adam: 1e-3, adamw: 1e-3, rmsprop: 1e-3, adagrad: 0.01,
};

/** The default optimizer when `fit` is given none (as scikit-learn's MLP and Keras's examples). */
export const DEFAULT_OPTIMIZER: StepRuleKind = 'adam';

/** The keys each optimizer spec may carry (checked: an unknown key is an error with a suggestion). */
export const OPTIMIZER_KEYS = {
  sgd: ['kind', 'learningRate', 'momentum', 'nesterov'],
  adam: ['kind', 'learningRate', 'beta1', 'beta2', 'epsilon'],
  adamw: ['kind', 'learningRate', 'beta1', 'beta2', 'epsilon', 'weightDecay'],
  rmsprop: ['kind', 'learningRate', 'rho', 'epsilon', 'momentum'],
  adagrad: ['kind', 'learningRate', 'epsilon', 'initialAccumulator'],
  lbfgs: ['kind', 'historySize', 'maxLineSearch', 'gradientTolerance'],
} as const satisfies { readonly [K in OptimizerKind]: readonly (keyof Extract<OptimizerSpec, { kind: K }>)[] };

/** Every optimizer name, in the order of the docs (simple to complex). */
export const OPTIMIZER_KINDS: readonly OptimizerKind[] = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'lbfgs'];

/** The keys each schedule may carry. */
export const SCHEDULE_KEYS = {
  constant: ['kind'],
  step: ['kind', 'stepSize', 'gamma'],
  exponential: ['kind', 'gamma'],
  cosine: ['kind', 'epochs', 'minLearningRate'],
  invscaling: ['kind', 'powerT', 'per'],
  plateau: ['kind', 'factor', 'patience', 'minDelta', 'minLearningRate'],
} as const satisfies { readonly [K in ScheduleSpec['kind']]: readonly (keyof Extract<ScheduleSpec, { kind: K }>)[] };

/** Every learning-rate schedule name. */
export const SCHEDULE_KINDS: readonly ScheduleSpec['kind'][] = ['constant', 'step', 'exponential', 'cosine', 'invscaling', 'plateau'];

// Every key of every spec is listed above (a compile-time check: a new option must be added there).
type Unlisted<U extends { kind: string }, T extends { readonly [K in U['kind']]: readonly string[] }> =
  { [K in U['kind']]: Exclude<keyof Extract<U, { kind: K }>, T[K][number]> }[U['kind']];
export const SPEC_KEYS_COMPLETE: [Unlisted<OptimizerSpec, typeof OPTIMIZER_KEYS> | Unlisted<ScheduleSpec, typeof SCHEDULE_KEYS>] extends [never] ? true : never = true;

type LearningRateOptional<T> = T extends { readonly learningRate: number } ? Omit<T, 'learningRate'> & { readonly learningRate?: number } : T;

/** A step rule as a user may write it: its name alone, or its spec with learningRate optional. */
export type StepRuleOption = StepRuleKind | LearningRateOptional<StepRuleSpec>;
/** Any optimizer as `fit` accepts it: 'adam', { kind: 'sgd', momentum: 0.9 }, { kind: 'lbfgs' }, … */
export type OptimizerOption = OptimizerKind | LearningRateOptional<OptimizerSpec>;

function kindOf(option: unknown, where: string): OptimizerKind {
  const kind: unknown = typeof option === 'object' && option !== null && 'kind' in option ? option.kind : option;
  const k = OPTIMIZER_KINDS.find((name) => name === kind);
  if (k !== undefined) return k;
  const near = typeof kind === 'string' ? closest(kind, OPTIMIZER_KINDS) : null;
  throw new Error(`${where}: unknown optimizer ${JSON.stringify(kind) ?? String(kind)}${near === null ? '' : ` (did you mean ${near}?)`}; known optimizers: ${OPTIMIZER_KINDS.join(', ')}`);
}

/**
 * The full spec of an optimizer option: the name expanded, the default learning rate filled in,
 * unknown keys refused ("fit: unknown option optimizer.beta (did you mean optimizer.beta1?)") and
 * every hyperparameter checked.
 */
export function resolveOptimizer(option: OptimizerOption = DEFAULT_OPTIMIZER, where = 'fit'): OptimizerSpec {
  const kind = kindOf(option, where);
  if (typeof option === 'string') return withDefaults({ kind });
  if (typeof option !== 'object' || option === null) throw new Error(`${where}: optimizer must be a name or an object, got ${String(option)}`);
  checkKeys(option, OPTIMIZER_KEYS[kind], where, 'optimizer.');
  return withDefaults(option);
}

function withDefaults(o: LearningRateOptional<OptimizerSpec>): OptimizerSpec {
  switch (o.kind) {
    case 'lbfgs': validateLbfgs(o); return o;
    case 'sgd': case 'adam': case 'adamw': case 'rmsprop': case 'adagrad': {
      const spec: StepRuleSpec = { ...o, learningRate: o.learningRate ?? DEFAULT_LEARNING_RATES[o.kind] };
      validateRule(spec);
      return spec;
    }
  }
}

/** A step rule's full spec (as resolveOptimizer; L-BFGS refused with the reason). */
export function resolveStepRule(option: StepRuleOption = DEFAULT_OPTIMIZER, where = 'optimizer'): StepRuleSpec {
  const spec = resolveOptimizer(option, where);
  if (spec.kind === 'lbfgs') throw new Error(`${where}: L-BFGS is a full-batch method without single steps; use fit with optimizer 'lbfgs'`);
  return spec;
}

/** A schedule checked: known kind, no unknown key, valid values. Default constant. */
export function resolveSchedule(s: ScheduleSpec | undefined, where = 'fit'): ScheduleSpec {
  if (s === undefined) return { kind: 'constant' };
  const kind = SCHEDULE_KINDS.find((k) => k === s.kind);
  if (kind === undefined) {
    const given: unknown = s.kind;
    const near = typeof given === 'string' ? closest(given, SCHEDULE_KINDS) : null;
    throw new Error(`${where}: unknown schedule ${JSON.stringify(given) ?? String(given)}${near === null ? '' : ` (did you mean ${near}?)`}; known schedules: ${SCHEDULE_KINDS.join(', ')}`);
  }
  checkKeys(s, SCHEDULE_KEYS[kind], where, 'schedule.');
  validateSchedule(s);
  return s;
}

/** The whole optimizer state as JSON: the rule's moments and step count, the schedule's state, η. */
export interface OptimizerJSON {
  readonly rule: OptimizerStateJSON;
  readonly schedule: { readonly lr: number; readonly best: number | null; readonly wait: number };
  readonly learningRate: number;
}

/** One optimizer: its rule, its state (moments, step count) and its schedule, updating the flat parameter buffer in place. */
export interface Optimizer {
  /** The rule with its base learning rate. */
  readonly rule: StepRuleSpec;
  readonly schedule: ScheduleSpec;
  /** η of the next step. */
  readonly learningRate: number;
  /** Steps taken so far. */
  readonly steps: number;
  /** Set η for epoch `epoch` (from 0) after `samplesSeen` training rows, from the schedule; returns it. */
  startEpoch(epoch: number, samplesSeen: number): number;
  /** Set η directly (the playground's control, the range test), keeping the moments. */
  setLearningRate(lr: number): void;
  /**
   * One update of `params` from `grads` with the current η (the model's arena's kernels if given); `keep`
   * receives the parameters before it. Returns whether every parameter after it is finite.
   */
  step(params: Vec, grads: Vec, kernels?: Kernels, keep?: Vec | null): boolean;
  /** The epoch's monitored loss (validation loss, else training loss); reduce-on-plateau listens. */
  observe(loss: number): void;
  toJSON(): OptimizerJSON;
  /** Restore a state written by toJSON (same rule, same parameter count). */
  fromJSON(json: OptimizerJSON): void;
  /** Give the moments' arena slots back to the model's arena (fit does, when its run ends); no step after. */
  release(): void;
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

class RuleOptimizer implements Optimizer {
  private state: OptimizerState;
  private readonly sched: ScheduleState;
  private lr: number;

  constructor(readonly rule: StepRuleSpec, readonly schedule: ScheduleSpec, private readonly n: number, private readonly arena: Arena | undefined) {
    this.state = init(rule, n, arena);
    this.sched = scheduleInit(schedule, rule.learningRate);
    this.lr = rule.learningRate;
  }

  get learningRate(): number { return this.lr; }
  get steps(): number { return this.state.t; }

  startEpoch(epoch: number, samplesSeen: number): number {
    this.lr = learningRateAt(this.schedule, this.sched, this.rule.learningRate, epoch, samplesSeen);
    return this.lr;
  }

  setLearningRate(lr: number): void {
    if (!(Number.isFinite(lr) && lr > 0)) throw new Error(`optimizer '${this.rule.kind}': learningRate must be a finite number > 0, got ${lr}`);
    this.lr = lr;
  }

  step(params: Vec, grads: Vec, kernels?: Kernels, keep: Vec | null = null): boolean {
    return apply(this.rule, this.state, params, grads, this.lr, this.state.t + 1, kernels, keep);
  }

  observe(loss: number): void {
    scheduleObserve(this.schedule, this.sched, loss);
  }

  release(): void {
    for (const slot of this.state.slots ?? []) this.arena?.free(slot);
    this.state = { ...this.state, buffers: [], slots: [] };
  }

  toJSON(): OptimizerJSON {
    const s = this.sched;
    return { rule: optimizerStateToJSON(this.state), schedule: { lr: s.lr, best: finiteOrNull(s.best), wait: s.wait }, learningRate: this.lr };
  }

  fromJSON(json: OptimizerJSON): void {
    const restored = optimizerStateFromJSON(json.rule, this.rule, this.n, this.arena);
    this.release();
    this.state = restored;
    this.sched.lr = json.schedule.lr;
    this.sched.best = json.schedule.best ?? Infinity;
    this.sched.wait = json.schedule.wait;
    this.lr = json.learningRate;
  }
}

/**
 * An Optimizer for `model`'s parameters (its moments live in the model's arena, so the backend's
 * kernels update them in place), or for `n` parameters in plain Float64Arrays.
 */
export function createOptimizer(spec: StepRuleOption, schedule: ScheduleSpec | undefined, model: Model | number): Optimizer {
  const rule = resolveStepRule(spec);
  const sched = resolveSchedule(schedule, 'optimizer');
  return typeof model === 'number'
    ? new RuleOptimizer(rule, sched, model, undefined)
    : new RuleOptimizer(rule, sched, model.paramBuffer.length, model.arena);
}

export type { LbfgsSpec };

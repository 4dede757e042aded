/**
 * Learning-rate schedules: η as a function of the epoch e (from 0), and for reduce-on-plateau of the
 * monitored loss. The fit loop asks for η at the start of each epoch; the state is plain numbers.
 *
 *   constant      η = η₀
 *   step          η = η₀ · γ^⌊e / stepSize⌋
 *   exponential   η = η₀ · γ^e
 *   cosine        η = η_min + (η₀ − η_min) (1 + cos(π min(e, T) / T)) / 2
 *   invscaling    η = η₀ / (τ + 1)^powerT, τ = epochs done, or samples seen (scikit-learn's choice)
 *   plateau       η ← max(η · factor, η_min) when the loss has not improved by minDelta for
 *                 `patience` epochs (scikit-learn's 'adaptive' is factor 1/5, patience 2)
 */

export type ScheduleSpec =
  | { readonly kind: 'constant' }
  | { readonly kind: 'step'; readonly stepSize: number; readonly gamma?: number }
  | { readonly kind: 'exponential'; readonly gamma: number }
  | { readonly kind: 'cosine'; readonly epochs: number; readonly minLearningRate?: number }
  | { readonly kind: 'invscaling'; readonly powerT?: number; readonly per?: 'epoch' | 'sample' }
  | { readonly kind: 'plateau'; readonly factor?: number; readonly patience?: number; readonly minDelta?: number; readonly minLearningRate?: number };

/** A schedule's kind. */
export type ScheduleKind = ScheduleSpec['kind'];

/** Every schedule's options, by kind: those a spec of that kind must carry, and those it may. */
export const SCHEDULE_OPTIONS: Readonly<Record<ScheduleKind, { readonly required: readonly string[]; readonly optional: readonly string[] }>> = {
  constant: { required: [], optional: [] },
  step: { required: ['stepSize'], optional: ['gamma'] },
  exponential: { required: ['gamma'], optional: [] },
  cosine: { required: ['epochs'], optional: ['minLearningRate'] },
  invscaling: { required: [], optional: ['powerT', 'per'] },
  plateau: { required: [], optional: ['factor', 'patience', 'minDelta', 'minLearningRate'] },
};

/** The schedule kinds that take an option (e.g. gamma: step, exponential). */
export function scheduleKindsTaking(option: string): ScheduleKind[] {
  return (Object.keys(SCHEDULE_OPTIONS) as ScheduleKind[]).filter((k) => [...SCHEDULE_OPTIONS[k].required, ...SCHEDULE_OPTIONS[k].optional].includes(option));
}

/** A schedule's running state. */
export interface ScheduleState {
  /** The current rate (used by plateau; the others recompute it). */
  lr: number;
  best: number;
  wait: number;
}

/** Throw, naming the field and value, if a schedule's options are out of range. */
export function validateSchedule(s: ScheduleSpec): void {
  const bad = (what: string, v: unknown): never => { throw new Error(`schedule '${s.kind}': ${what}, got ${String(v)}`); };
  const table = SCHEDULE_OPTIONS[s.kind] as (typeof SCHEDULE_OPTIONS)[ScheduleKind] | undefined;
  if (table === undefined) throw new Error(`schedule: unknown kind ${JSON.stringify(s.kind)}; expected one of ${Object.keys(SCHEDULE_OPTIONS).join(', ')}`);
  const known = [...table.required, ...table.optional];
  for (const k of Object.keys(s)) {
    if (k !== 'kind' && !known.includes(k)) throw new Error(`schedule '${s.kind}': it has no option '${k}' (${known.length === 0 ? 'it takes none' : `its options: ${known.join(', ')}`})`);
  }
  switch (s.kind) {
    case 'constant': return;
    case 'step':
      if (!Number.isInteger(s.stepSize) || s.stepSize < 1) bad('stepSize must be an integer ≥ 1', s.stepSize);
      if (!((s.gamma ?? 0.1) > 0)) bad('gamma must be > 0', s.gamma);
      return;
    case 'exponential':
      if (!(s.gamma > 0)) bad('gamma must be > 0', s.gamma);
      return;
    case 'cosine':
      if (!Number.isInteger(s.epochs) || s.epochs < 1) bad('epochs must be an integer ≥ 1', s.epochs);
      if (!((s.minLearningRate ?? 0) >= 0)) bad('minLearningRate must be ≥ 0', s.minLearningRate);
      return;
    case 'invscaling':
      if (!((s.powerT ?? 0.5) >= 0)) bad('powerT must be ≥ 0', s.powerT);
      if (s.per !== undefined && s.per !== 'epoch' && s.per !== 'sample') bad("per must be 'epoch' or 'sample'", s.per);
      return;
    case 'plateau': {
      const f = s.factor ?? 0.1;
      if (!(f > 0 && f < 1)) bad('factor must be in (0, 1)', f);
      if (!Number.isInteger(s.patience ?? 10) || (s.patience ?? 10) < 0) bad('patience must be an integer ≥ 0', s.patience);
      if (!((s.minDelta ?? 1e-4) >= 0)) bad('minDelta must be ≥ 0', s.minDelta);
      return;
    }
  }
}

/** The state of a learning-rate schedule starting from the base rate. */
export function scheduleInit(s: ScheduleSpec, base: number): ScheduleState {
  validateSchedule(s);
  return { lr: base, best: Infinity, wait: 0 };
}

/** η for epoch e (0-based) after `samples` training samples have been seen. */
export function learningRateAt(s: ScheduleSpec, st: ScheduleState, base: number, epoch: number, samples: number): number {
  switch (s.kind) {
    case 'constant': return base;
    case 'step': return base * (s.gamma ?? 0.1) ** Math.floor(epoch / s.stepSize);
    case 'exponential': return base * s.gamma ** epoch;
    case 'cosine': {
      const lo = s.minLearningRate ?? 0;
      return lo + (base - lo) * (1 + Math.cos(Math.PI * Math.min(epoch, s.epochs) / s.epochs)) / 2;
    }
    case 'invscaling': return base / ((s.per === 'sample' ? samples : epoch) + 1) ** (s.powerT ?? 0.5);
    case 'plateau': return st.lr;
  }
}

/** Tell the schedule the epoch's monitored loss (only plateau listens). */
export function scheduleObserve(s: ScheduleSpec, st: ScheduleState, loss: number): void {
  if (s.kind !== 'plateau') return;
  if (loss < st.best - (s.minDelta ?? 1e-4)) {
    st.best = loss;
    st.wait = 0;
    return;
  }
  st.wait++;
  if (st.wait > (s.patience ?? 10)) {
    st.lr = Math.max(st.lr * (s.factor ?? 0.1), s.minLearningRate ?? 0);
    st.wait = 0;
  }
}

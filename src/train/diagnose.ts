/**
 * Diagnose a training run: from the signals the history already records (per-layer gradient norms, mean
 * |f′(I)|, training and validation losses) and, when given, one forward pass of the model over the training
 * rows and the rows themselves, name what went wrong, the evidence, and the option to try.
 *
 *   vanishingGradients   the input-side layer's gradient norm is < 1e-3 × the output layer's (median over epochs)
 *   explodingGradients   the input-side layer's norm is > 1e3 × the output layer's, a layer's norm grew 100-fold,
 *                        or a layer's median norm exceeds 1e3
 *   deadRelu             ≥ 25% of a ReLU layer's units output 0 on every training row
 *   saturatedUnits       a sigmoid/tanh hidden layer passes < 10% of its largest derivative (σ′ ≤ ¼, tanh′ ≤ 1)
 *   overfitting          over the last fifth of the epochs (all after the best one) the validation loss averages
 *                        ≥ 10% above its best and ≥ 20% above the training loss
 *   underfitting         the training loss is still ≥ 70% of a constant predictor's loss
 *   learningRateTooHigh  the training loss ends ≥ 30% above its minimum (and above 30% of its way down), or moves
 *                        up half as much as down in steps beyond the mini-batch noise
 *   learningRateTooLow   the training loss fell < 5% over the run, steadily, far from a good fit
 *   classImbalance       the rarest class has < 1/5 the rows of the commonest
 *   unscaledInputs       an input column (not 0/1) has |mean| or standard deviation > 10, or a deviation < 0.01
 *
 * The thresholds are deliberately loose: a healthy run reports nothing, and a finding is a reason to look,
 * not a verdict. Every finding is plain data (JSON-safe) so the command prints it, `--json` carries it and the
 * report shows it at the top.
 */

import { ACTIVATIONS } from '../activations.js';
import type { Model } from '../graph/model.js';
import type { Vec } from '../kernels/backend.js';
import { unitActivationName, type CompiledActivation } from '../layers/act.js';
import { ActivationLayer } from '../layers/activation.js';
import { Dense } from '../layers/dense.js';
import type { Node } from '../layers/node.js';
import { LOSSES, type Loss } from '../losses.js';
import { toNumericMatrix, toTargetMatrix, type MatrixInput, type NumericMatrix } from '../data/matrix-input.js';
import { TASKS, decodeLabels, type Task } from '../workflow/tasks.js';
import type { EpochRecord, History } from './types.js';

/** What a finding is about: one code per pathology diagnose looks for. */
export type FindingCode =
  | 'vanishingGradients' | 'explodingGradients' | 'deadRelu' | 'saturatedUnits' | 'overfitting' | 'underfitting'
  | 'learningRateTooHigh' | 'learningRateTooLow' | 'classImbalance' | 'unscaledInputs';

/** One finding: its code, severity, the evidence in figures and the option to try. */
export interface Finding {
  readonly code: FindingCode;
  /** 'warning': the run is likely hurt by it; 'info': worth knowing (e.g. over-fitting that early stopping caught). */
  readonly severity: 'warning' | 'info';
  /** The layer concerned, when there is one. */
  readonly layer?: string;
  /** The numbers behind the finding. */
  readonly evidence: string;
  /** What to try, naming the option (library name and command-line flag). */
  readonly advice: string;
  /** The library option the advice names first. */
  readonly option: string;
}

/** What diagnose reads beside the history: the task, and optionally the trained model and its training rows. */
export interface DiagnoseOptions {
  readonly task: Task;
  /** The trained model: enables the dead-unit, saturation and per-layer checks. */
  readonly model?: Model;
  /** The training inputs as the model saw them (after preprocessing): dead units and unscaled inputs. */
  readonly x?: MatrixInput;
  /** The training targets as the model saw them (one-hot rows for multiclass): imbalance and under-fitting. */
  readonly y?: MatrixInput | ArrayLike<number>;
  /** Names of the input columns, for the evidence (default x1, x2, …). */
  readonly featureNames?: readonly string[];
  /** The optimizer the run used (its advice does not suggest the one already used). */
  readonly optimizer?: string;
}

/** The thresholds at which diagnose reports each finding (ratios, fractions and relative changes). */
export const DIAGNOSIS_THRESHOLDS = {
  vanishingRatio: 1e-3,
  explodingRatio: 1e3,
  explodingGrowth: 100,
  explodingNorm: 1e3,
  deadFraction: 0.25,
  saturatedFraction: 0.1,
  overfitRise: 0.1,
  overfitGap: 0.2,
  underfitFraction: 0.7,
  lrHighRise: 0.3,
  lrHighUpDown: 0.5,
  lrLowDecrease: 0.05,
  imbalanceRatio: 0.2,
  unscaledLarge: 10,
  unscaledSmall: 0.01,
} as const;

const T = DIAGNOSIS_THRESHOLDS;
const g3 = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : String(Number(v.toPrecision(3))));
const pct = (v: number): string => `${(100 * v).toFixed(0)}%`;
/** A share as a percentage, or as a multiple once it passes 2. */
const share = (v: number): string => (v > 2 ? `${g3(v)} ×` : `${pct(v)} of`);

/** Every finding for a run, warnings first. */
export function diagnose(history: History, options: DiagnoseOptions): Finding[] {
  const epochs = history.epochs;
  // In the model's precision (float32 rows as training saw them are read where they lie, not copied).
  const x = options.x === undefined ? null : toNumericMatrix(options.x, {
    what: 'diagnose: x', ...(options.model === undefined ? {} : { dtype: options.model.dtype, cols: options.model.inputSize }),
  });
  const y = options.y === undefined ? null : toTargetMatrix(options.y, {
    what: 'diagnose: y', ...(x === null ? {} : { rows: x.rows }), ...(options.model === undefined ? {} : { cols: options.model.outputSize }),
  });
  const found: Finding[] = [
    ...gradientFindings(epochs, options.model),
    ...(options.model === undefined ? [] : saturationFindings(epochs, options.model)),
    ...(options.model === undefined || x === null ? [] : deadReluFindings(options.model, x)),
    ...lossFindings(history, options, y),
    ...(x === null ? [] : scaleFindings(x, options.featureNames)),
    ...(y === null || !TASKS[options.task].classifier ? [] : imbalanceFindings(y)),
  ];
  return [...found.filter((f) => f.severity === 'warning'), ...found.filter((f) => f.severity === 'info')];
}

/** One line per finding, for the command's output. */
export function formatFindings(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'diagnosis: nothing to report';
  return findings.map((f) => `${f.severity} ${f.code}${f.layer === undefined ? '' : ` (${f.layer})`}: ${f.evidence} — ${f.advice}`).join('\n');
}

function median(a: readonly number[]): number {
  const s = [...a].sort((p, q) => p - q);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : 0.5 * (s[h - 1]! + s[h]!);
}

/** Layers whose gradient norms are compared: the dense ones when the model is known, else every recorded one. */
function gradientLayers(epochs: readonly EpochRecord[], model: Model | undefined): string[] {
  const recorded = Object.keys(epochs[0]?.gradNorms ?? {});
  if (model === undefined) return recorded;
  const dense = new Set(model.dense.map((d) => d.name));
  return recorded.filter((l) => dense.has(l));
}

function gradientFindings(epochs: readonly EpochRecord[], model: Model | undefined): Finding[] {
  const layers = gradientLayers(epochs, model);
  if (layers.length < 2 || epochs.length === 0) return [];
  const first = layers[0]!;
  const last = layers[layers.length - 1]!;
  const ratios = epochs.map((e) => (e.gradNorms[first] ?? 0) / Math.max(e.gradNorms[last] ?? 0, Number.MIN_VALUE));
  const ratio = median(ratios);
  const out: Finding[] = [];
  if (ratio < T.vanishingRatio) {
    out.push({
      code: 'vanishingGradients', severity: 'warning', layer: first, option: 'activation',
      evidence: `the gradient norm of '${first}' is ${g3(ratio)} × that of '${last}' (median over ${epochs.length} epochs)`,
      advice: `use a non-saturating activation (activation: 'relu', --activation relu), batch normalization (batchNorm: 'before', --batchnorm before), or fewer layers`,
    });
  }
  const growth = Math.max(...layers.map((l) => {
    const s = epochs.map((e) => e.gradNorms[l] ?? 0);
    return Math.max(...s) / Math.max(s[0]!, Number.MIN_VALUE);
  }));
  const largest = Math.max(...layers.map((l) => median(epochs.map((e) => e.gradNorms[l] ?? 0))));
  if (ratio > T.explodingRatio || (epochs.length > 1 && growth > T.explodingGrowth) || largest > T.explodingNorm) {
    out.push({
      code: 'explodingGradients', severity: 'warning', layer: first, option: 'learningRate',
      evidence: ratio > T.explodingRatio
        ? `the gradient norm of '${first}' is ${g3(ratio)} × that of '${last}' (median over ${epochs.length} epochs)`
        : largest > T.explodingNorm
          ? `the median gradient norm of a layer is ${g3(largest)} (a loss averaged over the batch should give norms of order 1)`
          : `a layer's gradient norm grew ${g3(growth)}-fold during training`,
      advice: `lower the learning rate (learningRate, --lr), use a variance-preserving initializer (init: 'heNormal' or 'xavierUniform', --init), or add maxNorm / batch normalization (--batchnorm before)`,
    });
  }
  return out;
}

/** The largest |f′| of an activation where it is bounded (sigmoid ¼, tanh 1), else null. */
function saturatingPeak(act: CompiledActivation): { name: string; peak: number } | null {
  if (act.type !== 'uniform') return null;
  if (act.f.name === 'sigmoid') return { name: 'sigmoid', peak: 0.25 };
  if (act.f.name === 'tanh') return { name: 'tanh', peak: 1 };
  return null;
}

function activated(n: Node): CompiledActivation | null {
  return n instanceof Dense || n instanceof ActivationLayer ? n.act : null;
}

function saturationFindings(epochs: readonly EpochRecord[], model: Model): Finding[] {
  const last = epochs[epochs.length - 1];
  if (last === undefined) return [];
  const out: Finding[] = [];
  for (const n of model.live) {
    const act = activated(n);
    if (act === null || n === model.output) continue;
    const s = saturatingPeak(act);
    const v = last.meanAbsDerivative[n.name];
    if (s === null || v === undefined || v / s.peak >= T.saturatedFraction) continue;
    out.push({
      code: 'saturatedUnits', severity: 'warning', layer: n.name, option: 'init',
      evidence: `mean |${s.name}′(I)| of '${n.name}' is ${g3(v)}, ${pct(v / s.peak)} of its largest value ${s.peak} (last epoch)`,
      advice: `standardize the inputs (--standardize), start from smaller weights (init: 'xavierUniform', --init xavierUniform), add batch normalization before f (batchNorm: 'before', --batchnorm before), or use activation: 'relu'`,
    });
  }
  return out;
}

/** Units of a node that are ReLU, by column. */
function reluColumns(n: Node): number[] {
  const act = activated(n);
  if (act === null) return [];
  return Array.from({ length: n.width }, (_, j) => j).filter((j) => unitActivationName(act, j) === 'relu');
}

/** For every ReLU layer: which of its units were positive on at least one row (one forward pass, in batches). */
function everActive(model: Model, x: NumericMatrix): Map<Node, { cols: number[]; active: Uint8Array }> {
  const tracked = new Map<Node, { cols: number[]; active: Uint8Array }>();
  for (const n of model.live) {
    const cols = n === model.output ? [] : reluColumns(n);
    if (cols.length > 0) tracked.set(n, { cols, active: new Uint8Array(cols.length) });
  }
  if (tracked.size === 0) return tracked;
  const X = toNumericMatrix(x, { what: 'diagnose: x', dtype: model.dtype, cols: model.inputSize });
  const step = model.maxBatch;
  for (let r = 0; r < X.rows; r += step) {
    const m = Math.min(step, X.rows - r);
    model.setInputRows(X.data, m, r);
    model.forwardRows(m, { mode: 'eval' });
    for (const [n, t] of tracked) markActive(n.O.a, m, n.width, t.cols, t.active);
  }
  return tracked;
}

function markActive(O: Vec, m: number, w: number, cols: readonly number[], active: Uint8Array): void {
  for (let c = 0; c < cols.length; c++) {
    if (active[c] === 1) continue;
    for (let i = 0; i < m; i++) if (O[i * w + cols[c]!]! > 0) { active[c] = 1; break; }
  }
}

function deadReluFindings(model: Model, x: NumericMatrix): Finding[] {
  const out: Finding[] = [];
  for (const [n, t] of everActive(model, x)) {
    const dead = t.active.reduce((s, a) => s + (a === 0 ? 1 : 0), 0);
    const fraction = dead / t.cols.length;
    if (fraction < T.deadFraction) continue;
    out.push({
      code: 'deadRelu', severity: 'warning', layer: n.name, option: 'activation',
      evidence: `${dead} of ${t.cols.length} ReLU units of '${n.name}' (${pct(fraction)}) output 0 on all ${x.rows} training rows`,
      advice: `lower the learning rate (learningRate, --lr), or use activation: 'leakyRelu' or 'elu' (--activation leakyRelu), whose gradient is never exactly 0`,
    });
  }
  return out;
}

/**
 * Σ max(0, ΔL) and Σ max(0, −ΔL) over the epochs, counting only steps larger than 10% of the current loss and
 * 5% of the distance the loss has come down (`range`): mini-batch noise near convergence is not an oscillation.
 */
function upsAndDowns(losses: readonly number[], range: number): { ups: number; downs: number } {
  let ups = 0;
  let downs = 0;
  for (let t = 1; t < losses.length; t++) {
    const d = losses[t]! - losses[t - 1]!;
    if (Math.abs(d) <= Math.max(0.1 * Math.abs(losses[t - 1]!), 0.05 * range)) continue;
    if (d > 0) ups += d; else downs -= d;
  }
  return { ups, downs };
}

function lossFindings(history: History, options: DiagnoseOptions, y: NumericMatrix | null): Finding[] {
  const losses = history.epochs.map((e) => e.trainLoss);
  if (losses.length < 5) return [];
  const loss = options.model?.lossFn ?? LOSSES[TASKS[options.task].loss];
  const baseline = y === null ? null : constantLoss(loss, y);
  return [
    ...learningRateFindings(losses, baseline, options.optimizer),
    ...overfitFindings(history),
    ...(baseline === null ? [] : underfitFindings(losses, baseline)),
  ];
}

function learningRateFindings(losses: readonly number[], baseline: number | null, optimizer: string | undefined): Finding[] {
  const first = losses[0]!;
  const min = Math.min(...losses);
  const tail = losses.slice(-Math.max(1, Math.floor(losses.length / 5)));
  const end = tail.reduce((s, v) => s + v, 0) / tail.length;
  const { ups, downs } = upsAndDowns(losses, first - min);
  // Risen: well above the minimum, both relative to it and to how far the loss had come down.
  const risen = end > (1 + T.lrHighRise) * min && end - min > T.lrHighRise * (first - min);
  if (risen || ups > T.lrHighUpDown * downs) {
    return [{
      code: 'learningRateTooHigh', severity: 'warning', option: 'learningRate',
      evidence: risen
        ? `the training loss ends at ${g3(end)} (mean of the last ${tail.length} epochs), ${pct(end / min - 1)} above its minimum ${g3(min)}`
        : `the training loss rose by ${g3(ups)} in total against ${g3(downs)} of falls (it oscillates)`,
      advice: `lower the learning rate (learningRate, --lr) by 3–10×, or use a decaying schedule; mlpkit lr-find finds a good one`,
    }];
  }
  const decrease = (first - losses[losses.length - 1]!) / Math.abs(first);
  const farFromFit = baseline === null || losses[losses.length - 1]! > 0.5 * baseline;
  // A first epoch that took the loss down from a constant prediction's by far more than all the later ones did
  // learned fast (a large table converges within one pass): the flat curve after it is the data's noise floor,
  // not a small learning rate.
  const learnedAtOnce = baseline !== null && baseline - first > 3 * (first - losses[losses.length - 1]!);
  if (decrease >= 0 && decrease < T.lrLowDecrease && ups <= 0.2 * Math.max(downs, Number.MIN_VALUE) && farFromFit && !learnedAtOnce) {
    const adaptive = optimizer === 'adam' || optimizer === 'adamw';
    return [{
      code: 'learningRateTooLow', severity: 'warning', option: 'learningRate',
      evidence: `the training loss fell only ${pct(decrease)} in ${losses.length} epochs (${g3(first)} → ${g3(losses[losses.length - 1]!)}), steadily`,
      advice: `raise the learning rate (learningRate, --lr) by 3–10×${adaptive ? '' : " or use optimizer: 'adam' (--optimizer adam)"}; mlpkit lr-find finds a good one`,
    }];
  }
  return [];
}

function overfitFindings(history: History): Finding[] {
  const withVal = history.epochs.filter((e) => e.valLoss !== undefined);
  if (withVal.length < 5) return [];
  const val = withVal.map((e) => e.valLoss!);
  let best = 0;
  for (let i = 1; i < val.length; i++) if (val[i]! < val[best]!) best = i;
  // The trend, not one noisy epoch: the mean of the last fifth of the epochs, which the best epoch must precede.
  const tail = Math.max(3, Math.floor(withVal.length / 5));
  const mean = (a: readonly number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
  const end = mean(val.slice(-tail));
  const trainEnd = mean(withVal.slice(-tail).map((e) => e.trainLoss));
  const rise = (end - val[best]!) / Math.max(Math.abs(val[best]!), Number.MIN_VALUE);
  const gap = (end - trainEnd) / Math.max(Math.abs(trainEnd), Number.MIN_VALUE);
  if (best >= withVal.length - tail || rise < T.overfitRise || gap < T.overfitGap) return [];
  const caught = history.stopReason === 'earlyStopping';
  return [{
    code: 'overfitting', severity: caught ? 'info' : 'warning', option: caught ? 'l2' : 'earlyStopping',
    evidence: `validation loss rose from ${g3(val[best]!)} (epoch ${withVal[best]!.epoch}) to ${g3(end)} (mean of the last ${tail} epochs) while the training loss fell to ${g3(trainEnd)}`
      + (caught ? '; early stopping restored the best epoch' : ''),
    advice: `${caught ? '' : 'stop early (earlyStopping, --early-stopping 20), '}add an L2 penalty (l2, --l2 1e-3) or dropout (dropout, --dropout 0.2), use fewer hidden units (hidden, --hidden), or more data`,
  }];
}

function underfitFindings(losses: readonly number[], baseline: number): Finding[] {
  const end = losses[losses.length - 1]!;
  if (!(baseline > 0) || end < T.underfitFraction * baseline) return [];
  return [{
    code: 'underfitting', severity: 'warning', option: 'hidden',
    evidence: `the final training loss ${g3(end)} is ${share(end / baseline)} the loss of a constant prediction (${g3(baseline)})`,
    advice: `use a larger network (hidden, --hidden 64,64), train longer (epochs, --epochs), weaken the penalties (l1/l2, dropout), or check that the inputs carry the signal`,
  }];
}

/**
 * The loss of the best constant prediction in the mean's sense: each output's training mean (for classifiers,
 * the class shares), entered through the inverse of the output activation the loss is fused with.
 */
export function constantLoss(loss: Loss, y: NumericMatrix): number {
  const { rows: m, cols: k } = y;
  const mean = new Float64Array(k);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) mean[j]! += y.data[i * k + j]! / m;
  const eps = 1e-7;
  const pre = Array.from(mean, (p) => {
    switch (loss.fusedWith) {
      case 'sigmoid': { const q = Math.min(1 - eps, Math.max(eps, p)); return Math.log(q / (1 - q)); }
      case 'softmax': return Math.log(Math.max(eps, p));
      case 'exp': return Math.log(Math.max(eps, p));
      case null: return p;
    }
  });
  const O = new Float64Array(m * k);
  const I = new Float64Array(m * k);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) { O[i * k + j] = mean[j]!; I[i * k + j] = pre[j]!; }
  return loss.value(O, I, y.data, m, k);
}

function scaleFindings(x: NumericMatrix, names: readonly string[] | undefined): Finding[] {
  const { rows, cols, data } = x;
  // Row by row (the rows are row-major): sums, sums of squares and whether a column holds only 0 and 1.
  const s = new Float64Array(cols);
  const s2 = new Float64Array(cols);
  const binary = new Uint8Array(cols).fill(1);
  for (let i = 0, o = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++, o++) {
      const v = data[o]!;
      s[j] = s[j]! + v; s2[j] = s2[j]! + v * v;
      if (v !== 0 && v !== 1) binary[j] = 0;
    }
  }
  const bad: string[] = [];
  for (let j = 0; j < cols; j++) {
    if (binary[j] === 1) continue;
    const mean = s[j]! / rows;
    const sd = Math.sqrt(Math.max(0, s2[j]! / rows - mean * mean));
    const large = Math.max(Math.abs(mean), sd) > T.unscaledLarge;
    const small = sd > 0 && sd < T.unscaledSmall && Math.abs(mean) < T.unscaledLarge;
    if (large || small) bad.push(`${names?.[j] ?? `x${j + 1}`} (mean ${g3(mean)}, sd ${g3(sd)})`);
  }
  if (bad.length === 0) return [];
  return [{
    code: 'unscaledInputs', severity: 'warning', option: 'standardize',
    evidence: `${bad.length} of ${x.cols} input columns are far from unit scale: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}`,
    advice: `standardize the inputs (--standardize, the command's default; StandardScaler in the library)`,
  }];
}

function imbalanceFindings(y: NumericMatrix): Finding[] {
  const labels = decodeLabels(y);
  const k = Math.max(2, y.cols);
  const counts = new Array<number>(k).fill(0);
  for (const c of labels) counts[c]!++;
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  if (max === 0 || min / max >= T.imbalanceRatio) return [];
  const rare = counts.indexOf(min);
  return [{
    code: 'classImbalance', severity: 'warning', option: 'classWeight',
    evidence: `class ${rare} has ${min} of ${y.rows} rows (${pct(min / y.rows)}), against ${max} for the commonest class`,
    advice: `weight the classes (classWeight: 'balanced', --class-weight balanced) and judge by balanced accuracy, not accuracy`,
  }];
}

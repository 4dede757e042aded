/**
 * The training report: one self-contained HTML file (inline SVG, inline CSS, no script) built from a
 * training history, the trained model and the data it saw. Pure: data in, an HTML string out.
 *
 * Sections: summary, learning curves, per-layer gradient norms (vanishing gradients show as lines
 * falling apart on the log scale), confusion matrix or residuals, weight and activation histograms per
 * layer, the network, each activation's f and f′, what the model relies on (permutation importance,
 * saliency, partial dependence), and the decision boundary for two-feature data.
 */

import { ACTIVATIONS, type ActivationName } from '../activations.js';
import type { Model } from '../graph/model.js';
import { isIdentity } from '../layers/act.js';
import type { AnyNode } from '../layers/any-node.js';
import {
  activationSpec, featureBarsSpec, boundarySpec, partialDependenceSpec, confusionSpec, epochLinesSpec, histogramSpec, networkSpec, residualSpec,
  type CurveSample, type DiagramColumn, type DiagramEdge, type DiagramNode, type GridCell, type HistogramBin,
  type LabelledPoint, type SeriesPoint,
} from './charts.js';
import { renderSvg } from './render.js';

export {
  heatmapSvg, lineChartSvg, depthDemoPictures, universalPictures, lrRangePicture, hiddenUnitPictures, partialDependencePicture,
  type HeatmapOptions, type LineChartOptions, type Series,
} from './pictures.js';

/** The parts of an epoch record the report draws (the training loop's `EpochRecord` fits). */
export interface ReportEpoch {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly valLoss?: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly valMetrics?: Readonly<Record<string, number>>;
  readonly gradNorms: Readonly<Record<string, number>>;
}

/** The training history the report draws. */
export interface ReportHistory {
  readonly epochs: readonly ReportEpoch[];
  readonly stopReason?: string;
  readonly bestEpoch?: number;
}

/** Predictions against the truth on some rows, for the confusion matrix or the residuals. */
export interface ReportEvaluation {
  /** Which rows these are ('training set', 'validation set', a file name). */
  readonly setName: string;
  /** Classification: class index per row. Regression: values, row-major rows × outputs. */
  readonly actual: ArrayLike<number>;
  readonly predicted: ArrayLike<number>;
  readonly metrics: Readonly<Record<string, number>>;
}

/** What the decision-boundary picture needs: two raw features, their values and labels, and a classifier over them. */
export interface ReportBoundary {
  /** The two raw feature names. */
  readonly names: readonly [string, string];
  readonly x1: ArrayLike<number>;
  readonly x2: ArrayLike<number>;
  /** Class index of each data row. */
  readonly labels: ArrayLike<number>;
  /** The model's class index for raw feature rows [x1, x2] (preprocessing included). */
  readonly predictClass: (rows: readonly (readonly [number, number])[]) => ArrayLike<number>;
}

/** Everything buildReport draws. */
export interface ReportInput {
  readonly title: string;
  readonly model: Model;
  readonly history: ReportHistory;
  readonly task: 'regression' | 'binary' | 'multiclass';
  /** Class names in output order (classification). */
  readonly classes?: readonly string[];
  /** Output names (regression). */
  readonly outputs?: readonly string[];
  /** Features as the model receives them (after preprocessing): rows × inputSize, row-major. */
  readonly x?: { readonly rows: number; readonly cols: number; readonly data: ArrayLike<number> };
  readonly evaluation?: ReportEvaluation;
  readonly boundary?: ReportBoundary;
  /** Key/value lines for the summary (data file, rows, options). */
  readonly facts?: readonly (readonly [string, string])[];
  /** What the model relies on: permutation importance (drop of the score) and mean |∂ŷ/∂x| per feature. */
  readonly interpretation?: ReportInterpretation;
  /**
   * The resolved training options (a model file's `training.options`): every key is a row of the
   * hyperparameter table at the top of the report. Arrays are joined with commas, objects written as JSON.
   */
  readonly hyperparameters?: Readonly<Record<string, unknown>>;
  /** The mlpkit version that trained the model (src/version.ts VERSION), shown under the title. */
  readonly version?: string;
  /**
   * The same metrics on the training rows, shown beside `evaluation` (the held-out rows, first) with the
   * gap between them. The confusion matrix and the residuals stay those of `evaluation`.
   */
  readonly trainingEvaluation?: ReportEvaluation;
  /** The model's input names (a preprocessor's `featureNames`, e.g. `color=red`), labelling the network's inputs instead of x1, x2, …. */
  readonly featureNames?: readonly string[];
  /** What went wrong in the run (diagnose's findings), shown first; an empty list says that nothing was found. */
  readonly diagnosis?: readonly ReportFinding[];
  /** Prediction intervals or sets: their level, and their coverage and width (or set size) on the scored rows. */
  readonly uncertainty?: { readonly level: number; readonly calibrationRows: number; readonly coverage?: number; readonly meanWidth?: number; readonly meanSize?: number; readonly setName?: string };
}

/** One finding of the run's diagnosis, as the report shows it (diagnose's `Finding` fits). */
export interface ReportFinding {
  readonly severity: 'warning' | 'info';
  readonly code: string;
  readonly layer?: string;
  readonly evidence: string;
  readonly advice: string;
}

/** The diagnosis at the top of the report: each finding with its evidence and what to try. */
function diagnosisSection(findings: readonly ReportFinding[]): string {
  if (findings.length === 0) return section('diagnosis', 'Diagnosis', '<p>No sign of vanishing or exploding gradients, dead or saturated units, over- or under-fitting, a learning rate too high or too low, class imbalance or unscaled inputs.</p>');
  const items = findings.map((f) => `<li class="${f.severity}"><strong>${esc(f.severity)} ${esc(f.code)}${f.layer === undefined ? '' : ` (${esc(f.layer)})`}</strong>: ${esc(f.evidence)}. <em>Try:</em> ${esc(f.advice)}</li>`);
  return section('diagnosis', 'Diagnosis', `<ul class="findings">${items.join('')}</ul>`, 'Read from the signals the training history recorded; each finding names its evidence and the option to try.');
}

/** What the report's interpretation section shows: importance, saliency and partial dependence. */
export interface ReportInterpretation {
  readonly setName: string;
  readonly scoreName: string;
  readonly importance: readonly { readonly name: string; readonly mean: number; readonly std: number }[];
  readonly saliency?: readonly { readonly name: string; readonly meanAbs: number }[];
  /** What the saliency was taken with respect to (default 'standardized inputs'). */
  readonly saliencyInputs?: string;
  /** The mean prediction of each output as one feature sweeps its range (grid on the feature's own scale). */
  readonly partialDependence?: {
    readonly feature: string;
    readonly grid: readonly number[];
    readonly curves: readonly { readonly output: string; readonly values: readonly number[] }[];
  };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toFixed(4) : v.toExponential(3));

/** Equal-width bins of a set of values (a single value gets one bin around it). */
export function binValues(layer: string, values: ArrayLike<number>, bins = 30): HistogramBin[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) { const v = values[i]!; if (v < lo) lo = v; if (v > hi) hi = v; }
  if (values.length === 0) return [];
  if (hi - lo < 1e-12) { lo -= 0.5; hi += 0.5; }
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor((values[i]! - lo) / width))]!++;
  return counts.map((count, b) => ({ layer, lo: lo + b * width, hi: lo + (b + 1) * width, count }));
}

function learningCurves(h: ReportHistory): SeriesPoint[][] {
  const loss: SeriesPoint[] = [];
  const metricNames = [...new Set(h.epochs.flatMap((e) => Object.keys(e.metrics)))];
  const metrics = metricNames.map(() => [] as SeriesPoint[]);
  for (const e of h.epochs) {
    if (Number.isFinite(e.trainLoss)) loss.push({ epoch: e.epoch, series: 'training', value: e.trainLoss });
    if (e.valLoss !== undefined && Number.isFinite(e.valLoss)) loss.push({ epoch: e.epoch, series: 'validation', value: e.valLoss });
    metricNames.forEach((m, k) => {
      const t = e.metrics[m];
      if (t !== undefined && Number.isFinite(t)) metrics[k]!.push({ epoch: e.epoch, series: 'training', value: t });
      const v = e.valMetrics?.[m];
      if (v !== undefined && Number.isFinite(v)) metrics[k]!.push({ epoch: e.epoch, series: 'validation', value: v });
    });
  }
  return [loss, ...metrics];
}

/** Layer activations' outputs on (up to 512 of) the rows, one histogram per layer with a non-linearity. */
function activationBins(model: Model, x: NonNullable<ReportInput['x']>): HistogramBin[] {
  const m = Math.min(512, x.rows);
  const rows: number[][] = [];
  for (let r = 0; r < m; r++) rows.push(Array.from({ length: x.cols }, (_, c) => x.data[r * x.cols + c]!));
  model.forward(rows, { mode: 'eval' });
  const out: HistogramBin[] = [];
  for (const n of model.live) {
    if (n.activation !== null && !(n.kind === 'dense' && isIdentity(n.act))) {
      out.push(...binValues(n.name, n.O.a.subarray(0, m * n.width)));
    }
  }
  return out;
}

function activationCurves(model: Model): { points: CurveSample[]; softmax: boolean } {
  const names = new Set<ActivationName>();
  let softmax = false;
  for (const n of model.live) {
    if (n.activation === null) continue;
    const a = n.activation.act;
    if (a.type === 'uniform') names.add(a.f.name);
    else if (a.type === 'perUnit') a.names.forEach((x) => names.add(x));
    else softmax = true;
  }
  const points: CurveSample[] = [];
  for (const name of names) {
    const f = ACTIVATIONS[name];
    for (let i = 0; i <= 120; i++) {
      const x = -6 + i * 0.1;
      const y = f.f(x);
      points.push({ activation: name, curve: 'f', x, value: y }, { activation: name, curve: 'f′', x, value: f.df(x, y) });
    }
  }
  return { points, softmax };
}

const MAX_SHOWN = 12;

/** Lay the network out: one column per input or dense layer, edges from each dense layer's weights. */
function diagram(model: Model, featureNames?: readonly string[]): { nodes: DiagramNode[]; edges: DiagramEdge[]; columns: DiagramColumn[] } {
  const cols = model.live.filter((n) => n.kind === 'input' || n.kind === 'dense');
  // The names are of the model's inputs in order: with several input nodes they would not say which is which.
  const names = cols.filter((n) => n.kind === 'input').length === 1 ? featureNames : undefined;
  const colOf = new Map<AnyNode, number>(cols.map((n, i) => [n, i]));
  const shown = (n: AnyNode): number => Math.min(n.width, MAX_SHOWN);
  const rowsMax = Math.max(...cols.map(shown));
  const yOf = (n: AnyNode, u: number): number => u + (rowsMax - shown(n)) / 2;
  const nodes: DiagramNode[] = [];
  const columns: DiagramColumn[] = [];
  for (const n of cols) {
    const c = colOf.get(n)!;
    const extras = model.live.filter((k) => k.inputs[0] === n && k.kind !== 'dense' && k.kind !== 'concat').map((k) => k.kind);
    columns.push({ x: c, title: n.kind === 'input' ? `input (${n.width})` : `${n.name} (${n.width})${extras.length ? ' + ' + extras.join(', ') : ''}` });
    for (let u = 0; u < shown(n); u++) {
      const last = u === MAX_SHOWN - 1 && n.width > MAX_SHOWN;
      const f = n.kind === 'dense' ? (n.act.type === 'uniform' ? n.act.f.name : n.act.type) : 'input';
      nodes.push({ x: c, y: yOf(n, u), label: last ? `+${n.width - MAX_SHOWN + 1}` : n.kind === 'input' ? names?.[u] ?? `x${u + 1}` : '', kind: f });
    }
  }
  // Each input unit of a layer traced back to a drawn column through pass-through layers and concats.
  const sourceOf = (n: AnyNode, u: number): { node: AnyNode; unit: number } | null => {
    if (colOf.has(n)) return { node: n, unit: u };
    if (n.kind === 'concat') {
      for (let k = n.inputs.length - 1; k >= 0; k--) if (u >= n.offsets[k]!) return sourceOf(n.inputs[k]!, u - n.offsets[k]!);
      return null;
    }
    return n.inputs[0] === undefined ? null : sourceOf(n.inputs[0], u);
  };
  const edges: DiagramEdge[] = [];
  for (const d of cols) {
    if (d.kind !== 'dense') continue;
    for (let i = 0; i < d.fanIn; i++) {
      const s = sourceOf(d.inputs[0]!, i);
      if (s === null || s.unit >= MAX_SHOWN) continue;
      for (let j = 0; j < Math.min(d.units, MAX_SHOWN); j++) {
        if (d.maskRows !== null && d.maskRows[i]![j] === 0) continue;
        edges.push({ x: colOf.get(s.node)!, y: yOf(s.node, s.unit), x2: colOf.get(d)!, y2: yOf(d, j), weight: d.W.value.a[i * d.units + j]! });
      }
    }
  }
  return { nodes, edges, columns };
}

/** Cells per side of the decision-boundary grid. */
export const BOUNDARY_GRID = 150;

/**
 * The predicted class over a BOUNDARY_GRID × BOUNDARY_GRID grid, each row of cells merged into runs of one
 * class (the picture is the same, the SVG a few hundred rectangles instead of tens of thousands).
 */
function boundaryGrid(b: ReportBoundary, classes: readonly string[]): { grid: GridCell[]; points: LabelledPoint[]; domain: { x1: [number, number]; x2: [number, number] } } {
  const range = (a: ArrayLike<number>): [number, number] => {
    let lo = Infinity; let hi = -Infinity;
    for (let i = 0; i < a.length; i++) { lo = Math.min(lo, a[i]!); hi = Math.max(hi, a[i]!); }
    const pad = (hi - lo) * 0.05 || 0.5;
    return [lo - pad, hi + pad];
  };
  const [a0, a1] = range(b.x1);
  const [b0, b1] = range(b.x2);
  const n = BOUNDARY_GRID;
  const w = (a1 - a0) / n;
  const h = (b1 - b0) / n;
  const rows: [number, number][] = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) rows.push([a0 + (i + 0.5) * w, b0 + (j + 0.5) * h]);
  const pred = b.predictClass(rows);
  const grid: GridCell[] = [];
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n;) {
      const k = pred[j * n + i]!;
      let end = i + 1;
      while (end < n && pred[j * n + end] === k) end++;
      // Each run reaches one cell into the next run and the next row, which are drawn over it: no
      // anti-aliased seam shows where rectangles meet (the overhang past the last row is clipped).
      grid.push({ x1: a0 + i * w, x1b: a0 + (end + 1) * w, x2: b0 + j * h, x2b: b0 + (j + 2) * h, label: classes[k] ?? String(k) });
      i = end;
    }
  }
  const points: LabelledPoint[] = [];
  const step = Math.max(1, Math.floor(b.x1.length / 2000));
  for (let i = 0; i < b.x1.length; i += step) points.push({ x1: b.x1[i]!, x2: b.x2[i]!, label: classes[b.labels[i]!] ?? String(b.labels[i]) });
  return { grid, points, domain: { x1: [a0, a1], x2: [b0, b1] } };
}

function section(id: string, title: string, body: string, note = ''): string {
  return `<section id="${id}"><h2>${esc(title)}</h2>${note ? `<p class="note">${esc(note)}</p>` : ''}${body}</section>`;
}

const figure = (svg: string, kind: string): string => `<figure class="plot" data-plot="${kind}">${svg}</figure>`;

/** One hyperparameter's value as text, numbers as they were given: arrays joined with commas, objects as JSON. */
function optionText(v: unknown): string {
  if (Array.isArray(v)) return v.map(optionText).join(', ');
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The metrics of the held-out rows, then of the training rows and their gap, one row per metric. */
function metricsTable(held: ReportEvaluation, train?: ReportEvaluation): string {
  if (train === undefined) {
    return `<h3>Metrics on the ${esc(held.setName)}</h3><table class="metrics">${Object.entries(held.metrics).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${fmt(v)}</td></tr>`).join('')}</table>`;
  }
  const head = `<tr><th>metric</th><th>held-out: ${esc(held.setName)}</th><th>training: ${esc(train.setName)}</th><th>gap (training − held-out)</th></tr>`;
  const rows = Object.entries(held.metrics).map(([k, v]) => {
    const t = train.metrics[k];
    return `<tr><th>${esc(k)}</th><td>${fmt(v)}</td><td>${t === undefined ? '–' : fmt(t)}</td><td>${t === undefined ? '–' : fmt(t - v)}</td></tr>`;
  });
  return `<h3>Metrics: held-out and training rows</h3><table class="metrics">${head}${rows.join('')}</table>`;
}

/** A sentence on the prediction intervals or sets: their level, and what they did on the scored rows. */
function uncertaintyText(u: ReportInput['uncertainty'], task: ReportInput['task']): string {
  if (u === undefined) return '';
  const what = task === 'regression' ? 'prediction intervals' : 'prediction sets';
  const did = u.coverage === undefined ? '' : ` On ${u.setName ?? 'the scored rows'} they held the truth ${(100 * u.coverage).toFixed(1)}% of the time, ${u.meanWidth === undefined ? `with ${u.meanSize!.toFixed(2)} classes per set on average` : `with a mean width of ${u.meanWidth.toPrecision(4)}`}.`;
  return `<h3>Uncertainty</h3><p>${(100 * u.level).toFixed(1)}% ${what}, calibrated on ${u.calibrationRows} rows set aside from training.${esc(did)}</p>`;
}

/** The summary: facts, metrics (held-out first), hyperparameters and the layers. */
function summarySection(input: ReportInput): string {
  const { model, history } = input;
  const facts: (readonly [string, string])[] = [
    ['task', input.task + (input.classes ? ` (${input.classes.length} classes: ${input.classes.join(', ')})` : '')],
    ['parameters', model.parameterCount.toLocaleString('en-US')],
    ['epochs run', String(history.epochs.length)],
    ...(history.stopReason === undefined ? [] : [['stopped by', history.stopReason] as const]),
    ...(history.bestEpoch === undefined ? [] : [['best epoch', String(history.bestEpoch)] as const]),
    ...(input.facts ?? []),
  ];
  const hp = input.hyperparameters;
  const hpTable = hp === undefined ? '' : `<h3>Hyperparameters</h3><table class="hyperparameters">${Object.entries(hp).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(optionText(v))}</td></tr>`).join('')}</table>`;
  return section('summary', 'Summary',
    `<table>${facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`
    + (input.evaluation === undefined ? '' : metricsTable(input.evaluation, input.trainingEvaluation))
    + uncertaintyText(input.uncertainty, input.task)
    + `${hpTable}<h3>Layers</h3><pre>${esc(model.summary())}</pre>`);
}

/** The training report as one self-contained HTML string (loads vega and vega-lite on first use). */
export async function buildReport(input: ReportInput): Promise<string> {
  const { model, history } = input;
  const parts: string[] = [];

  if (input.diagnosis !== undefined) parts.push(diagnosisSection(input.diagnosis));
  parts.push(summarySection(input));

  const [loss, ...metrics] = learningCurves(history);
  const best = history.bestEpoch === undefined ? {} : { bestEpoch: history.bestEpoch };
  const curves = [figure(await renderSvg(epochLinesSpec(loss!, 'Loss', `loss (${model.lossFn.name})`, best)), 'learning-curve')];
  const names = [...new Set(history.epochs.flatMap((e) => Object.keys(e.metrics)))];
  for (let k = 0; k < metrics.length; k++) {
    curves.push(figure(await renderSvg(epochLinesSpec(metrics[k]!, names[k]!, names[k]!, best)), 'learning-curve'));
  }
  parts.push(section('learning-curves', 'Learning curves', curves.join(''),
    history.bestEpoch === undefined ? '' : `The dashed rule marks the best epoch (${history.bestEpoch}): the lowest validation loss (the training loss without a validation split); with early stopping the model keeps that epoch's weights.`));

  const grad: SeriesPoint[] = history.epochs.flatMap((e) => Object.entries(e.gradNorms).filter(([, v]) => v > 0 && Number.isFinite(v)).map(([layer, v]) => ({ epoch: e.epoch, series: layer, value: v })));
  if (grad.length > 0) {
    parts.push(section('gradient-norms', 'Gradient norms per layer', figure(await renderSvg(epochLinesSpec(grad, '‖∂L/∂W‖ per layer', 'gradient norm (log scale)', { logY: true })), 'gradient-norms'),
      'The L2 norm of each layer\'s gradient, averaged over an epoch. Layers far below the output with norms orders of magnitude smaller are the vanishing-gradient problem.'));
  }

  const ev = input.evaluation;
  if (ev !== undefined && input.task !== 'regression') {
    const classes = input.classes ?? [];
    const k = classes.length;
    const counts = new Array<number>(k * k).fill(0);
    for (let i = 0; i < ev.actual.length; i++) counts[ev.actual[i]! * k + ev.predicted[i]!]!++;
    const cells = counts.map((count, idx) => ({ actual: classes[Math.floor(idx / k)]!, predicted: classes[idx % k]!, count }));
    parts.push(section('confusion', `Confusion matrix: ${ev.setName}`, figure(await renderSvg(confusionSpec(cells, classes)), 'confusion-matrix')));
  } else if (ev !== undefined) {
    const outs = input.outputs ?? Array.from({ length: model.outputSize }, (_, i) => `y${i + 1}`);
    const k = outs.length;
    const points = [];
    const step = Math.max(1, Math.floor(ev.actual.length / (3000 * k)));
    for (let i = 0; i < ev.actual.length; i += step) points.push({ predicted: ev.predicted[i]!, residual: ev.actual[i]! - ev.predicted[i]!, output: outs[i % k]! });
    parts.push(section('residuals', `Residuals: ${ev.setName}`, figure(await renderSvg(residualSpec(points)), 'residuals')));
  }

  const weightBins = model.params.filter((p) => p.name === 'W').flatMap((p) => binValues(p.layer, p.value.a.subarray(0, p.rows * p.cols)));
  const hist = [figure(await renderSvg(histogramSpec(weightBins, 'Weights per layer', 'w')), 'weight-histograms')];
  if (input.x !== undefined && input.x.rows > 0) {
    const act = activationBins(model, input.x);
    if (act.length > 0) hist.push(figure(await renderSvg(histogramSpec(act, 'Activations O per layer', 'O')), 'activation-histograms'));
  }
  parts.push(section('histograms', 'Weight and activation histograms', hist.join(''),
    'Saturated sigmoid or tanh units pile up at the ends of their range; dead ReLUs pile up at 0.'));

  const d = diagram(model, input.featureNames);
  parts.push(section('network', 'Network', figure(await renderSvg(networkSpec(d.nodes, d.edges, d.columns)), 'network'),
    `Edges are coloured by the sign of w_ij and drawn thicker for larger |w_ij|; layers wider than ${MAX_SHOWN} units show their first ${MAX_SHOWN - 1}.`));

  const ac = activationCurves(model);
  if (ac.points.length > 0) {
    parts.push(section('activations', 'Activation functions', figure(await renderSvg(activationSpec(ac.points)), 'activations'),
      `f and its derivative f′ for each activation in the model; the sigmoid's f′ is at most 1/4, which is why deltas shrink layer by layer in deep sigmoid networks.${ac.softmax ? ' The output softmax couples its units and is not drawn.' : ''}`));
  }

  if (input.interpretation !== undefined) parts.push(await interpretationSection(input.interpretation));

  if (input.boundary !== undefined && input.classes !== undefined) {
    const g = boundaryGrid(input.boundary, input.classes);
    parts.push(section('decision-boundary', 'Decision boundary', figure(await renderSvg(boundarySpec(g.grid, g.points, input.boundary.names, input.classes, g.domain), { decimals: 2 }), 'decision-boundary'),
      `The predicted class over a ${BOUNDARY_GRID} × ${BOUNDARY_GRID} grid of the two features, the data rows on top.`));
  }

  return page(input.title, parts, input.version);
}

/** The interpretation section: permutation importance with its spread, mean |saliency|, partial dependence. */
async function interpretationSection(it: ReportInterpretation): Promise<string> {
  const figs = [figure(await renderSvg(featureBarsSpec(it.importance.map((f) => ({ name: f.name, value: f.mean, spread: f.std })),
    'Permutation importance', `drop of ${it.scoreName} when shuffled (mean ± std)`)), 'importance')];
  if (it.saliency !== undefined) {
    figs.push(figure(await renderSvg(featureBarsSpec(it.saliency.map((f) => ({ name: f.name, value: f.meanAbs })),
      'Saliency', `mean |∂ŷ/∂x| (${it.saliencyInputs ?? 'standardized inputs'})`)), 'saliency'));
  }
  const pd = it.partialDependence;
  if (pd !== undefined) {
    const points = pd.curves.flatMap((c) => c.values.map((value, g) => ({ x: pd.grid[g]!, value, output: c.output })));
    figs.push(figure(await renderSvg(partialDependenceSpec(points, pd.feature)), 'partial-dependence'));
  }
  return section('interpretation', `What the model relies on (${it.setName})`, figs.join(''),
    'Permutation importance: how much the score falls when one feature is shuffled, breaking its link to the target (bars: mean, whiskers: ± one standard deviation over the shuffles). '
    + 'Saliency: how strongly the outputs move with each input, by backpropagation to the inputs. '
    + `Partial dependence${pd === undefined ? '' : ` on ${pd.feature}`}: the mean prediction when that feature is set to each value for every row, the other features as observed.`);
}

/** Everything buildInterpretationReport draws. */
export interface InterpretationReportInput {
  readonly title: string;
  readonly model: Model;
  readonly interpretation: ReportInterpretation;
  readonly facts?: readonly (readonly [string, string])[];
}

/** A report of the interpretation alone, for a model already trained (`mlpkit explain --report`). */
export async function buildInterpretationReport(input: InterpretationReportInput): Promise<string> {
  const facts = [['parameters', input.model.parameterCount.toLocaleString('en-US')] as const, ...(input.facts ?? [])];
  return page(input.title, [
    section('summary', 'Summary', `<table>${facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table><h3>Layers</h3><pre>${esc(input.model.summary())}</pre>`),
    await interpretationSection(input.interpretation),
  ]);
}

function page(title: string, parts: readonly string[], version?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0 auto;max-width:1100px;padding:1rem 2rem;color:#222}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.15rem .8rem;border-bottom:1px solid #eee;text-align:left}
td{font-variant-numeric:tabular-nums}pre{background:#f7f7f7;padding:.6rem;overflow-x:auto;font-size:12px}
.version{color:#555;margin-top:-.8rem}table.metrics td,table.metrics th{text-align:right}table.metrics th:first-child{text-align:left}
.plot{display:inline-block;margin:.5rem 1rem .5rem 0}.plot svg{max-width:100%;height:auto}.note{color:#555}.findings li{margin:.3rem 0}.findings li.warning strong{color:#b3261e}.findings li.info strong{color:#555}
nav a{margin-right:1rem}
</style></head><body>
<h1>${esc(title)}</h1>${version === undefined ? '' : `<p class="version">written by mlpkit ${esc(version)}</p>`}
<nav>${['summary', 'learning-curves', 'gradient-norms', 'confusion', 'residuals', 'histograms', 'network', 'activations', 'interpretation', 'decision-boundary'].filter((id) => parts.some((p) => p.startsWith(`<section id="${id}"`))).map((id) => `<a href="#${id}">${id.replace('-', ' ')}</a>`).join('')}</nav>
${parts.join('\n')}
</body></html>
`;
}

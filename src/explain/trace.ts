/**
 * The backpropagation trace: one sample through the network, neuron by neuron, in the lecture's notation.
 *
 *   forward   I_j = Σ_{k∈inc(j)} w_kj O_k + w_0j,   O_j = f_j(I_j)
 *   output    δ_j = ∂L/∂O_j · f′(I_j)                              (1)
 *   hidden    δ_j = Σ_{k∈out(j)} δ_k w_jk · f′(I_j)                (2)
 *   weights   ∂L/∂w_ij = δ_j O_i                                    (3)
 *
 * Neurons are numbered j = 1, 2, … in topological order (inputs first); j = 0 is the constant unit
 * O_const ≡ 1 whose edges are the biases w_0j. Each weight's δ_j·O_i is printed beside the engine's
 * gradient and a finite difference of the loss (the engine's float64 gradient check), so the three
 * can be compared on any model. The trace runs in 'eval' mode (no dropout, batch norm on its
 * running statistics) on a float64 copy of the model.
 */

import { Model } from '../graph/model.js';
import { neuronGraph } from '../graph/builders.js';
import { INPUT } from '../spec.js';
import { gradCheck } from '../gradcheck.js';
import { unitActivationName } from '../layers/act.js';
import type { AnyNode } from '../layers/any-node.js';

/** One neuron j of a trace: its I_j, O_j, ∂L/∂O_j and δ_j. */
export interface TraceNeuron {
  /** The lecture's neuron number (0 is the constant unit). */
  readonly j: number;
  readonly name: string;
  readonly layer: string;
  readonly unit: number;
  /** f_j, 'input', or the kind of a layer without an activation (batchNorm, add, dropout, …). */
  readonly f: string;
  /** I_j (null for inputs and for nodes without a pre-activation). */
  readonly I: number | null;
  readonly O: number;
  /** ∂L/∂O_j = Σ_{k∈out(j)} δ_k w_jk (null for inputs, and for an output whose loss gives δ directly). */
  readonly dLdO: number | null;
  /** δ_j = ∂L/∂I_j (null where there is no I_j). */
  readonly delta: number | null;
}

/** One weight w_ij of a trace: δ_j·O_i, the engine's gradient and the finite difference. */
export interface TraceWeight {
  /** Source neuron i (0 = the constant unit: a bias w_0j) and target neuron j. */
  readonly i: number;
  readonly j: number;
  readonly from: string;
  readonly to: string;
  /** Where the weight lives: `layer.W[row,col]` or `layer.b[col]`. */
  readonly where: string;
  readonly w: number;
  readonly Oi: number;
  readonly deltaJ: number;
  /** Equation (3): δ_j·O_i. */
  readonly product: number;
  /** The engine's ∂L/∂w_ij (includes any L1/L2 penalty term). */
  readonly backprop: number;
  /** The fourth-order central difference of L; null where the loss has a kink (ReLU at 0). */
  readonly numeric: number | null;
  readonly relError: number | null;
}

/** One sample's backpropagation: the sample, the loss, every neuron and every weight. */
export interface Trace {
  /** The inputs as the network sees them (the input neurons' O_j). */
  readonly x: readonly number[];
  /** The inputs as the data gives them, and how the network's x was made from them (absent when x is raw). */
  readonly raw?: RawSample;
  /** The input names, in order. */
  readonly inputNames: readonly string[];
  readonly y: readonly number[];
  readonly output: readonly number[];
  readonly loss: number;
  readonly lossName: string;
  readonly neurons: readonly TraceNeuron[];
  readonly weights: readonly TraceWeight[];
  /** Largest relative error between backprop and the finite difference. */
  readonly maxRelError: number;
  /** Largest |δ_j·O_i − backprop| over the weights without a penalty term. */
  readonly maxProductGap: number;
}

/** Names for the units and inputs of a trace, and the sample's raw values. */
export interface TraceOptions {
  /**
   * A display name per unit; default the spec's names (a neuron graph's ids: `unitNames`, `inputNames`),
   * else `layer[unit]` and inputs `x1…`.
   */
  readonly names?: (layer: string, unit: number) => string | undefined;
  /** Input feature names (default the spec's inputNames, else x1, x2, …). */
  readonly inputNames?: readonly string[];
  /**
   * The sample as the data gives it, when the network sees it transformed (e.g. standardized), with
   * words for the transformation; the trace shows both.
   */
  readonly raw?: RawSample;
}

/** A sample in the data's units, where the network sees it transformed: its inputs, and its target. */
export interface RawSample {
  /** The raw inputs, and how the network's x is made from them, in words. */
  readonly inputs?: { readonly x: readonly number[]; readonly scaling: string };
  /** The target trained standardized: its mean and scale per output, so that y and ŷ are shown in its units. */
  readonly target?: { readonly mean: readonly number[]; readonly scale: readonly number[] };
}

/** A float64 copy of a model with the same weights and state (finite differences need float64). */
function float64Twin(model: Model): Model {
  if (model.dtype === 'float64') return model;
  const twin = new Model({ ...model.spec, dtype: 'float64' }, { trainable: model.trainable });
  twin.setWeights(model.getWeights());
  twin.setState(model.getState());
  return twin;
}

/** One sample through the network in the lecture's notation: every neuron's I_j, O_j, δ_j and every weight's ∂L/∂w_ij = δ_j·O_i beside the gradient and a finite difference (on a float64 copy, in 'eval' mode). */
export function traceSample(source: Model, x: readonly number[], y: readonly number[], options: TraceOptions = {}): Trace {
  if (x.length !== source.inputSize) throw new Error(`trace: the sample has ${x.length} features, the model takes ${source.inputSize}`);
  const rawX = options.raw?.inputs?.x;
  if (rawX !== undefined && rawX.length !== x.length) throw new Error(`trace: raw.inputs has ${rawX.length} values for ${x.length} inputs`);
  if (y.length !== source.outputSize) throw new Error(`trace: the target has ${y.length} values, the model has ${source.outputSize} outputs`);
  const model = float64Twin(source);
  // The finite differences first: they leave perturbed activations in the buffers, which the pass below overwrites.
  const check = gradCheck(model, [x], [y], { mode: 'eval', inputs: false });
  model.forward([x], { mode: 'eval' });
  const loss = model.loss([y]);
  model.zeroGrad();
  model.backward();
  const output = Array.from(model.output.O.a.subarray(0, model.outputSize));

  // Number every unit; a concat's units are its sources' units.
  const numberOf = new Map<AnyNode, number[]>();
  const neurons: TraceNeuron[] = [];
  let next = 1;
  const inputName = (u: number): string => options.inputNames?.[u] ?? model.spec.inputNames?.[u] ?? `x${u + 1}`;
  const unitName = (n: AnyNode, u: number): string | undefined => (n.kind === 'dense' ? n.spec.unitNames?.[u] : undefined);
  for (const n of model.live) {
    if (n.kind === 'concat') {
      numberOf.set(n, n.inputs.flatMap((src) => numberOf.get(src) ?? []));
      continue;
    }
    const nums: number[] = [];
    for (let u = 0; u < n.width; u++) {
      const j = next++;
      nums.push(j);
      const name = options.names?.(n.name, u) ?? (n.kind === 'input' ? inputName(u) : unitName(n, u) ?? `${n.name}[${u}]`);
      neurons.push(describeUnit(n, u, j, name, model));
    }
    numberOf.set(n, nums);
  }

  const numeric = new Map(check.entries.map((e) => [e.where, e]));
  const nameOf = new Map(neurons.map((n) => [n.j, n.name]));
  const weights: TraceWeight[] = [];
  let maxProductGap = 0;
  const penalized = (model.spec.l1 ?? 0) > 0 || (model.spec.l2 ?? 0) > 0;
  for (const d of model.live) {
    if (d.kind !== 'dense') continue;
    const src = d.inputs[0]!;
    const srcNums = numberOf.get(src)!;
    const dstNums = numberOf.get(d)!;
    const owner = d.spec.shareWeightsWith ?? d.name;
    const layerPenalized = penalized || (d.spec.l1 ?? 0) > 0 || (d.spec.l2 ?? 0) > 0;
    const add = (i: number, row: number | null, col: number, w: number, Oi: number, backprop: number, where: string): void => {
      const deltaJ = d.delta.a[col]!;
      const product = deltaJ * Oi;
      const e = numeric.get(where);
      if (!layerPenalized && row !== null) maxProductGap = Math.max(maxProductGap, Math.abs(product - backprop));
      weights.push({
        i, j: dstNums[col]!, from: i === 0 ? 'const' : nameOf.get(i)!, to: nameOf.get(dstNums[col]!)!, where,
        w, Oi, deltaJ, product, backprop, numeric: e?.numeric ?? null, relError: e?.relError ?? null,
      });
    };
    for (let col = 0; col < d.units; col++) {
      for (let row = 0; row < d.fanIn; row++) {
        if (d.maskRows !== null && d.maskRows[row]![col] === 0) continue;
        const k = row * d.units + col;
        // A weight shared with another layer is checked under its owner's name.
        add(srcNums[row]!, row, col, d.W.value.a[k]!, src.O.a[row]!, d.W.grad.a[k]!, `${owner}.W[${row},${col}]`);
      }
      if (d.b !== null && (d.biasMaskRow === null || d.biasMaskRow[col] === 1)) {
        add(0, null, col, d.b.value.a[col]!, 1, d.b.grad.a[col]!, `${d.name}.b[${col}]`);
      }
    }
  }
  let maxRelError = 0;
  for (const w of weights) if (w.relError !== null) maxRelError = Math.max(maxRelError, w.relError);
  const inputNames = Array.from({ length: x.length }, (_, u) => options.names?.(INPUT, u) ?? inputName(u));
  return {
    x: [...x], ...(options.raw === undefined ? {} : { raw: options.raw }), inputNames,
    y: [...y], output, loss, lossName: model.lossFn.name, neurons, weights, maxRelError, maxProductGap,
  };
}

function describeUnit(n: AnyNode, u: number, j: number, name: string, model: Model): TraceNeuron {
  const base = { j, name, layer: n.name, unit: u, O: n.O.a[u]! };
  if (n.kind === 'input') return { ...base, f: 'input', I: null, dLdO: null, delta: null };
  const site = n.activation;
  if (site !== null) {
    const f = unitActivationName(site.act, u);
    // A loss differentiated with respect to I writes δ at the output directly; ∂L/∂O_j is not formed.
    const fromDelta = n === model.output && model.lossFn.gradWrt === 'I';
    return { ...base, f, I: site.I.a[u]!, dLdO: fromDelta ? null : n.dO.a[u]!, delta: site.delta.a[u]! };
  }
  const dLdO = n === model.output ? null : n.dO.a[u]!;
  return { ...base, f: n.kind, I: null, dLdO, delta: null };
}

/** The built-in example: a 2-2-1 sigmoid network with L = ½Σ(O_j − y_j)², as in the lecture's derivation. */
export function lectureExample(): { model: Model; x: number[]; y: number[]; names: (layer: string, unit: number) => string | undefined } {
  const g = neuronGraph({
    inputs: ['x1', 'x2'],
    neurons: [
      { id: 'h1', from: ['x1', 'x2'] },
      { id: 'h2', from: ['x1', 'x2'] },
      { id: 'o1', from: ['h1', 'h2'], activation: 'sigmoid' },
    ],
    outputs: ['o1'], loss: 'halfSquaredError', dtype: 'float64',
  });
  const model = new Model(g.spec);
  const w: Record<string, number> = { 'x1>h1': 0.15, 'x2>h1': 0.2, 'x1>h2': 0.25, 'x2>h2': 0.3, 'h1>o1': 0.4, 'h2>o1': 0.45 };
  for (const e of g.edges) {
    const W = model.param(e.layer, 'W');
    W.value.a[e.row * W.cols + e.col] = w[`${e.from}>${e.to}`]!;
  }
  model.param('layer1', 'b').value.a.set([0.35, 0.35]);
  model.param('output', 'b').value.a.set([0.6]);
  const byPlace = new Map<string, string>();
  for (const [id, p] of g.neurons) byPlace.set(`${p.layer}:${p.unit}`, id);
  return { model, x: [0.05, 0.1], y: [0.01], names: (layer, unit) => byPlace.get(`${layer}:${unit}`) };
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** Six significant digits without trailing zeros (0.05, not 0.0500000). */
const num = (v: number | null, digits = 6): string => (v === null ? '—' : String(Number(v.toPrecision(digits))));

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: readonly string[]): string => r.map((s, c) => (c < 2 ? s.padEnd(widths[c]!) : s.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)];
}

function neuronRows(t: Trace): string[][] {
  return [
    ['0', 'const', '—', '—', '1', '—', '—'],
    ...t.neurons.map((n) => [String(n.j), n.name, n.f, num(n.I), num(n.O), num(n.dLdO), num(n.delta)]),
  ];
}

function weightRows(t: Trace): string[][] {
  return t.weights.map((w) => [
    `w_${w.i},${w.j}`, `${w.from} → ${w.to}`, num(w.w), num(w.Oi), num(w.deltaJ), num(w.product), num(w.backprop), num(w.numeric),
    w.relError === null ? 'kink' : w.relError.toExponential(1),
  ]);
}

const NEURON_HEADERS = ['j', 'neuron', 'f_j', 'I_j', 'O_j', '∂L/∂O_j', 'δ_j'] as const;
const WEIGHT_HEADERS = ['w_ij', 'edge i → j', 'w_ij', 'O_i', 'δ_j', 'δ_j·O_i', 'backprop', 'finite diff.', 'rel. error'] as const;

function summaryLines(t: Trace): string[] {
  const seen = t.raw?.inputs === undefined ? '' : ' (as the network sees it)';
  return [
    `x = (${t.x.map((v) => num(v)).join(', ')})${seen}   y = (${t.y.map((v) => num(v)).join(', ')})   ŷ = (${t.output.map((v) => num(v)).join(', ')})`,
    `L = ${num(t.loss, 8)} (${t.lossName})`,
    ...targetLine(t),
  ];
}

/** y and ŷ in the target's own units, when the network was trained on the standardized target. */
function targetLine(t: Trace): string[] {
  const s = t.raw?.target;
  if (s === undefined) return [];
  const unscale = (v: readonly number[]): string => v.map((u, k) => num(s.mean[k]! + s.scale[k]! * u)).join(', ');
  return [`in the target's units: y = (${unscale(t.y)})   ŷ = (${unscale(t.output)})   (the network is trained on (y − mean)/sd)`];
}

/** The raw value of each input beside the x the network sees, when they differ. */
function inputLines(t: Trace): string[] {
  const raw = t.raw?.inputs;
  if (raw === undefined) return [];
  const w = Math.max(...t.inputNames.map((n) => n.length));
  return [
    '',
    `Inputs: the row's raw value → x_j, the value the network sees (${raw.scaling}); an input neuron's O_j is x_j`,
    ...t.inputNames.map((n, u) => `  ${n.padEnd(w)}  ${num(raw.x[u]!).padStart(12)}  →  ${num(t.x[u]!)}`),
  ];
}

/** A trace as plain-text tables (what `mlpkit trace` prints). */
export function formatTraceText(t: Trace): string {
  return [
    'Backpropagation trace of one sample',
    ...summaryLines(t),
    ...inputLines(t),
    '',
    'Neurons: I_j = Σ_{k∈inc(j)} w_kj O_k + w_0j, O_j = f_j(I_j); δ_j = ∂L/∂O_j · f′(I_j)   (j = 0 is the constant unit O ≡ 1)',
    ...table(NEURON_HEADERS, neuronRows(t)),
    '',
    'Weights: ∂L/∂w_ij = δ_j·O_i (3), beside the engine\'s gradient and a finite difference of L',
    ...table(WEIGHT_HEADERS, weightRows(t)),
    '',
    `largest relative error, backprop vs finite difference: ${t.maxRelError.toExponential(2)}`,
  ].join('\n') + '\n';
}

function mdTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  return [`| ${headers.map(esc).join(' | ')} |`, `|${headers.map((_, c) => (c < 2 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)];
}

function rawInputsMarkdown(t: Trace): string[] {
  const raw = t.raw?.inputs;
  if (raw === undefined) return [];
  return ['', ...mdTable(['input', 'raw value', 'x_j (seen)'], t.inputNames.map((n, u) => [n, num(raw.x[u]!), num(t.x[u]!)])), '', `x_j: ${raw.scaling}.`];
}

/** A trace as Markdown tables. */
export function formatTraceMarkdown(t: Trace): string {
  return [
    '## Backpropagation trace of one sample',
    '',
    ...summaryLines(t).map((l) => `${l}  `),
    ...rawInputsMarkdown(t),
    '',
    '### Neurons',
    '',
    '$I_j = \\sum_{k\\in inc(j)} w_{kj} O_k + w_{0j}$, $O_j = f_j(I_j)$, $\\delta_j = \\frac{\\partial L}{\\partial O_j} f\'(I_j)$; $j = 0$ is the constant unit.',
    '',
    ...mdTable(NEURON_HEADERS, neuronRows(t)),
    '',
    '### Weights',
    '',
    '$\\frac{\\partial L}{\\partial w_{ij}} = \\delta_j O_i$ (3), beside the engine\'s gradient and a finite difference of $L$.',
    '',
    ...mdTable(WEIGHT_HEADERS, weightRows(t)),
    '',
    `Largest relative error, backprop vs finite difference: ${t.maxRelError.toExponential(2)}.`,
  ].join('\n') + '\n';
}

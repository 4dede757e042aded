import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ACTIVATION_NAMES, ACTIVATIONS, type ActivationName } from '../src/activations.js';
import { gradCheck } from '../src/gradcheck.js';
import { Model } from '../src/graph/model.js';
import { LOSS_NAMES, type LossName } from '../src/losses.js';
import { Rng } from '../src/rng.js';
import type { ActivationSpec, LayerSpec, ModelSpec, WeightRef } from '../src/spec.js';

/**
 * Random DAGs mixing every feature that touches a gradient — element ties and shared weight matrices,
 * connection masks, non-negative and non-positive weights, L1/L2 (model-wide and per layer), batch norm in training mode,
 * dropout (the same mask in every evaluation), add and concat, per-unit activations, every loss — each
 * checked component by component against float64 finite differences.
 */

// Activations with a kink (ReLU at 0, hard sigmoid at ±3) have their own checks in the suite: here a kink a few
// steps from the evaluation point can slip past the finite-difference kink detector at the 1e-6 level.
const smooth = ACTIVATION_NAMES.filter((a) => ACTIVATIONS[a].differentiable && ACTIVATIONS[a].kinks.length === 0);

const stepArb = fc.record({
  kind: fc.constantFrom('dense', 'dense', 'dense', 'activation', 'dropout', 'batchNorm', 'concat', 'add'),
  units: fc.integer({ min: 1, max: 4 }),
  acts: fc.array(fc.constantFrom(...smooth), { minLength: 4, maxLength: 4 }),
  perUnit: fc.boolean(),
  mask: fc.boolean(),
  nonNegative: fc.constantFrom('none', 'all', 'some', 'nonPositive'),
  share: fc.boolean(),
  ownPenalty: fc.boolean(),
  pickA: fc.nat(),
  pickB: fc.nat(),
  bits: fc.nat(),
});

const dagArb = fc.record({
  inputSize: fc.integer({ min: 1, max: 4 }),
  steps: fc.array(stepArb, { minLength: 1, maxLength: 6 }),
  outUnits: fc.integer({ min: 1, max: 3 }),
  loss: fc.constantFrom(...LOSS_NAMES),
  huberDelta: fc.constantFrom(0.3, 1, 2.5),
  quantiles: fc.array(fc.constantFrom(0.1, 0.5, 0.9), { minLength: 3, maxLength: 3 }),
  outputViaActivationLayer: fc.boolean(),
  l1: fc.constantFrom(0, 0, 0.01, 0.05),
  l2: fc.constantFrom(0, 0.01, 0.1),
  tiePicks: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat()), { maxLength: 3 }),
  mode: fc.constantFrom('train', 'eval'),
  rows: fc.integer({ min: 4, max: 8 }),
});

type Dag = typeof dagArb extends fc.Arbitrary<infer T> ? T : never;
type Step = Dag['steps'][number];
interface Built { readonly name: string; readonly width: number }
interface DenseBuilt { readonly name: string; readonly fanIn: number; readonly units: number; readonly mask: readonly (readonly number[])[] | null; readonly owner: string }

/** A 0/1 matrix from the bits of `seed`, every column keeping at least one connection. */
function bitMatrix(rows: number, cols: number, seed: number): number[][] {
  const r = new Rng(seed);
  const m = Array.from({ length: rows }, () => Array.from({ length: cols }, () => (r.uniform() < 0.6 ? 1 : 0)));
  for (let j = 0; j < cols; j++) if (m.every((row) => row[j] === 0)) m[r.int(rows)]![j] = 1;
  return m;
}

function activationOf(s: Step, units: number): ActivationSpec {
  return s.perUnit && units > 1 ? Array.from({ length: units }, (_, j): ActivationName => s.acts[j % s.acts.length]!) : s.acts[0]!;
}

function denseLayer(s: Step, name: string, input: Built, dense: DenseBuilt[]): LayerSpec {
  const units = s.units;
  const twin = dense.find((d) => d.fanIn === input.width && d.units === units && d.owner === d.name && d.mask === null);
  if (s.share && twin !== undefined) {
    dense.push({ name, fanIn: input.width, units, mask: null, owner: twin.name });
    return { kind: 'dense', name, inputs: [input.name], units, activation: activationOf(s, units), shareWeightsWith: twin.name };
  }
  const mask = s.mask ? bitMatrix(input.width, units, s.bits) : null;
  dense.push({ name, fanIn: input.width, units, mask, owner: name });
  const nonNegative = s.nonNegative === 'all' ? { nonNegative: true }
    : s.nonNegative === 'some' ? { nonNegative: bitMatrix(input.width, units, s.bits + 1) }
      : s.nonNegative === 'nonPositive' ? { nonPositive: bitMatrix(input.width, units, s.bits + 1) } : {};
  return {
    kind: 'dense', name, inputs: [input.name], units, activation: activationOf(s, units), init: 'xavierNormal',
    // Nonzero biases keep a unit whose weights the non-negative projection zeroed off ReLU's kink at 0.
    biasInit: 'small',
    ...(mask === null ? {} : { mask }), ...nonNegative,
    // A layer's own penalty overrides the model's; tied weights only join layers with the same one.
    ...(s.ownPenalty ? { l2: 0.02 } : {}),
  };
}

function buildSpec(d: Dag): ModelSpec {
  const nodes: Built[] = [{ name: 'input', width: d.inputSize }];
  const dense: DenseBuilt[] = [];
  const layers: LayerSpec[] = [];
  d.steps.forEach((s, i) => {
    const name = `n${i}`;
    const a = nodes[s.pickA % nodes.length]!;
    const b = nodes[s.pickB % nodes.length]!;
    let width = a.width;
    switch (s.kind) {
      case 'dense': layers.push(denseLayer(s, name, a, dense)); width = s.units; break;
      case 'activation': layers.push({ kind: 'activation', name, inputs: [a.name], activation: activationOf(s, a.width) }); break;
      case 'dropout': layers.push({ kind: 'dropout', name, inputs: [a.name], rate: 0.3 }); break;
      // ε = 0.1: a column the non-negative projection made constant has variance 0, and with the default ε
      // (1e-5) batch norm divides by √ε ≈ 0.003 — steep enough that no finite-difference step resolves it.
      case 'batchNorm': layers.push({ kind: 'batchNorm', name, inputs: [a.name], epsilon: 0.1 }); break;
      case 'add':
        if (a.width === b.width && a !== b) { layers.push({ kind: 'add', name, inputs: [a.name, b.name] }); break; }
        layers.push({ kind: 'concat', name, inputs: [a.name, b.name] }); width = a.width + b.width; break;
      case 'concat': layers.push({ kind: 'concat', name, inputs: [a.name, b.name] }); width = a.width + b.width; break;
    }
    nodes.push({ name, width });
  });
  // Every node feeds the output through one concatenation, so every layer is live.
  layers.push({ kind: 'concat', name: 'all', inputs: nodes.map((n) => n.name) });
  const all = nodes.reduce((s, n) => s + n.width, 0);
  const fused = d.loss === 'binaryCrossEntropy' ? 'sigmoid' : d.loss === 'categoricalCrossEntropy' ? 'softmax' : d.loss === 'poisson' ? 'exp' : 'identity';
  const outUnits = d.loss === 'categoricalCrossEntropy' ? Math.max(2, d.outUnits) : d.outUnits;
  if (d.outputViaActivationLayer && fused !== 'identity') {
    layers.push({ kind: 'dense', name: 'logits', inputs: ['all'], units: outUnits, l2: d.l2 });
    layers.push({ kind: 'activation', name: 'out', inputs: ['logits'], activation: fused });
    dense.push({ name: 'logits', fanIn: all, units: outUnits, mask: null, owner: 'logits' });
  } else {
    layers.push({ kind: 'dense', name: 'out', inputs: ['all'], units: outUnits, activation: fused, l2: d.l2 });
    dense.push({ name: 'out', fanIn: all, units: outUnits, mask: null, owner: 'out' });
  }
  const ties = tieGroups(d, dense, layers);
  return {
    inputSize: d.inputSize, layers, dtype: 'float64', l1: d.l1, l2: d.l2,
    ...(d.loss === 'huber' ? { loss: { name: 'huber', delta: d.huberDelta } } : { loss: d.loss }),
    ...(d.loss === 'quantile' ? { quantiles: d.quantiles.slice(0, outUnits) } : {}),
    ...(ties.length > 0 ? { ties } : {}),
  };
}

/** Pairs of distinct, unmasked weights in layers with the same penalty, each weight in one group at most. */
function tieGroups(d: Dag, dense: readonly DenseBuilt[], layers: readonly LayerSpec[]): WeightRef[][] {
  const penaltyOf = (name: string): string => {
    const l = layers.find((x) => x.name === name);
    return l?.kind === 'dense' ? `${l.l1 ?? d.l1}/${l.l2 ?? d.l2}` : '';
  };
  const used = new Set<string>();
  const groups: WeightRef[][] = [];
  for (const [p, q, r, s] of d.tiePicks) {
    const A = dense[p % dense.length]!;
    const B = dense[q % dense.length]!;
    if (penaltyOf(A.owner) !== penaltyOf(B.owner)) continue;
    const a = { layer: A.name, row: r % A.fanIn, col: s % A.units };
    const b = { layer: B.name, row: (r + 1) % B.fanIn, col: (s + 1) % B.units };
    const key = (x: WeightRef, D: DenseBuilt): string => `${D.owner}:${x.row}:${x.col}`;
    const ka = key(a, A);
    const kb = key(b, B);
    const masked = (x: WeightRef, D: DenseBuilt): boolean => D.mask !== null && D.mask[x.row]![x.col] === 0;
    if (ka === kb || used.has(ka) || used.has(kb) || masked(a, A) || masked(b, B)) continue;
    used.add(ka);
    used.add(kb);
    groups.push([a, b]);
  }
  return groups;
}

/**
 * Targets for the model's current outputs O. For the losses with a kink in the residual r = O − y (mae and
 * quantile at 0, huber at ±δ) the residuals are placed well away from it, so no finite difference straddles a kink.
 */
function targets(loss: LossName, O: Float64Array | Float32Array, rows: number, k: number, delta: number, rng: Rng): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: k }, (_, c) => {
    const sign = rng.uniform() < 0.5 ? -1 : 1;
    const o = O[i * k + c]!;
    switch (loss) {
      case 'categoricalCrossEntropy': return c === i % k ? 1 : 0;
      case 'binaryCrossEntropy': return rng.uniform() < 0.5 ? 0 : 1;
      case 'mae': case 'quantile': return o - sign * (0.5 + rng.uniform());
      case 'poisson': return rng.int(6);
      case 'huber': return o - sign * delta * (rng.uniform() < 0.5 ? 0.2 + 0.5 * rng.uniform() : 1.5 + rng.uniform());
      case 'mse': case 'halfSquaredError': return 2 * rng.normal();
    }
  }));
}

test('every gradient of random DAGs with ties, masks, constraints, penalties, batch norm, dropout and every loss matches float64 finite differences to 1e-6', () => {
  let checked = 0;
  fc.assert(fc.property(dagArb, fc.integer({ min: 0, max: 1000 }), (d, seed) => {
    const spec = buildSpec(d);
    const model = new Model(spec, { seed });
    const rng = new Rng(seed + 1);
    const x = Array.from({ length: d.rows }, () => Array.from({ length: d.inputSize }, () => rng.normal()));
    const O = model.forward(x, { mode: d.mode, rng: new Rng(seed) }).data.slice();
    const y = targets(d.loss, O, d.rows, model.outputSize, d.huberDelta, rng);
    // h = 5e-4 (half the default): the stencil's truncation error stays well under 1e-6 through deep products.
    const r = gradCheck(model, x, y, { mode: d.mode, seed, h: 5e-4 });
    checked += r.checked;
    // Relative error ≤ 1e-6; below |g| ≈ 1e-5 the stencil's own rounding (≈ 20ε·L/h ≈ 1e-12·L) dominates,
    // so there an absolute difference of 1e-11 is accepted.
    const bad = r.entries.find((e) => e.relError > 1e-6 && Math.abs(e.analytic - e.numeric) > 1e-11);
    assert.equal(bad, undefined, `${bad?.where}: analytic ${bad?.analytic}, numeric ${bad?.numeric} (relative error ${bad?.relError}) in ${JSON.stringify(spec)}`);
  }), { numRuns: 200, seed: 13, includeErrorInReport: true });
  assert.ok(checked > 2000, `only ${checked} components were compared`);
});

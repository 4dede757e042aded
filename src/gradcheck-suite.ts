/**
 * The gradient-check suite: one small float64 model per component of the engine — every activation,
 * every layer in training and inference mode, every loss, the constraints, tied weights, masks, skips
 * with add and with concat, and a neuron graph — each checked against finite differences.
 * Used by the tests, `npm run gradcheck` and `mlpkit gradcheck`.
 */

import { ACTIVATION_NAMES, ACTIVATIONS, type ActivationName } from './activations.js';
import { Model } from './graph/model.js';
import { neuronGraph } from './graph/builders.js';
import { gradCheck, type GradCheckResult } from './gradcheck.js';
import type { Mode } from './layers/node.js';
import { LOSS_NAMES, lossName, type LossName, type LossSpec } from './losses.js';
import { Rng } from './rng.js';
import type { LayerSpec, ModelSpec } from './spec.js';

export interface GradCheckCase {
  readonly name: string;
  readonly spec: ModelSpec;
  readonly mode: Mode;
  /** Rows in the batch. */
  readonly rows?: number;
  readonly sampleWeights?: boolean;
}

export interface GradCheckCaseResult extends GradCheckResult {
  readonly name: string;
}

const IN = 3;

function targetsFor(loss: LossName, rows: number, k: number, rng: Rng): number[][] {
  return Array.from({ length: rows }, (_, i) => {
    if (loss === 'categoricalCrossEntropy') return Array.from({ length: k }, (_, c) => (c === (i + rng.int(k)) % k ? 1 : 0));
    if (loss === 'binaryCrossEntropy') return Array.from({ length: k }, () => (rng.uniform() < 0.5 ? 0 : 1));
    if (loss === 'poisson') return Array.from({ length: k }, () => rng.int(6));
    return Array.from({ length: k }, () => rng.normal());
  });
}

function net(layers: LayerSpec[], loss: LossSpec = 'mse', extra: Partial<ModelSpec> = {}): ModelSpec {
  return { inputSize: IN, layers, loss, dtype: 'float64', ...extra };
}

/** Every case of the suite. */
export function gradCheckCases(): GradCheckCase[] {
  const cases: GradCheckCase[] = [];
  const smooth = ACTIVATION_NAMES.filter((a) => ACTIVATIONS[a].differentiable);
  for (const a of smooth) {
    cases.push({
      name: `activation ${a}`, mode: 'eval',
      spec: net([{ kind: 'dense', units: 4, activation: a, init: 'xavierNormal' }, { kind: 'dense', units: 2 }]),
    });
  }
  const perUnit: ActivationName[] = ['sigmoid', 'tanh', 'relu', 'gelu', 'sin'];
  cases.push({
    name: 'per-unit activations (dense)', mode: 'eval',
    spec: net([{ kind: 'dense', units: 5, activation: perUnit }, { kind: 'dense', units: 2 }]),
  });
  cases.push({
    name: 'per-unit activations (activation layer)', mode: 'eval',
    spec: net([{ kind: 'dense', units: 5 }, { kind: 'activation', activation: perUnit }, { kind: 'dense', units: 2 }]),
  });
  cases.push({
    name: 'softmax output with squared error (unfused Jacobian)', mode: 'eval',
    spec: net([{ kind: 'dense', units: 4, activation: 'tanh' }, { kind: 'dense', units: 3, activation: 'softmax' }]),
  });
  for (const loss of LOSS_NAMES) {
    const out: LayerSpec = loss === 'binaryCrossEntropy'
      ? { kind: 'dense', units: 2, activation: 'sigmoid' }
      : loss === 'categoricalCrossEntropy'
        ? { kind: 'dense', units: 3, activation: 'softmax' }
        : loss === 'poisson'
          ? { kind: 'dense', units: 2, activation: 'exp' }
          : { kind: 'dense', units: 2 };
    cases.push({ name: `loss ${loss}`, mode: 'eval', spec: net([{ kind: 'dense', units: 4, activation: 'tanh' }, out], loss) });
    cases.push({ name: `loss ${loss} with sample weights`, mode: 'eval', sampleWeights: true, spec: net([{ kind: 'dense', units: 4, activation: 'tanh' }, out], loss) });
  }
  cases.push({
    name: 'loss quantile with one τ per output (0.1, 0.5, 0.9)', mode: 'eval',
    spec: net([{ kind: 'dense', units: 4, activation: 'tanh' }, { kind: 'dense', units: 3 }], 'quantile', { quantiles: [0.1, 0.5, 0.9] }),
  });
  cases.push({
    name: 'poisson loss through a separate exp activation layer (fused)', mode: 'eval', sampleWeights: true,
    spec: net([{ kind: 'dense', units: 4, activation: 'tanh' }, { kind: 'dense', units: 2 }, { kind: 'activation', activation: 'exp' }], 'poisson'),
  });
  cases.push({
    name: 'sigmoid output layer fed by a separate activation layer, fused with cross-entropy', mode: 'eval',
    spec: net([{ kind: 'dense', units: 4, activation: 'tanh' }, { kind: 'dense', units: 1 }, { kind: 'activation', activation: 'sigmoid' }], 'binaryCrossEntropy'),
  });
  for (const mode of ['train', 'eval'] as const) {
    cases.push({
      name: `dropout (${mode})`, mode,
      spec: net([{ kind: 'dense', units: 6, activation: 'tanh' }, { kind: 'dropout', rate: 0.3 }, { kind: 'dense', units: 2 }]),
    });
    cases.push({
      name: `batch norm before the non-linearity (${mode})`, mode, rows: 7,
      spec: net([{ kind: 'dense', units: 4 }, { kind: 'batchNorm' }, { kind: 'activation', activation: 'tanh' }, { kind: 'dense', units: 2 }]),
    });
    cases.push({
      name: `batch norm after the non-linearity (${mode})`, mode, rows: 7,
      spec: net([{ kind: 'dense', units: 4, activation: 'sigmoid' }, { kind: 'batchNorm', momentum: 0.5 }, { kind: 'dense', units: 2 }]),
    });
    cases.push({
      name: `gaussian input noise (${mode})`, mode,
      spec: net([{ kind: 'gaussianNoise', stddev: 0.5 }, { kind: 'dense', units: 4, activation: 'tanh' }, { kind: 'dense', units: 2 }]),
    });
  }
  cases.push({
    name: 'layer skip with add', mode: 'eval',
    spec: net([
      { kind: 'dense', name: 'h1', units: 4, activation: 'tanh' },
      { kind: 'dense', name: 'h2', units: 4, activation: 'sigmoid' },
      { kind: 'add', name: 'sum', inputs: ['h1', 'h2'] },
      { kind: 'dense', name: 'out', units: 2 },
    ]),
  });
  cases.push({
    name: 'layer skip with concat (input straight to the output layer)', mode: 'eval',
    spec: net([
      { kind: 'dense', name: 'h1', units: 4, activation: 'tanh' },
      { kind: 'concat', name: 'cat', inputs: ['input', 'h1'] },
      { kind: 'dense', name: 'out', units: 2 },
    ]),
  });
  cases.push({
    name: 'one layer feeding three consumers', mode: 'eval',
    spec: net([
      { kind: 'dense', name: 'h', units: 4, activation: 'softplus' },
      { kind: 'dense', name: 'a', inputs: ['h'], units: 3, activation: 'tanh' },
      { kind: 'dense', name: 'b', inputs: ['h'], units: 3, activation: 'sigmoid' },
      { kind: 'concat', name: 'cat', inputs: ['a', 'b', 'h'] },
      { kind: 'dense', name: 'out', units: 2 },
    ]),
  });
  const mask = [[1, 0, 1, 1], [0, 1, 1, 0], [1, 1, 0, 1]];
  cases.push({
    name: 'connection mask and bias mask', mode: 'eval',
    spec: net([{ kind: 'dense', units: 4, activation: 'tanh', mask, biasMask: [1, 0, 1, 1] }, { kind: 'dense', units: 2 }]),
  });
  cases.push({
    name: 'L1 and L2 penalties (model and per layer)', mode: 'eval',
    spec: net([{ kind: 'dense', units: 4, activation: 'tanh', l2: 0.3 }, { kind: 'dense', units: 2 }], 'mse', { l1: 0.05, l2: 0.1 }),
  });
  cases.push({
    name: 'non-negative and max-norm constraints', mode: 'eval',
    spec: net([{ kind: 'dense', units: 4, activation: 'tanh', nonNegative: true, maxNorm: 1.5 }, { kind: 'dense', units: 2, nonNegative: true }]),
  });
  cases.push({
    name: 'shared weight matrix (one tensor, two uses)', mode: 'eval',
    spec: net([
      { kind: 'dense', name: 'h1', units: 3, activation: 'tanh' },
      { kind: 'dense', name: 'h2', units: 3, activation: 'tanh', shareWeightsWith: 'h1' },
      { kind: 'dense', name: 'out', units: 2 },
    ], 'mse', { l2: 0.05 }),
  });
  cases.push({
    name: 'tied individual weights', mode: 'eval',
    spec: net([{ kind: 'dense', name: 'h', units: 4, activation: 'tanh' }, { kind: 'dense', name: 'out', units: 2 }], 'mse', {
      ties: [[{ layer: 'h', row: 0, col: 0 }, { layer: 'h', row: 1, col: 1 }, { layer: 'out', row: 2, col: 0 }], [{ layer: 'h', row: 2, col: 3 }, { layer: 'out', row: 0, col: 1 }]],
    }),
  });
  cases.push({
    name: 'tied weights and a shared matrix under L1 and L2 (each tied parameter penalized once)', mode: 'eval',
    spec: net([
      { kind: 'dense', name: 'h1', units: 3, activation: 'tanh' },
      { kind: 'dense', name: 'h2', units: 3, activation: 'tanh', shareWeightsWith: 'h1' },
      { kind: 'dense', name: 'out', units: 2 },
    ], 'mse', { l1: 0.02, l2: 0.05, ties: [[{ layer: 'h1', row: 0, col: 0 }, { layer: 'h2', row: 1, col: 2 }, { layer: 'out', row: 2, col: 1 }]] }),
  });
  cases.push({
    name: 'huber loss with δ = 0.3 (residuals on both sides of δ)', mode: 'eval',
    spec: net([{ kind: 'dense', units: 4, activation: 'tanh' }, { kind: 'dense', units: 2 }], { name: 'huber', delta: 0.3 }),
  });
  const g = neuronGraph({
    inputs: ['x1', 'x2', 'x3'],
    neurons: [
      { id: 'h1', activation: 'sigmoid', from: ['x1', 'x2'] },
      { id: 'h2', activation: 'tanh', from: ['x2', { from: 'x3', tie: 't' }] },
      { id: 'h3', activation: 'relu', from: ['h1', { from: 'h2', nonNegative: true }, { from: 'x1', tie: 't' }] },
      { id: 'y1', from: ['h3', 'h1', 'x3'], bias: false },
      { id: 'y2', activation: 'sigmoid', from: ['h2', 'h3'] },
    ],
    outputs: ['y1', 'y2'],
    loss: 'mse',
    dtype: 'float64',
  });
  cases.push({ name: 'neuron graph (per-neuron f_j, skips, a tie, a non-negative edge, no-bias neuron)', mode: 'eval', spec: g.spec });
  return cases;
}

/** Run one case: random inputs and targets from a fixed seed. */
export function runGradCheckCase(c: GradCheckCase, seed = 0): GradCheckCaseResult {
  const rng = new Rng(seed);
  const model = new Model(c.spec, { seed: seed + 1 });
  // Move batch-norm running statistics away from (0, 1) so inference mode is a real test.
  const state = model.getState();
  model.setState(Array.from(state, (v) => v + 0.3 * rng.normal() * (v === 0 ? 1 : 0.5)));
  const rows = c.rows ?? 4;
  const x = Array.from({ length: rows }, () => Array.from({ length: model.inputSize }, () => rng.normal()));
  const y = targetsFor(lossName(c.spec.loss), rows, model.outputSize, rng);
  const sampleWeights = c.sampleWeights === true ? Array.from({ length: rows }, () => 0.5 + rng.uniform()) : undefined;
  const result = gradCheck(model, x, y, { mode: c.mode, seed: seed + 2, ...(sampleWeights === undefined ? {} : { sampleWeights }) });
  return { name: c.name, ...result };
}

export interface GradCheckSummary {
  readonly cases: readonly GradCheckCaseResult[];
  readonly checked: number;
  readonly maxRelError: number;
  readonly skippedAtKinks: number;
}

export function runGradCheckSuite(seed = 0): GradCheckSummary {
  const cases = gradCheckCases().map((c) => runGradCheckCase(c, seed));
  return {
    cases,
    checked: cases.reduce((s, c) => s + c.checked, 0),
    maxRelError: Math.max(...cases.map((c) => c.maxRelError)),
    skippedAtKinks: cases.reduce((s, c) => s + c.skippedAtKinks, 0),
  };
}

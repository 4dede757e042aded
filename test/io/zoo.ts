// Small models covering every layer kind and option, with weights and batch-norm statistics moved away
// from their initial values, shared by the model-file and ONNX tests.
import { ACTIVATION_NAMES, type ActivationName } from '../../src/activations.js';
import { Model } from '../../src/graph/model.js';
import type { DType } from '../../src/kernels/backend.js';
import type { Matrix } from '../../src/matrix.js';
import { Rng } from '../../src/rng.js';
import type { ModelSpec } from '../../src/spec.js';

export interface ZooEntry { readonly name: string; readonly spec: ModelSpec }

const PER_UNIT: ActivationName[] = ['tanh', 'relu', 'sigmoid', 'tanh', 'gaussian', 'identity'];

export function zoo(dtype: DType = 'float32'): ZooEntry[] {
  const d = { dtype };
  return [
    {
      name: 'dense with mask, biasMask, nonNegative and maxNorm',
      spec: {
        inputSize: 3, loss: 'mse', ...d,
        layers: [
          { kind: 'dense', name: 'h', units: 4, activation: 'tanh', mask: [[1, 0, 1, 1], [0, 1, 1, 0], [1, 1, 0, 1]], biasMask: [1, 0, 1, 1], maxNorm: 2 },
          { kind: 'dense', name: 'out', units: 2, nonNegative: [[1, 0], [0, 0], [1, 1], [0, 1]] },
        ],
      },
    },
    {
      name: 'dense with weights tied across layers and within a layer, and no bias',
      spec: {
        inputSize: 3, loss: 'mse', ...d,
        layers: [
          { kind: 'dense', name: 'a', units: 3, activation: 'sigmoid', nonNegative: true },
          { kind: 'dense', name: 'b', units: 3, activation: 'relu', shareWeightsWith: 'a', useBias: false },
          { kind: 'dense', name: 'out', units: 1 },
        ],
        ties: [[{ layer: 'out', row: 0, col: 0 }, { layer: 'out', row: 2, col: 0 }]],
      },
    },
    {
      name: 'per-unit activations in a dense and in an activation layer',
      spec: {
        inputSize: 4, loss: 'mse', ...d,
        layers: [
          { kind: 'dense', name: 'h', units: 6, activation: PER_UNIT },
          { kind: 'dense', name: 'lin', units: 3 },
          { kind: 'activation', name: 'f', activation: ['softsign', 'elu', 'softsign'] },
        ],
      },
    },
    {
      name: 'dropout and gaussian noise (inactive in inference)',
      spec: {
        inputSize: 3, loss: 'binaryCrossEntropy', ...d,
        layers: [
          { kind: 'gaussianNoise', name: 'noise', stddev: 0.3 },
          { kind: 'dense', name: 'h', units: 5, activation: 'relu' },
          { kind: 'dropout', name: 'drop', rate: 0.4 },
          { kind: 'dense', name: 'out', units: 1, activation: 'sigmoid' },
        ],
      },
    },
    {
      name: 'batch norm before and after the non-linearity, with running statistics',
      spec: {
        inputSize: 3, loss: 'categoricalCrossEntropy', ...d,
        layers: [
          { kind: 'dense', name: 'h1', units: 5 },
          { kind: 'batchNorm', name: 'bn1', epsilon: 1e-3 },
          { kind: 'activation', name: 'f1', activation: 'relu' },
          { kind: 'dense', name: 'h2', units: 4, activation: 'tanh' },
          { kind: 'batchNorm', name: 'bn2' },
          { kind: 'dense', name: 'out', units: 3, activation: 'softmax' },
        ],
      },
    },
    {
      name: 'add and concat joining skip connections',
      spec: {
        inputSize: 3, loss: 'mse', ...d,
        layers: [
          { kind: 'dense', name: 'a', units: 4, activation: 'tanh' },
          { kind: 'dense', name: 'b', units: 4, activation: 'sigmoid', inputs: ['input'] },
          { kind: 'dense', name: 'c', units: 4, inputs: ['a'] },
          { kind: 'add', name: 'sum', inputs: ['a', 'b', 'c'] },
          { kind: 'concat', name: 'cat', inputs: ['sum', 'input', 'b'] },
          { kind: 'dense', name: 'out', units: 2, activation: 'softplus' },
        ],
      },
    },
  ];
}

/** One model per activation of the table (forward-only for the step function). */
export function activationZoo(dtype: DType = 'float32'): ZooEntry[] {
  return [...ACTIVATION_NAMES, 'softmax' as const].map((a) => ({
    name: a,
    spec: {
      inputSize: 3, loss: 'mse', dtype,
      layers: [
        { kind: 'dense', name: 'h', units: 4, activation: a },
        { kind: 'dense', name: 'out', units: 2 },
      ],
    },
  }));
}

export function randomMatrix(rows: number, cols: number, rng: Rng, scale = 1.5): Matrix {
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = scale * rng.normal();
  return { rows, cols, data };
}

/** A model with random weights (within its constraints) and batch-norm statistics from a few training passes. */
export function buildTrained(spec: ModelSpec, seed = 1): Model {
  const trainable = !JSON.stringify(spec.layers).includes('"step"');
  const model = new Model(spec, { seed, trainable });
  const rng = new Rng(seed + 100);
  const w = model.paramBuffer.a;
  for (let i = 0; i < w.length; i++) w[i] = w[i]! + 0.3 * rng.normal();
  model.applyConstraints();
  for (let t = 0; t < 3; t++) model.forward(randomMatrix(16, model.inputSize, rng), { mode: 'train', rng });
  return model;
}

export function bitsEqual(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

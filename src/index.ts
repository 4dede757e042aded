// The public API of mlpkit: explicit named exports only.

export { Rng, type RngState } from './rng.js';
export { ACTIVATIONS, ACTIVATION_NAMES, activation, isActivationName, sigmoid, softplus, erf, type Activation, type ActivationName, type OutputActivationName } from './activations.js';
export { LOSSES, LOSS_NAMES, lossByName, isLossName, type Loss, type LossName } from './losses.js';
export { INIT_NAMES, initialize, isInitName, type InitName } from './init.js';
export { toMatrix, toRows, zeros, type Matrix, type MatrixLike } from './matrix.js';
export type { Backend, Arena, Kernels, Slot, DType, Vec } from './kernels/backend.js';
export { tsBackend, tsKernels, TypedArena } from './kernels/ts.js';
export {
  INPUT, resolveSpec, layerWidths,
  type ModelSpec, type ResolvedSpec, type LayerSpec, type LayerKind, type DenseSpec, type ActivationLayerSpec, type DropoutSpec,
  type BatchNormSpec, type AddSpec, type ConcatSpec, type GaussianNoiseSpec, type ActivationSpec, type WeightRef,
} from './spec.js';
export { Model, type ModelOptions, type ForwardOptions, type BackwardOptions } from './graph/model.js';
export {
  sequential, graph, mlp, outputFor, neuronGraph,
  type MlpOptions, type Task, type NeuronGraphSpec, type NeuronSpec, type EdgeSpec, type CompiledNeuronGraph, type NeuronPlace, type EdgePlace,
} from './graph/builders.js';
export { gradCheck, relativeError, type GradCheckOptions, type GradCheckResult, type GradCheckEntry } from './gradcheck.js';
export type { Node, Ctx, Mode, Param } from './layers/node.js';
export { Dense } from './layers/dense.js';
export { ActivationLayer } from './layers/activation.js';
export { BatchNorm } from './layers/batchnorm.js';
export { Dropout } from './layers/dropout.js';
export { GaussianNoise } from './layers/noise.js';
export { Add, Concat } from './layers/merge.js';

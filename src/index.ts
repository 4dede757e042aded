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

// Data: validation, scaling, encoding, splits, bundled datasets and generators.
export {
  toNumericMatrix, toTargetMatrix, checkLabels, matrixToRows,
  type NumericMatrix, type MatrixInput, type MatrixInputOptions, type Label,
} from './data/matrix-input.js';
export { StandardScaler, MinMaxScaler, scalerFromJSON, type Scaler, type ScalerJSON, type StandardScalerJSON, type MinMaxScalerJSON } from './data/scalers.js';
export { LabelEncoder, OneHotEncoder, type LabelEncoderJSON, type OneHotEncoderJSON, type OneHotEncoderOptions, type HandleUnknown } from './data/encoders.js';
export { trainTestSplit, kFold, stratifiedKFold, bootstrapSample, takeRows, takeMatrixRows, type Split, type BootstrapSample } from './data/splits.js';
export { loadDataset, listDatasets, type Dataset, type DatasetInfo, type DatasetOptions } from './data/datasets.js';
export {
  xor, twoSpirals, circles, moons, gaussians, sin, halfPlane, convexPolygon, polygonUnion, GEOMETRIC_SETS,
  type GeneratorOptions, type GaussiansOptions, type Generated,
} from './data/generators.js';

// Metrics.
export {
  accuracy, balancedAccuracy, confusionMatrix, precisionRecallF1, precision, recall, f1, logLoss, rocAuc, mse, mae, r2,
  type ConfusionMatrix, type ClassScores, type PrecisionRecallF1, type LogLossOptions, type RocAucOptions, type LabelsOption,
} from './metrics.js';

// Model files (versioned JSON, base64 weights) and ONNX export/import.
export {
  MODEL_FILE_FORMAT, MODEL_FILE_VERSION, modelToFile, modelFromFile, parseModelFile,
  type ModelFile, type ModelFileExtras, type ModelFromFileOptions, type EncodedArray,
} from './io/model-file.js';
export { bytesToBase64, base64ToBytes, encodeFloats, decodeFloats } from './io/base64.js';
export {
  featurePipeline, applyFeaturePipeline, pipelineWidth,
  type FeatureStep, type StandardStep, type MinMaxStep, type OneHotStep,
} from './io/features.js';
export type { JsonValue, JsonObject } from './io/json-check.js';
export { exportOnnx, ONNX_MIN_OPSET, ONNX_MAX_OPSET, type OnnxExportOptions } from './io/onnx/export.js';
export { importOnnx, modelFromOnnx, type OnnxImportOptions, type OnnxImport } from './io/onnx/import.js';

// Training: optimizers (rules over flat buffers), schedules, fit, restarts, ensembles, estimators.
export { apply as applyOptimizer, init as initOptimizer, validateRule, optimizerStateToJSON, optimizerStateFromJSON, type OptimizerSpec, type StepRuleSpec, type SgdSpec, type AdamSpec, type AdamWSpec, type RmspropSpec, type AdagradSpec, type OptimizerState, type OptimizerStateJSON } from './optim/rules.js';
export { lbfgsInit, lbfgsStep, lbfgsStateToJSON, lbfgsStateFromJSON, type LbfgsSpec, type LbfgsState, type LbfgsStateJSON, type LbfgsStepResult, type Objective } from './optim/lbfgs.js';
export { learningRateAt, scheduleInit, scheduleObserve, validateSchedule, type ScheduleSpec, type ScheduleState } from './optim/schedules.js';
export { fit } from './train/fit.js';
export { TrainingDivergedError, type FitData, type FitOptions, type EpochRecord, type History, type StopReason, type Checkpoint, type BatchInfo, type EarlyStoppingOptions, type Metric } from './train/types.js';
export { Ensemble } from './train/ensemble.js';
export { trainRestarts, restartJobs, runRestart, sequentialRunner, type RestartOptions, type RestartsOutcome, type RestartJob, type RestartResult, type RestartRunner, type RestartFitOptions } from './train/restarts.js';
export { MLPClassifier, MLPRegressor, type MLPOptions, type MLPClassifierOptions } from './estimators.js';

// The neuron-level backpropagation trace in the lecture's notation (I_j, O_j, δ_j, ∂L/∂w_ij = δ_j·O_i).
export {
  traceSample, lectureExample, formatTraceText, formatTraceMarkdown,
  type Trace, type TraceNeuron, type TraceWeight, type TraceOptions,
} from './explain/trace.js';

// Answers to the lecture's disadvantages: interpretation, guided optimization, the perceptron rule, depth demos.
export { permutationImportance, type PermutationImportance, type PermutationImportanceOptions, type FeatureImportance } from './explain/importance.js';
export { saliency, type Saliency, type SaliencyOptions } from './explain/saliency.js';
export { partialDependence, type PartialDependence, type PartialDependenceOptions } from './explain/partial-dependence.js';
export { hiddenUnitMaps, type HiddenUnitMaps, type HiddenUnitOptions, type LayerMaps, type UnitMap } from './explain/hidden-units.js';
export { accuracyScore, r2Score, negMseScore, type PredictFn, type Scorer, type ScoreName } from './explain/predictor.js';
export { lrRangeTest, type LrRangeOptions, type LrRangeResult } from './tune/lr-range.js';
export {
  tune, candidates, evaluateCandidate, sequentialTuneRunner, formatTuneTable, DEFAULT_SPACE,
  type TuneOptions, type TuneResult, type TuneRunner, type TuneJob, type SearchSpace, type Candidate, type CandidateResult, type RankedCandidate, type Range,
} from './tune/search.js';
export { trainPerceptron, perceptronPredict, perceptronModel, type PerceptronOptions, type PerceptronResult } from './perceptron.js';
export { depthDemo, formatDepthTable, sampleSet, setPolygons, GEOMETRIC_SET_NAMES, type DepthDemoOptions, type DepthDemoResult, type DepthRun, type ConstructedRun, type GeometricSetName } from './demos/depth.js';
export { constructNetwork, edgeHalfPlanes, insideConvex, insideUnion, type Construction, type Polygon, type HalfPlane } from './demos/geometry.js';
export { universalApproximation, formatUniversalTable, type UniversalOptions, type UniversalResult, type UniversalRun } from './demos/universal.js';
export { depthDemoPictures, universalPictures, lrRangePicture, hiddenUnitPictures, partialDependencePicture } from './demos/pictures.js';
export { heatmapSvg, lineChartSvg } from './demos/svg.js';

// Kernel backends: WebAssembly SIMD (the default where it compiles) and the portable TypeScript reference.
export { createWasmBackend, loadWasmBackend, wasmSimdSupported, relaxedSimdSupported, WasmArena, type WasmBackendOptions } from './kernels/wasm.js';
export { defaultBackend, setDefaultBackend } from './kernels/default.js';
export { ensembleMembersJson, ensembleSize, predictorFromFile } from './io/ensemble-file.js';

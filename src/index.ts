// The public API of mlpkit: explicit named exports only.

export { Rng, type RngState } from './rng.js';
export { ACTIVATIONS, ACTIVATION_NAMES, activation, isActivationName, sigmoid, softplus, erf, type Activation, type ActivationName, type OutputActivationName } from './activations.js';
export { LOSSES, LOSS_NAMES, lossByName, lossFromSpec, quantileLoss, QUANTILE_TAU, isLossName, type Loss, type LossName, type LossSpec, type LossModelPart } from './losses.js';
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
export { monotoneLayers, checkMonotone, MONOTONE_ACTIVATIONS, type MonotoneSpec, type MonotoneDirection, type MonotoneLayersOptions } from './graph/monotone.js';
export { gradCheck, relativeError, type GradCheckOptions, type GradCheckResult, type GradCheckEntry } from './gradcheck.js';
export type { Node, Ctx, Mode, Param } from './layers/node.js';
export { Dense } from './layers/dense.js';
export { ActivationLayer } from './layers/activation.js';
export { BatchNorm } from './layers/batchnorm.js';
export { Dropout } from './layers/dropout.js';
export { GaussianNoise } from './layers/noise.js';
export { Add, Concat } from './layers/merge.js';

// Data: validation, scaling, encoding, splits and generators (the bundled tables are in `mlpkit/datasets`).
export {
  toNumericMatrix, toTargetMatrix, checkLabels, matrixToRows,
  type NumericMatrix, type MatrixInput, type MatrixInputOptions, type Label,
} from './data/matrix-input.js';
export { StandardScaler, MinMaxScaler, scalerFromJSON, type Scaler, type ScalerJSON, type StandardScalerJSON, type MinMaxScalerJSON } from './data/scalers.js';
export { LabelEncoder, OneHotEncoder, type LabelEncoderJSON, type OneHotEncoderJSON, type OneHotEncoderOptions, type HandleUnknown } from './data/encoders.js';
export { trainTestSplit, kFold, stratifiedKFold, bootstrapSample, takeRows, takeMatrixRows, type Split, type BootstrapSample } from './data/splits.js';
export {
  xor, twoSpirals, circles, moons, gaussians, sin, halfPlane, convexPolygon, polygonUnion, GEOMETRIC_SETS,
  type GeneratorOptions, type GaussiansOptions, type Generated,
} from './data/generators.js';

// Tables: CSV/TSV/JSON lines from text, bytes, Blobs and streams (one parsing core), rows and columns.
export {
  TableError,
  type Table, type Column, type ColumnType, type NumberColumn, type CategoryColumn, type EmptyColumn, type CellPlace,
  type ReadTableOptions, type ReadProgress, type TableFormat,
} from './table/types.js';
export { readTable, readTableSync, formatOfName, sniffFormat, type TableInput } from './table/read.js';
export { tableFromRows, tableFromColumns, type CellValue, type ColumnValues, type RowsOptions } from './table/values.js';
export { DEFAULT_MISSING, parseNumber, showValue } from './table/cells.js';
export { sniffDelimiter } from './table/sniff.js';
export { DEFAULT_MAX_COLUMNS, DEFAULT_MAX_FIELD_BYTES } from './table/csv.js';

// Metrics.
export {
  accuracy, balancedAccuracy, confusionMatrix, precisionRecallF1, precision, recall, f1, logLoss, rocAuc, mse, mae, r2,
  type ConfusionMatrix, type ClassScores, type PrecisionRecallF1, type LogLossOptions, type RocAucOptions, type LabelsOption,
} from './metrics.js';

// Model files (versioned JSON, base64 weights); ONNX export/import is in `mlpkit/onnx`.
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
// The playground's worker (web/worker.ts) still imports exportOnnx from here; the name belongs to `mlpkit/onnx`.
export { exportOnnx } from './io/onnx/export.js';
// Export as code: plain JavaScript (an ES module), C99 (source and header) or a PyTorch module, the preprocessing inside.
export { exportJs, exportC, exportTorch, type CExport, type CExportOptions, type ExportSource } from './export/index.js';

// Training: optimizers (rules over flat buffers), schedules, fit, restarts, ensembles, estimators.
export { apply as applyOptimizer, init as initOptimizer, validateRule, optimizerStateToJSON, optimizerStateFromJSON, type OptimizerSpec, type StepRuleSpec, type SgdSpec, type AdamSpec, type AdamWSpec, type RmspropSpec, type AdagradSpec, type OptimizerState, type OptimizerStateJSON } from './optim/rules.js';
export { lbfgsInit, lbfgsStep, lbfgsStateToJSON, lbfgsStateFromJSON, type LbfgsSpec, type LbfgsState, type LbfgsStateJSON, type LbfgsStepResult, type Objective } from './optim/lbfgs.js';
export { learningRateAt, scheduleInit, scheduleObserve, validateSchedule, type ScheduleSpec, type ScheduleState } from './optim/schedules.js';
export {
  createOptimizer, resolveOptimizer, resolveStepRule, resolveSchedule, DEFAULT_LEARNING_RATES, DEFAULT_OPTIMIZER, OPTIMIZER_KINDS, OPTIMIZER_KEYS, SCHEDULE_KINDS, SCHEDULE_KEYS,
  type Optimizer, type OptimizerJSON, type OptimizerOption, type StepRuleOption, type StepRuleKind, type OptimizerKind,
} from './optim/optimizer.js';
export { fit, evaluateLoss } from './train/fit.js';
export { FIT_OPTION_KEYS, checkFitOptions } from './train/fit-options.js';
export { trainStep, forwardLoss, backwardPass, update as updateStep, type Batch, type StepOptions, type StepResult } from './train/step.js';
export { DIVERGENCE } from './train/monitor.js';
export { TrainingDivergedError, type FitData, type FitOptions, type EpochRecord, type History, type StopReason, type Checkpoint, type RunFingerprint, type MonitorJSON, type BatchInfo, type EarlyStoppingOptions, type Metric } from './train/types.js';
export { Ensemble } from './train/ensemble.js';
export { diagnose, formatFindings, constantLoss, DIAGNOSIS_THRESHOLDS, type Finding, type FindingCode, type DiagnoseOptions } from './train/diagnose.js';
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
  compare, compareData, configurations, compareTrials, runTrial, sequentialCompareRunner, formatCompareTable, TRIAL_DEFAULTS, TRIAL_OPTION_NAMES,
  type CompareOptions, type CompareResult, type CompareData, type CompareRunner, type Comparison, type Configuration, type Trial, type TrialOptions, type TrialResult, type Vary,
} from './tune/compare.js';
export {
  calibrateSplit, splitIntervals, calibrateCvPlus, cvPlusIntervals, cvPlus, calibrateAps, apsSets, ensembleSpread, intervalCoverage, setCoverage,
  type Calibration, type SplitCalibration, type CvPlusCalibration, type ApsCalibration, type Intervals, type FoldPredictor, type CvPlusResult,
} from './uncertainty/conformal.js';
export { meanSd, pairedTTest, wilcoxonSignedRank, studentTwoSided, incompleteBeta, logGamma, type PairedTTest, type WilcoxonTest } from './tune/stats.js';
export {
  tune, candidates, evaluateCandidate, sequentialTuneRunner, formatTuneTable, DEFAULT_SPACE,
  type TuneOptions, type TuneResult, type TuneRunner, type TuneJob, type SearchSpace, type Candidate, type CandidateResult, type RankedCandidate, type Range,
} from './tune/search.js';
export { trainPerceptron, perceptronPredict, perceptronModel, type PerceptronOptions, type PerceptronResult } from './perceptron.js';
export { depthDemo, formatDepthTable, sampleSet, setPolygons, GEOMETRIC_SET_NAMES, type DepthDemoOptions, type DepthDemoResult, type DepthRun, type ConstructedRun, type GeometricSetName } from './demos/depth.js';
export { constructNetwork, edgeHalfPlanes, insideConvex, insideUnion, type Construction, type Polygon, type HalfPlane } from './demos/geometry.js';
export { universalApproximation, formatUniversalTable, type UniversalOptions, type UniversalResult, type UniversalRun } from './demos/universal.js';

// Kernel backends: WebAssembly SIMD (the default where it compiles) and the portable TypeScript reference.
export { createWasmBackend, loadWasmBackend, wasmSimdSupported, relaxedSimdSupported, WasmArena, type WasmBackendOptions } from './kernels/wasm.js';
export { defaultBackend, setDefaultBackend } from './kernels/default.js';
export { ensembleMembersJson, ensembleSize, predictorFromFile } from './io/ensemble-file.js';

// The workflow floor: one table type, one preprocessing, one task table, one training workflow, one model file.
export {
  Preprocessor, OTHER_LEVEL, MISSING_LEVEL, PREPROCESSOR_OPTION_NAMES,
  type PreprocessorOptions, type PreprocessorJSON, type ColumnPlan, type TargetPlan, type EncodedTarget, type Decoded, type Impute, type Scaling, type UnknownPolicy,
} from './workflow/preprocessor.js';
export { parsePreprocessor, type PreprocessorContext } from './workflow/preprocessor-json.js';
export { TASKS, TASK_NAMES, argmax, decodeLabels, classProbabilities, classifierTask, type TaskInfo, type Outputs } from './workflow/tasks.js';
export { TRAIN_OPTION_NAMES, TRAIN_DEFAULTS, OPTIMIZER_NAMES, checkTrainOptions, optimizerOf, type TrainOptions, type NetworkOptions, type OptimizationOptions, type OptimizerName } from './workflow/options.js';
export { trainPipeline, resolveOptions, specOf, type TrainHooks, type TrainOutcome } from './workflow/train.js';
export { Pipeline, type TrainingSummary } from './workflow/pipeline.js';
export { evaluateDecoded, type Evaluation, type ClassRow } from './workflow/evaluate.js';
export { checkKeys, closest, unknownOptionMessage } from './options.js';
export { VERSION } from './version.js';

// ONNX export and import (`mlpkit/onnx`): the inference graph with its preprocessing, and MLPs written by
// PyTorch or scikit-learn. An entry of its own, so the protobuf code stays out of bundles that do not use it.

export { exportOnnx, onnxZeroedColumns, ONNX_MIN_OPSET, ONNX_MAX_OPSET, type OnnxCategories, type OnnxExportOptions } from './io/onnx/export.js';
export { importOnnx, modelFromOnnx, type OnnxImportOptions, type OnnxImport } from './io/onnx/import.js';

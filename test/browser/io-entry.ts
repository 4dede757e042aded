// The browser-safe part of src/io, bundled on its own by the browser test: model files from the core entry,
// ONNX from its own entry (mlpkit/onnx).
export { modelToFile, modelFromFile } from '../../src/index.js';
export { exportOnnx, importOnnx } from '../../src/onnx.js';

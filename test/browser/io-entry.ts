// The browser-safe part of src/io, bundled on its own by the browser test (the core bundle exports it once
// src/index.ts does).
export { modelToFile, modelFromFile } from '../../src/io/model-file.js';
export { exportOnnx } from '../../src/io/onnx/export.js';
export { importOnnx } from '../../src/io/onnx/import.js';

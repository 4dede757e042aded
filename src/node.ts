// The Node-only part of the public API (`mlpkit/node`): files on disk and worker threads.
export { writeFileAtomic, saveModelFile, loadModelFile, loadModel } from './io/node/files.js';
export { parallelRunner, type ParallelRunnerOptions } from './node/restarts-worker.js';
export { parallelTuneRunner, type ParallelTuneOptions } from './node/tune-worker.js';
export { createThreadedBackend, type ThreadedBackendOptions } from './node/threads.js';
export { backendForThreads, backendInfo, nativeBlas, useNativeBackend, type BackendInfo } from './node/native.js';
export { createNativeBackend, type NativeBackendOptions, type NativeBlas } from './kernels/native.js';

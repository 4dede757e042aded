// The Node-only part of the public API (`mlpkit/node`): files on disk and worker threads (the Redis job queue: `mlpkit/queue`).
export { writeFileAtomic, saveModelFile, loadModelFile, loadModel, loadNetwork, saveModel } from './io/node/files.js';
export { readTableFile, writeTableFile, fileError, type WritableColumns, type WriteTableOptions } from './io/node/read-table.js';
export { readIdxFile, type IdxArray } from './io/node/idx.js';
export { parallelRunner, type ParallelRunnerOptions } from './node/restarts-worker.js';
export { parallelTuneRunner, type ParallelTuneOptions } from './node/tune-worker.js';
export { parallelCompareRunner, type ParallelCompareOptions } from './node/compare-worker.js';
export { createThreadedBackend, type ThreadedBackendOptions } from './node/threads.js';
export { backendForThreads, backendInfo, nativeBlas, useNativeBackend, type BackendInfo } from './node/native.js';
export { createNativeBackend, type NativeBackendOptions, type NativeBlas } from './kernels/native.js';

// The Node-only part of the public API (`mlpkit/node`): files on disk and worker threads.
export { writeFileAtomic, saveModelFile, loadModelFile, loadModel } from './io/node/files.js';
export { readTableFile, writeTableFile, fileError, type WritableColumns, type WriteTableOptions } from './io/node/read-table.js';
export { parallelRunner, type ParallelRunnerOptions } from './node/restarts-worker.js';
export { parallelTuneRunner, type ParallelTuneOptions } from './node/tune-worker.js';
export { createThreadedBackend, type ThreadedBackendOptions } from './node/threads.js';

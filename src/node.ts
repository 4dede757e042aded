// The Node-only part of the public API (`mlpkit/node`): files on disk, worker threads and the Redis job queue.
export { writeFileAtomic, saveModelFile, loadModelFile, loadModel } from './io/node/files.js';
export { parallelRunner, type ParallelRunnerOptions } from './node/restarts-worker.js';
export { parallelTuneRunner, type ParallelTuneOptions } from './node/tune-worker.js';
export { createThreadedBackend, type ThreadedBackendOptions } from './node/threads.js';
export { queueRunner, queueTuneRunner, type QueueRunnerOptions, type TrialProgress } from './node/queue/submit.js';
export { startQueueWorker, type QueueWorker, type QueueWorkerOptions, type WorkerEvent } from './node/queue/worker.js';
export type { QueueConnection } from './node/queue/connection.js';

// The Redis job queue (`mlpkit/queue`, Node only): runners for restarts and search whose trials `mlpkit worker`s
// on any machine run, and the worker itself. Its own entry, so that `mlpkit/node` does not load BullMQ.
export { queueRunner, queueTuneRunner, type QueueRunnerOptions, type TrialProgress } from './node/queue/submit.js';
export { startQueueWorker, type QueueWorker, type QueueWorkerOptions, type WorkerEvent } from './node/queue/worker.js';
export type { QueueConnection } from './node/queue/connection.js';

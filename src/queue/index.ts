// bdl-wasm/queue: the pool's queue backend (BullMQ on Redis) and the worker that serves it.
// Node only; the core package (bdl-wasm) never imports this entry, so it stays free of BullMQ.
export { createQueuePool } from './pool.js';
export { createQueueWorker, type QueueWorker } from './worker.js';
export type { QueuePoolOptions, QueueWorkerOptions } from './options.js';
export { describeConnection, redactUrl, type QueueConnection } from './connection.js';
export { queueKinds } from './validate.js';

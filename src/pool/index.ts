export { createPool } from './pool.js';
export { fanOut, type FanOutOptions } from './fan-out.js';
export { registerTask, taskKinds } from './registry.js';
export type {
  Pool,
  PoolOptions,
  ProgressEvent,
  RestartEvent,
  RunOptions,
  SharedArray,
  TaskContext,
  TaskData,
  TaskDescription,
  TaskOutcome,
  TaskRunner,
} from './types.js';

export { createPool } from './pool.js';
export { fanOut, type FanOutOptions } from './fan-out.js';
export { registerTask, registerTasks, taskKinds } from './registry.js';
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
  TaskTable,
} from './types.js';

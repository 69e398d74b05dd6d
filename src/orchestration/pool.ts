/** The package's `createPool`: the pool runtime with every built-in task kind passed in. */
import { createPool as createRuntimePool } from '../pool/pool.js';
import type { Pool, PoolOptions } from '../pool/types.js';
import { TASKS } from './tasks.js';

/**
 * Creates a pool of `size` workers (default: the number of cores; 0 runs tasks in-thread) that runs
 * the built-in task kinds (`TASKS`) and any passed in `options.tasks`.
 */
export function createPool(options: PoolOptions = {}): Promise<Pool> {
  return createRuntimePool({ ...options, tasks: { ...TASKS, ...options.tasks } });
}

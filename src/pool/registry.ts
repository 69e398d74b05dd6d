/**
 * Task kinds known to this thread. The pool runs registered functions and knows nothing of what
 * they compute: a method registers the runner it submits (`registerTask('chain', runChainTask)`)
 * right before submitting, a pool takes a table of kinds at creation (`createPool({ tasks })`), and
 * a worker bundle registers its list once at start (src/orchestration/tasks.ts for dist/worker.js).
 */
import { argError, describe } from '../errors.js';
import type { TaskRunner, TaskTable } from './types.js';

const runners = new Map<string, TaskRunner<any, any, any, any>>();

/** Registers the runner of a task kind. Registering a kind twice with different runners is an error. */
export function registerTask<Spec, Options, State, Result>(
  kind: string,
  runner: TaskRunner<Spec, Options, State, Result>,
): void {
  if (typeof runner !== 'function') {
    throw argError('E_ARG', `runner of ${JSON.stringify(kind)}`, 'a function (ctx) => Promise<result>', describe(runner), 'Pass the task runner itself.');
  }
  const had = runners.get(kind);
  if (had !== undefined && had !== runner) {
    throw argError('E_ARG', 'kind', 'a task kind not registered yet', JSON.stringify(kind), 'Pick another name for the new kind.');
  }
  runners.set(kind, runner);
}

/** Registers every kind of a table (see `registerTask`). */
export function registerTasks(table: TaskTable): void {
  if (table === null || typeof table !== 'object') {
    throw argError('E_ARG', 'tasks', 'a record of task runners by kind', describe(table), 'Pass { kind: runner, ... }.');
  }
  for (const [kind, runner] of Object.entries(table)) registerTask(kind, runner);
}

/** The runner of a kind, or an E_ARG error listing the known kinds. */
export function taskRunner(kind: string): TaskRunner<any, any, any, any> {
  const r = runners.get(kind);
  if (r === undefined) {
    throw argError(
      'E_ARG',
      'task.kind',
      `one of ${[...runners.keys()].map((k) => JSON.stringify(k)).join(', ')}`,
      JSON.stringify(kind),
      'Register the kind with registerTask(), or pass it in createPool({ tasks }).',
    );
  }
  return r;
}

/** The kinds registered in this thread. */
export function taskKinds(): string[] {
  return [...runners.keys()];
}

/**
 * Task kinds known to this thread. The pool runs registered functions and knows nothing of what
 * they compute: a method registers the runner it submits (`registerTask('chain', runChainTask)`)
 * right before submitting, a pool takes a table of kinds at creation (`createPool({ tasks })`), and
 * a worker bundle registers its list once at start (src/orchestration/tasks.ts for dist/worker.js).
 */
import { argError } from '../errors.js';
import { checkArgument, custom, required } from '../options/schema.js';
import type { TaskRunner, TaskTable } from './types.js';

const RUNNER = required(custom<TaskRunner>({ expected: 'a function (ctx) => Promise<result>', valid: (v) => typeof v === 'function', hint: 'Pass the task runner itself.', help: 'the runner of a task kind' }));
const TABLE = required(custom<TaskTable>({ expected: 'a record of task runners by kind', valid: (v) => v !== null && typeof v === 'object' && !Array.isArray(v), hint: 'Pass { kind: runner, ... }.', help: 'task runners by kind' }));

const runners = new Map<string, TaskRunner<any, any, any, any>>();

/** Registers the runner of a task kind. Registering a kind twice with different runners is an error. */
export function registerTask<Spec, Options, State, Result>(
  kind: string,
  runner: TaskRunner<Spec, Options, State, Result>,
): void {
  checkArgument(RUNNER, runner, 'registerTask', `runner of ${JSON.stringify(kind)}`);
  // Not an option: the kinds registered so far in this thread.
  const had = runners.get(kind);
  if (had !== undefined && had !== runner) {
    throw argError('E_ARG', 'kind', 'a task kind not registered yet', JSON.stringify(kind), 'Pick another name for the new kind.');
  }
  runners.set(kind, runner);
}

/** Registers every kind of a table (see `registerTask`). */
export function registerTasks(table: TaskTable): void {
  checkArgument(TABLE, table, 'registerTasks', 'tasks');
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

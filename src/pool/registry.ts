/**
 * Task kinds. A method module registers its kind here once (`registerTask('chain', runChain)`);
 * the worker bundle and the in-thread path both look kinds up here, so adding a kind never touches
 * the pool. Kinds that must run in workers are imported by `src/tasks/builtins.ts`.
 */
import { argError } from '../errors.js';
import type { TaskRunner } from './types.js';

const runners = new Map<string, TaskRunner<any, any, any, any>>();

/** Registers the runner of a task kind. Registering a kind twice with different runners is an error. */
export function registerTask<Spec, Options, State, Result>(
  kind: string,
  runner: TaskRunner<Spec, Options, State, Result>,
): void {
  const had = runners.get(kind);
  if (had !== undefined && had !== runner) {
    throw argError('E_ARG', 'kind', 'a task kind not registered yet', JSON.stringify(kind), 'Pick another name for the new kind.');
  }
  runners.set(kind, runner);
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
      'Register the kind with registerTask() in a module imported by src/tasks/builtins.ts.',
    );
  }
  return r;
}

/** The kinds registered in this thread. */
export function taskKinds(): string[] {
  return [...runners.keys()];
}

/**
 * Failures on purpose, for the pool's fault tests: a task kind 'fault' that only tests register. It
 * runs another kind's runner (`options.kind`, from the table it was made with) on `options.options`,
 * and on the first attempt, once that runner reports progress or a checkpoint at a step >= the
 * given one, either throws a BdlError (`throwAt`) or ends its worker (`crashAt`): by an uncaught
 * error (default) or by process.exit (`crash: 'exit'`, Node). Production runners carry no such option.
 */
import type { Pool, TaskContext, TaskDescription, TaskRunner, TaskTable } from '../../src/pool/types.js';
import { argError } from '../../src/errors.js';

export interface FaultOptions {
  kind: string;
  options?: unknown;
  throwAt?: number;
  crashAt?: number;
  crash?: 'exit' | 'uncaught';
  /** Post the checkpoint that reaches `crashAt`, then crash at once: nothing runs between the two. */
  crashAfterCheckpoint?: boolean;
}

/** Wraps a task as a 'fault' task: same seed and stream (so the same result when nothing fails). */
export function faulty(task: TaskDescription, fault: Omit<FaultOptions, 'kind' | 'options'>): TaskDescription {
  return { ...task, kind: 'fault', options: { kind: task.kind, options: task.options, ...fault } };
}

/** The step a checkpoint state stands at: selftest's `step`, a chain's `checkpoint.iteration`. */
function stepOf(state: unknown): number {
  const s = state as { step?: number; checkpoint?: { iteration?: number } };
  return s.step ?? s.checkpoint?.iteration ?? -Infinity;
}

/** The 'fault' runner over the kinds of `table`. */
export function faultRunner(table: TaskTable): TaskRunner<unknown, FaultOptions> {
  return async (ctx: TaskContext<unknown, FaultOptions>) => {
    const o = ctx.task.options!;
    const inner = table[o.kind];
    if (o.crashAt !== undefined && !ctx.inWorker) {
      throw argError('E_ARG', 'options.crashAt', 'a task running in a worker', 'an in-thread pool', 'Use a pool with size >= 1.');
    }
    let dying = false;
    const never = new Promise<never>(() => {});
    const reached = (step: number): void => {
      if (dying || ctx.attempt > 0) return;
      if (o.throwAt !== undefined && step >= o.throwAt) {
        throw argError('E_ARG', `${o.kind}.options.throwAt`, 'no failure', `step ${o.throwAt}`, 'This failure was requested.');
      }
      if (o.crashAt !== undefined && step >= o.crashAt) {
        dying = true;
        const proc = (globalThis as { process?: { exit?: (code: number) => never } }).process;
        if (o.crash === 'exit' && typeof proc?.exit === 'function') proc.exit(70);
        setTimeout(() => {
          throw new Error(`fault: deliberate uncaught error (crashAt ${o.crashAt})`);
        });
      }
    };
    const wrapped: TaskContext = {
      ...ctx,
      task: { ...ctx.task, kind: o.kind, options: o.options },
      progress(step, total, payload) {
        if (o.crashAfterCheckpoint !== true) reached(step);
        if (!dying) ctx.progress(step, total, payload);
      },
      check: () => (dying ? never : ctx.check()),
      checkpoint(state, append) {
        if (o.crashAfterCheckpoint === true && !dying && ctx.attempt === 0 && stepOf(state) >= (o.crashAt ?? Infinity)) {
          void ctx.checkpoint(state, append); // posted now; its check() is never awaited
          reached(stepOf(state));
          return never;
        }
        reached(stepOf(state));
        return dying ? never : ctx.checkpoint(state, append);
      },
    };
    return inner(wrapped);
  };
}

/** A view of `pool` whose runs wrap the tasks `pick` returns a fault for (e.g. one chain of sampleChains). */
export function withFaults(pool: Pool, pick: (task: TaskDescription) => Omit<FaultOptions, 'kind' | 'options'> | undefined): Pool {
  const wrap = (tasks: readonly TaskDescription[]) => tasks.map((t) => {
    const f = pick(t);
    return f ? faulty(t, f) : t;
  });
  return {
    get size() { return pool.size; },
    get shared() { return pool.shared; },
    run: (tasks, options) => pool.run(wrap(tasks), options),
    runSettled: (tasks, options) => pool.runSettled(wrap(tasks), options),
    close: () => pool.close(),
  };
}

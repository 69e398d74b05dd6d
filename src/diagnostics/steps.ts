/**
 * Long diagnostics written once as generators that `yield` at safe points (every few thousand
 * elements of a sort, between autocovariances): `runSteps` drains one at once for the synchronous
 * API, `runStepsYielding` gives the thread back whenever a time budget is spent, so summarizing
 * 400k draws never blocks an event loop (a CLI's SIGINT, a page) for long. Same arithmetic either
 * way, so the same bits.
 */
import { BdlError } from '../errors.js';
import type { Work } from '../linalg/work.js';
import { macrotask, turnStarted } from '../signal.js';

/** A computation that yields at points where it may be paused (with the share of its work done, or nothing). */
export type Steps<T> = Work<T>;

/** Runs `g` to the end without pausing. */
export function runSteps<T>(g: Steps<T>): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

export interface YieldingOptions {
  /** Longest stretch of work between two turns of the event loop, in ms (default 10). */
  budgetMs?: number;
  signal?: AbortSignal;
  /** The message of the E_ABORTED error. */
  abortMessage?: string;
  /** Called at each turn given back (for tests and instrumentation). */
  onYield?: () => void;
}

/** Runs `g`, yielding to the event loop once `budgetMs` of work has passed; E_ABORTED once `signal` is aborted. */
export async function runStepsYielding<T>(g: Steps<T>, opts: YieldingOptions = {}): Promise<T> {
  const budget = opts.budgetMs ?? 10;
  let since = performance.now();
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
    if (performance.now() - Math.min(since, turnStarted()) >= budget) {
      opts.onYield?.();
      await macrotask();
      if (opts.signal?.aborted) throw new BdlError('E_ABORTED', opts.abortMessage ?? 'Cancelled during the diagnostics.');
      since = performance.now();
    }
  }
}

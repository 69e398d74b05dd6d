/**
 * How a prediction gives the thread back. A predictive is written once as steps (diagnostics/steps.ts:
 * a generator that yields between chunks of rows or samples, holding no arena memory there of its
 * own); the synchronous helpers drain it with `runSteps`, a posterior's `predict` with
 * `runYielding`, which returns to the event loop whenever PREDICT_YIELD_MS of work have passed and
 * stops with E_ABORTED at the first step after its signal is aborted. The arithmetic is the same
 * either way, so the same seed gives the same bits.
 */
import { runSteps, type Steps } from '../diagnostics/steps.js';
import { BdlError } from '../errors.js';
import { macrotask, turnStarted } from '../signal.js';

export { runSteps, type Steps };

/** Longest stretch of prediction work between two turns of the event loop (a timer, a message, a Ctrl-C handler). */
export const PREDICT_YIELD_MS = 50;

/** Throws E_ABORTED when `signal` is aborted (`what` names the call: 'predict'). */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new BdlError('E_ABORTED', `${what}: cancelled (its signal was aborted).`);
}

/**
 * Runs `g` to its end, checking `signal` before every step (a polling signal is read there too) and
 * yielding to the event loop once PREDICT_YIELD_MS of work have passed since the last turn; an early
 * stop closes the generator, so its `finally` blocks run. `onShare` hears, at each turn given back,
 * the largest share of its work `g` has reported done (0..1; a retry that starts over does not move it back).
 */
export async function runYielding<T>(g: Steps<T>, signal: AbortSignal | undefined, what: string, onShare?: (share: number) => void): Promise<T> {
  let since = performance.now();
  let share = 0;
  try {
    for (;;) {
      throwIfAborted(signal, what);
      const r = g.next();
      if (r.done) return r.value;
      if (typeof r.value === 'number' && r.value > share) share = Math.min(1, r.value);
      if (performance.now() - Math.min(since, turnStarted()) >= PREDICT_YIELD_MS) {
        onShare?.(share);
        await macrotask();
        since = performance.now();
      }
    }
  } finally {
    g.return(undefined as never);
  }
}

/** Work units (multiply-adds, or elements of a JS loop) per step: a few milliseconds between checks of the clock. */
export const STEP_WORK = 1 << 22;

/** Rows per step when a row costs `perRow` units, rounded to a multiple of `multiple` (≥ 1 multiple). */
export function rowsPerStep(perRow: number, multiple = 1): number {
  const k = Math.max(1, Math.floor(STEP_WORK / Math.max(1, perRow * multiple)));
  return k * multiple;
}

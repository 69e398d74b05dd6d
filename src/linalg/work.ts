/**
 * Long factorizations written as steps: generators that yield where the work may pause (a caller
 * gives the thread back there, or hears an abort), some with the share of their own work done so far
 * (0..1) so that a caller can show progress. Draining the steps at once or with pauses is the same
 * arithmetic, so the same bits.
 */

/** Steps that may yield the share of their work done (a number in [0, 1]) or nothing. */
export type Work<T> = Generator<number | void, T, void>;

/**
 * `g` as the part [from, to] of a larger computation: its shares are mapped into that range (its
 * bare yields pass as they are). Closing the result closes `g`, so its `finally` blocks run.
 */
export function* share<T>(g: Work<T>, from: number, to: number): Work<T> {
  try {
    for (;;) {
      const r = g.next();
      if (r.done) return r.value;
      yield typeof r.value === 'number' ? from + (to - from) * r.value : undefined;
    }
  } finally {
    g.return(undefined as never);
  }
}

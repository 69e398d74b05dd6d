/**
 * Long diagnostics written once as generators that `yield` at safe points (every few thousand
 * elements of a sort, between autocovariances): `runSteps` drains one at once for the synchronous
 * API, `runStepsYielding` gives the thread back whenever a time budget is spent, so summarizing
 * 400k draws never blocks an event loop (a CLI's SIGINT, a page) for long. Same arithmetic either
 * way, so the same bits.
 */
import { BdlError } from '../errors.js';
import { macrotask } from '../signal.js';

/** A computation that yields (nothing) at points where it may be paused. */
export type Steps<T> = Generator<void, T, void>;

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
    if (performance.now() - since >= budget) {
      opts.onYield?.();
      await macrotask();
      if (opts.signal?.aborted) throw new BdlError('E_ABORTED', opts.abortMessage ?? 'Cancelled during the diagnostics.');
      since = performance.now();
    }
  }
}

// Elements of work between two yield points: about a millisecond of sorting or merging.
const CHUNK = 1 << 14;

type Sortable = Float64Array | Uint32Array;

/**
 * Sorts `a` in place: chunks of CHUNK by `sortChunk` (the engine's sort), then merged bottom-up
 * with `less` (which must agree with `sortChunk`'s order), yielding every CHUNK elements.
 */
function* mergeSortSteps<A extends Sortable>(a: A, sortChunk: (chunk: A) => void, less: (x: number, y: number) => boolean): Steps<A> {
  const n = a.length;
  for (let s = 0; s < n; s += CHUNK) {
    sortChunk(a.subarray(s, Math.min(s + CHUNK, n)) as A);
    yield;
  }
  let src: Sortable = a;
  let dst: Sortable = a instanceof Float64Array ? new Float64Array(n) : new Uint32Array(n);
  for (let width = CHUNK; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      // The left run's element first unless the right one is strictly less (a stable merge).
      while (k < hi) {
        const stop = Math.min(k + CHUNK, hi);
        while (k < stop) dst[k++] = i < mid && (j >= hi || !less(src[j], src[i])) ? src[i++] : src[j++];
        yield;
      }
    }
    [src, dst] = [dst, src];
  }
  if (src !== a) a.set(src);
  return a;
}

/** Ranks 1..S of the values, ties given their average rank (see chains.averageRanks). */
export function* averageRanksSteps(values: Float64Array): Steps<Float64Array> {
  const S = values.length;
  const order = new Uint32Array(S);
  for (let i = 0; i < S; i++) order[i] = i;
  // Ties may end up in any order: each gets the average rank of its run either way.
  yield* mergeSortSteps(order, (c) => c.sort((x, y) => values[x] - values[y]), (x, y) => values[x] < values[y]);
  const ranks = new Float64Array(S);
  let i = 0;
  while (i < S) {
    let j = i + 1;
    while (j < S && values[order[j]] === values[order[i]]) j++;
    const r = (i + 1 + j) / 2; // mean of ranks i+1 … j
    for (let k = i; k < j; k++) ranks[order[k]] = r;
    i = j;
  }
  yield;
  return ranks;
}

/**
 * A sorted copy of `x` with the engine's order (numeric, −0 before +0, NaN last): chunks sorted by
 * the engine, then merged, yielding every CHUNK elements.
 */
export function* sortedSteps(x: Float64Array): Steps<Float64Array> {
  return yield* mergeSortSteps(x.slice(), (c) => c.sort(), before);
}

/** True when a sorts strictly before b in TypedArray.prototype.sort's order. */
function before(a: number, b: number): boolean {
  if (a < b) return true;
  if (a === b) return a === 0 && 1 / a < 0 && 1 / b > 0;
  return b !== b && a === a; // NaN sorts last
}

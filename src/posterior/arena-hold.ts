/**
 * One holder at a time of an engine's arena across awaits. The Arena is a stack (`mark` / `reset`):
 * synchronous users nest correctly inside anything, but work that keeps arena memory while it awaits
 * (a SWAG or mean-field source's moments during a yielding prediction) must be the only such work on
 * that arena: a second one would allocate on top of the first, and whichever ends first would reset
 * the stack under the other's memory. So such work runs through `holdArena`, which queues it per
 * Arena (not per posterior: posteriors may share one engine, as LoRA's do with the adapted network's,
 * and a method's posteriors with its training engine).
 */
import { BdlError } from '../errors.js';
import type { Arena } from '../wasm/arena.js';

/** Per arena: settles when the last queued holder has let go. */
const tails = new WeakMap<Arena, Promise<void>>();

/**
 * Runs `work` once every earlier holder of `arena` has finished, and lets the next one in when it
 * settles. A holder still waiting when its signal is aborted rejects at once with E_ABORTED (its
 * place passes on to the next in line).
 */
export async function holdArena<T>(arena: Arena, signal: AbortSignal | undefined, what: string, work: () => Promise<T>): Promise<T> {
  const before = tails.get(arena) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const tail = before.then(() => mine);
  tails.set(arena, tail);
  try {
    await untilOrAborted(before, signal, what);
    return await work();
  } finally {
    release();
    if (tails.get(arena) === tail) tails.delete(arena);
  }
}

/** Resolves with `p`, or rejects with E_ABORTED as soon as `signal` aborts (already aborted: at once). */
function untilOrAborted(p: Promise<void>, signal: AbortSignal | undefined, what: string): Promise<void> {
  const aborted = () => new BdlError('E_ABORTED', `${what}: cancelled (its signal was aborted) while waiting for another prediction on the same engine.`);
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

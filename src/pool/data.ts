/**
 * Moving arrays between threads with the fewest copies: run data is placed in SharedArrayBuffers
 * once (every worker then reads the same memory), and results go back as transferred buffers that
 * are never the wasm memory itself.
 */
import type { SharedArray, TaskData } from './types.js';

type ArrayCtor = new (buffer: ArrayBufferLike) => SharedArray;

/** True where SharedArrayBuffer can be posted to workers: Node, and cross-origin-isolated pages. */
export function sharedMemoryAvailable(isNode: boolean): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  return isNode || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/** Copies each array once into shared memory (arrays already shared are kept as they are). */
export function toShared(data: TaskData): TaskData {
  const out: Record<string, SharedArray> = {};
  for (const [name, a] of Object.entries(data)) {
    if (a.buffer instanceof SharedArrayBuffer) {
      out[name] = a;
      continue;
    }
    const copy = new (a.constructor as ArrayCtor)(new SharedArrayBuffer(a.byteLength));
    copy.set(a as never);
    out[name] = copy;
  }
  return out;
}

/**
 * Prepares a task result for the trip back: typed arrays viewing a buffer in `copyFrom` (the task's
 * wasm memory, the run's data) are replaced by copies, and every plain ArrayBuffer reached is listed
 * for transfer. Walks plain objects and arrays; other values are left to structured clone.
 */
export function detachResult(value: unknown, copyFrom: ReadonlySet<ArrayBufferLike>): { value: unknown; transfers: ArrayBuffer[] } {
  const transfers = new Set<ArrayBuffer>();
  const walk = (v: unknown, depth: number): unknown => {
    if (ArrayBuffer.isView(v)) {
      let view = v as SharedArray;
      if (copyFrom.has(view.buffer)) view = view.slice();
      if (view.buffer instanceof ArrayBuffer) transfers.add(view.buffer);
      return view;
    }
    if (depth > 8 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (Object.getPrototypeOf(v) !== Object.prototype) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, depth + 1);
    return out;
  };
  const out = walk(value, 0);
  return { value: out, transfers: [...transfers] };
}

// Pool tests run the built package (dist/): Node cannot start .ts workers, and the browser project
// then loads exactly what consumers get (dist/index.js spawning dist/worker.js).
import type * as Lib from '../../src/index.js';
import type * as Advanced from '../../src/subpaths/advanced.js';
import type { SelftestResult } from '../../src/pool/selftest.js';
import { faultRunner } from './faults.js';

const url = new URL('../../dist/index.js', import.meta.url).href;
export const lib = (await import(/* @vite-ignore */ url)) as typeof Lib;
/** bdl-wasm/advanced of the same build (its chunks, so the same module instances as `lib`). */
export const advanced = (await import(/* @vite-ignore */ new URL('../../dist/advanced.js', import.meta.url).href)) as typeof Advanced;

/** The test-only worker entry (built by test/setup/fault-worker.ts): the package's kinds plus 'fault'. */
export const FAULT_WORKER = new URL('../../test-output/fault-worker.js', import.meta.url);

/** One runner for the kind, so registering it again for the next pool is no conflict. */
export const FAULT_TASKS = { fault: faultRunner(advanced.TASKS) };

/** A pool that also runs the test-only 'fault' kind (./faults.ts), in-thread and in its workers. */
export function faultPool(size: number, options: Lib.PoolOptions = {}): Promise<Lib.Pool> {
  return lib.createPool({ size, ...options, workerUrl: FAULT_WORKER, tasks: FAULT_TASKS });
}

/** n selftest tasks with distinct streams. */
export function selftests(n: number, options: Record<string, unknown> = {}, seed = 11): Lib.TaskDescription[] {
  return Array.from({ length: n }, (_, i) => ({ kind: 'selftest', seed, stream: i, options: { steps: 60, ...options } }));
}

/** Bytes of every result (bit-level comparison, NaN-safe). */
export function bits(results: readonly SelftestResult[]): number[][] {
  return results.map((r) => [...new Uint32Array(r.x.buffer, r.x.byteOffset, r.x.length), ...new Uint32Array(new Float64Array([r.acc]).buffer)]);
}

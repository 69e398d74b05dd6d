/**
 * The compute core without its binaries: its types, instantiation, and where this thread's default
 * core comes from. A pool worker imports only this module and is sent its core by the pool; the
 * embedded binaries (src/wasm/load.ts) stay in the bundles that compile, never in the worker's.
 */
import { instantiate as asInstantiate } from '@assemblyscript/loader';
import type { instantiate as rawInstantiate } from '../../build/bdl.simd.js';
import { argError, BdlError, describe } from '../errors.js';

/** Every export of the core, typed from the build's own declarations (the ABI is one list). */
export type Kernels = Awaited<ReturnType<typeof rawInstantiate>>;

/** Which binary: plain f32x4 SIMD, or SIMD plus relaxed fused multiply-add. */
export type WasmFlavor = 'simd' | 'relaxed';

export interface CompiledCore {
  readonly flavor: WasmFlavor;
  readonly module: WebAssembly.Module;
}

/** Exports every build of the core has: a module without them is not bdl-wasm's core. */
const CORE_EXPORTS = ['dot_f32', 'gemm_f32_nn', 'heap_base'];
const CORE_SHAPE = "{ flavor: 'simd' | 'relaxed', module: WebAssembly.Module }";

/**
 * What is wrong with `v` as a compiled core, or undefined when it is one: an object with a flavor
 * and a WebAssembly.Module that exports the core's kernels. One check for every place a caller hands
 * in a core (Arena.create, createPool, createQueuePool, useCompiledCore): a wrong one failed later
 * with a TypeError from WebAssembly or a missing kernel.
 */
export function coreProblem(v: unknown): { argument: string; expected: string; found: string } | undefined {
  if (v === null || typeof v !== 'object') return { argument: '', expected: CORE_SHAPE, found: describe(v) };
  const { flavor, module } = v as Partial<CompiledCore>;
  if (flavor !== 'simd' && flavor !== 'relaxed') return { argument: '.flavor', expected: "'simd' or 'relaxed'", found: describe(flavor) };
  if (typeof WebAssembly !== 'object' || !(module instanceof WebAssembly.Module)) return { argument: '.module', expected: 'a WebAssembly.Module', found: describe(module) };
  const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = CORE_EXPORTS.filter((n) => !names.has(n));
  if (missing.length) return { argument: '.module', expected: "bdl-wasm's compute core", found: `a module without its exports ${missing.join(', ')}` };
  return undefined;
}

/**
 * Refuses `v` (named `argument`; `where`, the function it was passed to, prefixes the message)
 * unless it is a compiled core: E_ARG naming the part at fault.
 */
export function checkCore(v: unknown, argument: string, where?: string): asserts v is CompiledCore {
  const p = coreProblem(v);
  if (p === undefined) return;
  const e = argError('E_ARG', argument + p.argument, p.expected, p.found, "Pass what compileCore() returns, or { flavor, module } with the module compiled from that flavor's binary of this version of bdl-wasm (a .wasm import of 'bdl-wasm/core/simd.wasm' or 'bdl-wasm/core/relaxed.wasm').");
  throw where === undefined ? e : new BdlError('E_ARG', `${where}: ${e.message}`, e.argument);
}

let source: (() => Promise<CompiledCore>) | undefined;

/**
 * Sets where `defaultCore()` gets its core on this thread. `replace: false` keeps one already set: a
 * pool worker's core, set at init, outlives a later import of the embedded binaries.
 */
export function setDefaultCore(get: () => Promise<CompiledCore>, replace = true): void {
  if (replace || source === undefined) source = get;
}

/** The core `Arena.create()` and `createPool()` use when given none. */
export function defaultCore(): Promise<CompiledCore> {
  if (source === undefined) {
    return Promise.reject(
      new BdlError(
        'E_WASM',
        "no compute core on this thread: expected the embedded binaries (imported with 'bdl-wasm' or one of its subpaths) or the core a pool sends its workers, found neither. Pass one, e.g. Arena.create(await compileCore()).",
        'core',
      ),
    );
  }
  return source();
}

/**
 * Instantiates a compiled core: a fresh memory and a fresh set of kernels. The kernels are the
 * instance's own exports, not the loader's wrappers: those pass every call through a rest-and-spread
 * closure that sets an argument count (for optional parameters, which no kernel has), costing an
 * allocation and ≈ 6–10 ns on each of the dozen calls a training step makes.
 */
export async function instantiateCore(core: CompiledCore): Promise<Kernels> {
  const { instance } = await asInstantiate<Kernels>(core.module, {
    env: {
      abort(_msg: number, _file: number, line: number, column: number) {
        throw new BdlError('E_WASM', `compute core assertion failed at ${line}:${column}`);
      },
    },
  });
  // A kernel with an optional parameter makes the compiler export this setter, and its raw export
  // would then read a stale count: the ABI keeps every parameter explicit.
  if ('__setArgumentsLength' in instance.exports) throw new BdlError('E_WASM', 'the compute core exports a function with optional parameters; make them explicit in assembly/.');
  return instance.exports as unknown as Kernels;
}

/**
 * Loading the compute core: pick the binary this runtime accepts, compile it once, instantiate it
 * as often as needed (one instance per worker or per arena). The only module that touches
 * @assemblyscript/loader.
 */
import { instantiate as asInstantiate } from '@assemblyscript/loader';
import simdBytes from '../../build/bdl.simd.wasm';
import relaxedBytes from '../../build/bdl.relaxed.wasm';
import type { instantiate as rawInstantiate } from '../../build/bdl.simd.js';
import { BdlError } from '../errors.js';

/** Every export of the core, typed from the build's own declarations (the ABI is one list). */
export type Kernels = Awaited<ReturnType<typeof rawInstantiate>>;

/** Which binary: plain f32x4 SIMD, or SIMD plus relaxed fused multiply-add. */
export type WasmFlavor = 'simd' | 'relaxed';

export interface CompiledCore {
  readonly flavor: WasmFlavor;
  readonly module: WebAssembly.Module;
}

/** True where this runtime validates the relaxed-SIMD binary (Chromium; Node only with a flag). */
export function relaxedSimdSupported(): boolean {
  try {
    return WebAssembly.validate(relaxedBytes);
  } catch {
    return false;
  }
}

let cached: Promise<CompiledCore> | undefined;

/**
 * Compiles the best binary this runtime accepts, once per thread (the result is cached).
 * `prefer: 'simd'` forces the plain binary (benchmarks compare both).
 */
export function compileCore(prefer?: WasmFlavor): Promise<CompiledCore> {
  if (prefer !== undefined) return compileFlavor(prefer);
  cached ??= compileFlavor(relaxedSimdSupported() ? 'relaxed' : 'simd');
  return cached;
}

async function compileFlavor(flavor: WasmFlavor): Promise<CompiledCore> {
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(simdBytes)) {
    throw new BdlError(
      'E_WASM',
      'WebAssembly SIMD is not available in this runtime: bdl-wasm needs Node >= 20 or a browser with SIMD (Chrome 91+, Firefox 89+, Safari 16.4+).',
    );
  }
  if (flavor === 'relaxed' && !relaxedSimdSupported()) {
    throw new BdlError(
      'E_WASM',
      "relaxed SIMD: expected a runtime that validates it, found none. Use prefer 'simd', or run Node with --experimental-wasm-relaxed-simd.",
    );
  }
  const module = await WebAssembly.compile(flavor === 'relaxed' ? relaxedBytes : simdBytes);
  return { flavor, module };
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

/**
 * The embedded binaries: pick the one this runtime accepts and compile it once per thread (src/wasm/core.ts
 * instantiates it, as often as needed). Importing this module makes them this thread's default core;
 * every entry but the pool's worker imports it (scripts/build.mjs checks both).
 */
import simdBytes from '../../build/bdl.simd.wasm';
import relaxedBytes from '../../build/bdl.relaxed.wasm';
import { BdlError } from '../errors.js';
import { setDefaultCore, type CompiledCore, type WasmFlavor } from './core.js';

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

/**
 * Makes `flavor` the core that compileCore() without `prefer` (and so this thread's default core) returns from now on:
 * every arena and every local pool made after it computes with that core (the command line's
 * `--core`, for a whole run). E_WASM when this runtime cannot compile it; the default is then left as it was.
 */
export async function pinCore(flavor: WasmFlavor): Promise<CompiledCore> {
  const core = await compileFlavor(flavor);
  cached = Promise.resolve(core);
  return core;
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

setDefaultCore(() => compileCore(), false);

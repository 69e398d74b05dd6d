/**
 * The embedded binaries: pick the one this runtime accepts and compile it once per thread (src/wasm/core.ts
 * instantiates it, as often as needed). Importing this module makes them this thread's default core;
 * every entry but the pool's worker imports it (scripts/build.mjs checks both).
 */
import simdBytes from '../../build/bdl.simd.wasm';
import relaxedBytes from '../../build/bdl.relaxed.wasm';
import { BdlError } from '../errors.js';
import { checkCore, setDefaultCore, type CompiledCore, type WasmFlavor } from './core.js';

/** True where this runtime validates the relaxed-SIMD binary (Chromium; Node only with a flag). */
export function relaxedSimdSupported(): boolean {
  try {
    return WebAssembly.validate(relaxedBytes);
  } catch {
    return false;
  }
}

let cached: Promise<CompiledCore> | undefined;

/** Cores given already compiled (useCompiledCore), by flavor: compileCore returns them instead of compiling. */
const given = new Map<WasmFlavor, CompiledCore>();

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
  return useCompiledCore(await compileFlavor(flavor));
}

/**
 * Makes a core compiled elsewhere this thread's default core, the one every arena, method and local
 * pool given none computes with, and what compileCore returns for its flavor. For runtimes that refuse
 * to compile WebAssembly from bytes at run time (Cloudflare Workers, Vercel Edge) but hand a `.wasm`
 * import over as a compiled module: `import module from 'bdl-wasm/core/simd.wasm'`, then
 * `useCompiledCore({ flavor: 'simd', module })`. E_ARG, before anything changes, when `core` is not a
 * known flavor with a WebAssembly.Module holding bdl-wasm's core.
 */
export function useCompiledCore(core: CompiledCore): CompiledCore {
  checkCore(core, 'core', 'useCompiledCore');
  const { flavor, module } = core;
  const c: CompiledCore = Object.freeze({ flavor, module });
  given.set(flavor, c);
  cached = Promise.resolve(c);
  return c;
}

async function compileFlavor(flavor: WasmFlavor): Promise<CompiledCore> {
  const ready = given.get(flavor);
  if (ready !== undefined) return ready;
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
  try {
    return { flavor, module: await WebAssembly.compile(flavor === 'relaxed' ? relaxedBytes : simdBytes) };
  } catch (e) {
    const err = new BdlError(
      'E_WASM',
      `compiling the embedded ${flavor} core failed (${(e as Error)?.message ?? e}). A runtime that forbids compiling WebAssembly at run time (Cloudflare Workers, Vercel Edge) takes the core as a .wasm module: import module from 'bdl-wasm/core/${flavor}.wasm', then useCompiledCore({ flavor: '${flavor}', module }) before any training.`,
      'core',
    );
    err.cause = e;
    throw err;
  }
}

setDefaultCore(() => compileCore(), false);

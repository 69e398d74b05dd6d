/**
 * `--core simd|relaxed`: the compute core a command computes with, in this process and on the
 * workers of `--redis` alike (a queue job names its caller's core). The two binaries give different
 * bits, and runtimes differ in which they take by default (Node 22 relaxed, Node 20 plain SIMD), so
 * a caller whose workers run another runtime pins the one they share.
 */
import { BdlError } from '../errors.js';
import { enumOf } from '../options/schema.js';
import type { WasmFlavor } from '../wasm/core.js';
import { compileCore, pinCore, relaxedSimdSupported } from '../wasm/load.js';

/** The `--core` flag of every command that computes. */
export const CORE_FIELD = enumOf(['simd', 'relaxed'], {
  defaultText: 'the best this runtime accepts: relaxed where it validates relaxed SIMD',
  help: "compute core: plain SIMD (every runtime) or relaxed SIMD (fused multiply-adds: other last bits). With --redis the workers compute with it too; 'simd' when some of them run on Node 20",
});

/**
 * Pins `--core` (as parsed; absent: the runtime's best, left as it is) as the core of this whole run,
 * and returns the core the run computes with (the JSON says which: other cores, other last bits).
 * E_ARG naming the flag when this runtime cannot compute with it: checked with the other flags, before any work.
 */
export async function useCore(flag: unknown): Promise<WasmFlavor> {
  if (flag === undefined) return (await compileCore()).flavor;
  const flavor = flag as WasmFlavor;
  if (flavor === 'relaxed' && !relaxedSimdSupported()) {
    throw new BdlError(
      'E_ARG',
      `--core: expected a runtime that validates relaxed SIMD (Node 22 or later, or node --experimental-wasm-relaxed-simd), found Node ${process.version}, which does not. Use --core simd, or run bdl as node --experimental-wasm-relaxed-simd "$(command -v bdl)" … (Node refuses that flag in NODE_OPTIONS).`,
      'core',
    );
  }
  return (await pinCore(flavor)).flavor;
}

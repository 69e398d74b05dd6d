/**
 * Up-front size checks for dense matrices: refuse what cannot fit before anything is allocated,
 * with a message that says what to do instead of an out-of-memory crash halfway through a run.
 */
import { BdlError } from '../errors.js';

/** wasm32 addresses end at 4 GiB; keep headroom for the rest of the arena (θ, batches, state). */
export const WASM32_LIMIT_BYTES = 4 * 1024 ** 3 - 64 * 1024 ** 2;

/** Default budget for one dense structure: 1 GiB (an n×n f64 matrix up to n ≈ 11 500). */
export const DEFAULT_MEMORY_BUDGET = 1024 ** 3;

export interface SizeOptions {
  /** How many n×n matrices the operation holds at once (default 1). */
  matrices?: number;
  /** Bytes the caller allows (default DEFAULT_MEMORY_BUDGET); never above the wasm32 limit. */
  budget?: number;
}

/**
 * Bytes needed by `matrices` dense n×n matrices of `bytesPerElem`-byte elements; throws
 * BdlError('E_MEMORY') naming n, the bytes and a cheaper structure when they exceed the budget
 * or the wasm32 address space. `what` names the structure in the message (e.g. "full Laplace
 * precision").
 */
export function checkSize(n: number, bytesPerElem: number, what: string, opts: SizeOptions = {}): number {
  const matrices = opts.matrices ?? 1;
  const budget = Math.min(opts.budget ?? DEFAULT_MEMORY_BUDGET, WASM32_LIMIT_BYTES);
  const bytes = n * n * bytesPerElem * matrices;
  if (bytes > budget) {
    const limit = budget === WASM32_LIMIT_BYTES ? 'the wasm32 limit' : 'the memory budget';
    const copies = matrices === 1 ? '' : ` (${matrices} such matrices)`;
    throw new BdlError(
      'E_MEMORY',
      `${what}: expected at most ${formatBytes(budget)} (${limit}), found a dense ${n}×${n} matrix of ` +
        `${bytesPerElem}-byte values${copies} needing ${formatBytes(bytes)}. Use a cheaper structure: ` +
        `hessian 'kron' or 'diag', or subset 'last-layer' (or 'subnetwork' with fewer parameters)` +
        (budget < WASM32_LIMIT_BYTES && bytes <= WASM32_LIMIT_BYTES ? ', or raise the memory budget.' : '.'),
      what,
    );
  }
  return bytes;
}

/** Bytes for a message: GiB, MiB or bytes. */
export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${n} bytes`;
}

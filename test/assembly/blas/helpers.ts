/**
 * Test helpers for the BLAS kernels: a seeded generator, float64 references, and guarded
 * buffers that detect writes outside the region a kernel owns.
 */
import { Arena, compileCore, relaxedSimdSupported, type WasmFlavor } from '../../../src/wasm/index.js';

/** Every binary this runtime can run: both in Chromium (and Node with the flag), plain otherwise. */
export function flavors(): WasmFlavor[] {
  return relaxedSimdSupported() ? ['simd', 'relaxed'] : ['simd'];
}

export async function arenaFor(flavor: WasmFlavor): Promise<Arena> {
  return Arena.create(await compileCore(flavor));
}

/** A small seeded generator (tests only): uniform values in [-1, 1). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

export function randomF32(n: number, rnd: () => number): Float32Array {
  return Float32Array.from({ length: n }, rnd);
}

const GUARD = 16;
const SENTINEL = 12345.5;

/** A region of n floats with GUARD sentinel floats on each side; `ptr` is the region itself. */
export interface Guarded {
  ptr: number;
  check(): void;
}

export function guarded(arena: Arena, values: ArrayLike<number>): Guarded {
  const n = values.length;
  const base = arena.allocF32(n + 2 * GUARD);
  const all = arena.f32(base, n + 2 * GUARD);
  all.fill(SENTINEL);
  all.set(values, GUARD);
  return {
    ptr: base + GUARD * 4,
    check() {
      const v = arena.f32(base, n + 2 * GUARD);
      for (let i = 0; i < GUARD; i++) {
        if (v[i] !== SENTINEL || v[GUARD + n + i] !== SENTINEL) {
          throw new Error(`write outside the output region (guard ${i < GUARD && v[i] !== SENTINEL ? 'before' : 'after'})`);
        }
      }
    },
  };
}

/**
 * Asserts |got - want| ≤ tol·scale per element, where scale[i] bounds the size of the sum behind
 * element i (Σ|a||b| plus the size of any accumulated term): a scale-aware relative error.
 */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number>, tol: number, what: string): void {
  if (got.length !== want.length) throw new Error(`${what}: length ${got.length}, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= tol * scale[i] + 1e-30)) {
      throw new Error(`${what}: element ${i} is ${got[i]}, expected ${want[i]} (error ${err.toExponential(2)} > ${tol} × ${scale[i].toExponential(2)})`);
    }
  }
}

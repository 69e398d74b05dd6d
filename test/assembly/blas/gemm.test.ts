import { describe, expect, it } from 'vitest';
import type { Arena } from '../../../src/wasm/index.js';
import { arenaFor, expectClose, flavors, guarded, lcg, randomF32 } from './helpers.js';

type Mode = 'nn' | 'tn' | 'nt';

/** float64 reference for C = beta·C0 + op(A)·op(B), and the per-element error scale. */
function reference(mode: Mode, a: Float32Array, b: Float32Array, c0: Float32Array, m: number, n: number, k: number, beta: number) {
  const want = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let sa = 0;
      for (let p = 0; p < k; p++) {
        const av = mode === 'tn' ? a[p * m + i] : a[i * k + p];
        const bv = mode === 'nt' ? b[j * k + p] : b[p * n + j];
        s += av * bv;
        sa += Math.abs(av * bv);
      }
      const old = beta === 0 ? 0 : beta * c0[i * n + j];
      want[i * n + j] = s + old;
      scale[i * n + j] = sa + Math.abs(old);
    }
  }
  return { want, scale };
}

function runGemm(arena: Arena, mode: Mode, m: number, n: number, k: number, beta: number, seed: number, c0fill?: number) {
  const rnd = lcg(seed);
  const a = randomF32(m * k, rnd);
  const b = randomF32(k * n, rnd);
  const c0 = c0fill === undefined ? randomF32(m * n, rnd) : new Float32Array(m * n).fill(c0fill);
  const mark = arena.mark();
  const work = guarded(arena, new Float32Array(Number(arena.k.gemm_workspace_bytes()) / 4));
  const pa = arena.putF32(a);
  const pb = arena.putF32(b);
  const pc = guarded(arena, c0);
  const f = mode === 'nn' ? arena.k.gemm_f32_nn : mode === 'tn' ? arena.k.gemm_f32_tn : arena.k.gemm_f32_nt;
  f(pc.ptr, pa, pb, m, n, k, beta, work.ptr);
  pc.check();
  work.check();
  const got = arena.getF32(pc.ptr, m * n);
  arena.reset(mark);
  // Inputs are read-only for the kernel.
  return { got, ...reference(mode, a, b, c0, m, n, k, beta) };
}

// Awkward shapes: 1×1, primes, non-multiples of the 4/8/12 tiles, and sizes that cross the
// packing blocks (k > 256, m > 120, n > 1008).
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 1, 7], [7, 13, 37], [37, 7, 13], [13, 37, 129], [129, 1, 7], [1, 129, 13],
  [4, 8, 4], [3, 12, 5], [8, 16, 9], [5, 9, 300], [250, 9, 5], [121, 25, 513], [6, 1020, 3],
  [32, 50, 8], [128, 10, 256], [32, 1, 50], [50, 1, 32], [32, 50, 1], [1, 37, 300],
];

describe.each(flavors())('gemm_f32 (%s binary)', (flavor) => {
  for (const mode of ['nn', 'tn', 'nt'] as Mode[]) {
    describe(mode, () => {
      it.each(SHAPES)('%i×%i, k=%i, beta 0 and 1', async (m, n, k) => {
        const arena = await arenaFor(flavor);
        for (const beta of [0, 1]) {
          const { got, want, scale } = runGemm(arena, mode, m, n, k, beta, m * 7919 + n * 31 + k + beta);
          expectClose(got, want, scale, 1e-5, `${mode} ${m}×${n}×${k} beta ${beta}`);
        }
      });

      it('random shapes', async () => {
        const arena = await arenaFor(flavor);
        const rnd = lcg(99);
        for (let t = 0; t < 25; t++) {
          const [m, n, k] = [1, 2, 3].map(() => 1 + Math.floor((rnd() + 1) * 40));
          const beta = t % 3 === 0 ? 1 : 0;
          const { got, want, scale } = runGemm(arena, mode, m, n, k, beta, t);
          expectClose(got, want, scale, 1e-5, `${mode} ${m}×${n}×${k} beta ${beta}`);
        }
      });

      it('beta 0 ignores what C held (even NaN); other betas scale C', async () => {
        const arena = await arenaFor(flavor);
        const r0 = runGemm(arena, mode, 9, 13, 7, 0, 5, NaN);
        expect(r0.got.every(Number.isFinite)).toBe(true);
        expectClose(r0.got, r0.want, r0.scale, 1e-5, 'beta 0 over NaN');
        const r2 = runGemm(arena, mode, 9, 13, 7, 0.5, 6);
        expectClose(r2.got, r2.want, r2.scale, 1e-5, 'beta 0.5');
      });
    });
  }

  it('thin products (k ≤ 16 in A·B, m ≤ 16 in Aᵀ·B) stream in place with the packed path\'s bits', async () => {
    // The same product through the unpacked path (nn with small k, tn with few rows) and through the
    // packed one (nt with B transposed; nn with A transposed and k > 16): equal bit for bit.
    const arena = await arenaFor(flavor);
    const rnd = lcg(7);
    const work = arena.allocF32(Number(arena.k.gemm_workspace_bytes()) / 4);
    const transpose = (x: Float32Array, r: number, c: number) => Float32Array.from({ length: r * c }, (_, i) => x[(i % r) * c + Math.floor(i / r)]);
    for (const [m, n, k] of [[300, 50, 8], [7, 13, 16], [5, 3, 2], [33, 50, 9]]) {
      for (const beta of [0, 1]) {
        const a = randomF32(m * k, rnd);
        const b = randomF32(k * n, rnd);
        const c0 = randomF32(m * n, rnd);
        const run = (f: typeof arena.k.gemm_f32_nn, x: Float32Array, y: Float32Array, mm: number, nn: number, kk: number) => {
          const pc = arena.putF32(c0);
          f(pc, arena.putF32(x), arena.putF32(y), mm, nn, kk, beta, work);
          return arena.getF32(pc, mm * nn);
        };
        const thin = run(arena.k.gemm_f32_nn, a, b, m, n, k);
        const packed = run(arena.k.gemm_f32_nt, a, transpose(b, k, n), m, n, k);
        expect(Array.from(thin), `nn ${m}×${n}×${k}`).toEqual(Array.from(packed));
        // Aᵀ·B with k ≤ 16 rows of C (A stored k'×k) against A·B with A transposed and depth k' > 16,
        // within one KC-deep block and across two (the sampler's backward pass: 8×50, k' = 300).
        for (const deep of [17 + Math.floor((rnd() + 1) * 100), 300]) {
          const at = randomF32(deep * k, rnd);
          const bt = randomF32(deep * n, rnd);
          const c1 = randomF32(k * n, rnd);
          const run2 = (f: typeof arena.k.gemm_f32_nn, x: Float32Array) => {
            const pc = arena.putF32(c1);
            f(pc, arena.putF32(x), arena.putF32(bt), k, n, deep, beta, work);
            return arena.getF32(pc, k * n);
          };
          expect(Array.from(run2(arena.k.gemm_f32_tn, at)), `tn ${k}×${n}×${deep}`).toEqual(Array.from(run2(arena.k.gemm_f32_nn, transpose(at, deep, k))));
        }
      }
    }
  });

  it('the check can fail: a wrong reference is caught', async () => {
    const arena = await arenaFor(flavor);
    const { got, want, scale } = runGemm(arena, 'nn', 7, 13, 37, 0, 1);
    want[5] += 1e-3 * scale[5];
    expect(() => expectClose(got, want, scale, 1e-5, 'perturbed')).toThrow(/element 5/);
  });

  it('needs a constant workspace', async () => {
    const arena = await arenaFor(flavor);
    const bytes = Number(arena.k.gemm_workspace_bytes());
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThan(4 << 20);
  });
});

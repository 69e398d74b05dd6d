// The register-tiled f64 product loop behind the level-3 kernels (product.ts, triangular.ts): a 4×4
// block of C lives in eight f64x2 accumulators while p runs over a cache-sized slice of the shared
// dimension. Not part of the ABI: index.ts does not re-export this file.
import { at, madd, splat64 } from './simd64';

/** Slice of the shared dimension kept hot per pass (KC rows of B ≈ KC·NC·8 bytes in L2). */
const KC = 256;
/** Width of the column block of C and B per pass (a multiple of 4). */
export const NC = 128;

/**
 * C[4×4] += alpha·Σ_p A(r, p)·B(p, j) for one tile. A(r, p) sits at a + r·ars + p·aps (bytes), so
 * the same loop serves A (gemm, rows contiguous in p) and Aᵀ (syrk, rows contiguous in r).
 */
@inline function tile4x4(c: usize, ldc: usize, a: usize, ars: usize, aps: usize, b: usize, ldb: usize, np: i32, alpha: f64): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let p = 0; p < np; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const a0 = v128.load64_splat(a);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    const a1 = v128.load64_splat(a + ars);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    const a2 = v128.load64_splat(a + 2 * ars);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    const a3 = v128.load64_splat(a + 3 * ars);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    a += aps;
    b += ldb;
  }
  const al = splat64(alpha);
  v128.store(c, madd(al, c00, v128.load(c)));
  v128.store(c, madd(al, c01, v128.load(c, 16)), 16);
  c += ldc;
  v128.store(c, madd(al, c10, v128.load(c)));
  v128.store(c, madd(al, c11, v128.load(c, 16)), 16);
  c += ldc;
  v128.store(c, madd(al, c20, v128.load(c)));
  v128.store(c, madd(al, c21, v128.load(c, 16)), 16);
  c += ldc;
  v128.store(c, madd(al, c30, v128.load(c)));
  v128.store(c, madd(al, c31, v128.load(c, 16)), 16);
}

/** The same product for a ragged edge block (rows × cols < 4×4), plainly. */
function edge(c: usize, ldc: usize, a: usize, ars: usize, aps: usize, b: usize, ldb: usize, rows: i32, cols: i32, np: i32, alpha: f64): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      let s = 0.0;
      let pa = a + <usize>r * ars;
      let pb = b + at(j);
      for (let p = 0; p < np; p++) {
        s += load<f64>(pa) * load<f64>(pb);
        pa += aps;
        pb += ldb;
      }
      const pc = c + <usize>r * ldc + at(j);
      store<f64>(pc, load<f64>(pc) + alpha * s);
    }
  }
}

/**
 * C (m×n, row stride ldc bytes) += alpha·Σ_p A(i, p)·B(p, j) over p < k. With `lower`, only tiles
 * touching the lower triangle (j ≤ i) are computed (square C). `jFrom` (a multiple of NC) and `jTo`
 * restrict it to C's column blocks in between: every element still receives its slices of p in
 * ascending order, so running the blocks in pieces gives the bits of one call. `upperB` skips the
 * slices of p an upper-triangular B holds only zeros in: each would add a sum of ±0 products, +0,
 * to an element that starts at +0 and so can never be −0 — the same bits, half the work for B square.
 */
export function product(c: usize, ldc: usize, a: usize, ars: usize, aps: usize, b: usize, ldb: usize, m: i32, n: i32, k: i32, alpha: f64, lower: bool, jFrom: i32 = 0, jTo: i32 = i32.MAX_VALUE, upperB: bool = false): void {
  const jEnd = min(n, jTo);
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    for (let jc = jFrom; jc < jEnd; jc += NC) {
      const je = min(jc + NC, n);
      // An upper-triangular B is zero from row je on in these columns: the slice would add exact zeros.
      if (upperB && pc >= je) continue;
      for (let i0 = lower ? jc : 0; i0 < m; i0 += 4) {
        const ih = min(4, m - i0);
        const jend = lower ? min(je, i0 + 4) : je;
        const ai = a + <usize>i0 * ars + <usize>pc * aps;
        const ci = c + <usize>i0 * ldc;
        for (let j0 = jc; j0 < jend; j0 += 4) {
          const jw = min(4, jend - j0);
          const bj = b + <usize>pc * ldb + at(j0);
          if (ih == 4 && jw == 4) tile4x4(ci + at(j0), ldc, ai, ars, aps, bj, ldb, kc, alpha);
          else edge(ci + at(j0), ldc, ai, ars, aps, bj, ldb, ih, jw, kc, alpha);
        }
      }
    }
  }
}

/** f64s of scratch `packedProduct` needs for m rows of C: A's slice (m × KC) and B's (KC × NC). */
export function packedWorkspace(m: i32): i32 {
  return (((m + 3) >> 2) << 2) * KC + KC * NC;
}

/**
 * `product` (not `lower`) with both operands' slices first copied into `work` (packedWorkspace(m)
 * f64s) as the tile loop reads them: A's 4-row panels and B's 4-column panels, each kc × 4
 * contiguous values. For operands read with a large stride in p (rows of a matrix thousands wide),
 * the unpacked loop touches a new page at every p of every tile and runs at a fraction of its speed;
 * packed, a tile's operands are two short contiguous streams. Same arithmetic, same order: the bits
 * of `product`.
 */
export function packedProduct(c: usize, ldc: usize, a: usize, ars: usize, aps: usize, b: usize, ldb: usize, m: i32, n: i32, k: i32, alpha: f64, jFrom: i32, jTo: i32, upperB: bool, work: usize): void {
  const jEnd = min(n, jTo);
  if (jFrom >= jEnd) return;
  const mp = ((m + 3) >> 2) << 2;
  const bw = work + at(mp * KC);
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    // A's slice: panel r0/4 holds A(r0..r0+3, pc..pc+kc) as kc groups of 4 (rows past m: zeros).
    for (let r0 = 0; r0 < m; r0 += 4) {
      const panel = work + at(r0 * kc);
      for (let r = 0; r < 4; r++) {
        const src = a + <usize>(r0 + r) * ars + <usize>pc * aps;
        const dst = panel + at(r);
        if (r0 + r < m) for (let p = 0; p < kc; p++) store<f64>(dst + at(4 * p), load<f64>(src + <usize>p * aps));
        else for (let p = 0; p < kc; p++) store<f64>(dst + at(4 * p), 0);
      }
    }
    for (let jc = jFrom; jc < jEnd; jc += NC) {
      const je = min(jc + NC, n);
      if (upperB && pc >= je) continue;
      // B's slice: panel (j0 − jc)/4 holds B(pc..pc+kc, j0..j0+3) as kc rows of 4 (columns past je: zeros).
      for (let j0 = jc; j0 < je; j0 += 4) {
        const panel = bw + at((j0 - jc) * kc);
        const jw = min(4, je - j0);
        for (let p = 0; p < kc; p++) {
          const src = b + <usize>(pc + p) * ldb + at(j0);
          const dst = panel + at(4 * p);
          if (jw == 4) {
            v128.store(dst, v128.load(src));
            v128.store(dst, v128.load(src, 16), 16);
          } else for (let j = 0; j < 4; j++) store<f64>(dst + at(j), j < jw ? load<f64>(src + at(j)) : 0);
        }
      }
      for (let i0 = 0; i0 < m; i0 += 4) {
        const ih = min(4, m - i0);
        const ap = work + at(i0 * kc);
        const ci = c + <usize>i0 * ldc;
        for (let j0 = jc; j0 < je; j0 += 4) {
          const jw = min(4, je - j0);
          const bp = bw + at((j0 - jc) * kc);
          if (ih == 4 && jw == 4) tile4x4(ci + at(j0), ldc, ap, 8, 32, bp, 32, kc, alpha);
          else edge(ci + at(j0), ldc, ap, 8, 32, bp, 32, ih, jw, kc, alpha);
        }
      }
    }
  }
}

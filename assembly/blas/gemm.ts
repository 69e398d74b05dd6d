// f32 GEMM, row-major, all three transposes through one blocked driver (Goto/BLIS loop order):
// panels of B (KC×NC) and blocks of A (MC×KC) are packed into the caller's workspace in the
// layout the micro-kernel streams, so the micro-kernel is the same for A·B, Aᵀ·B and A·Bᵀ.
// Only the packing routines differ. Tails are zero-padded in the packs; edge tiles go through a
// small scratch tile, so any m, n, k ≥ 1 works and nothing outside C is written.
import { gemv_f32_n, gemv_f32_t } from './level2';
import { madd } from './simd';

// Micro-tile MR×NR. V8 issues all of an iteration's loads before its arithmetic, so the tile is
// bounded by accumulators + loads (+ one product temporary without FMA) ≤ 15 xmm registers:
// 4×8 is 8 + 6 + 1. Fused multiply-add has latency 4 on two pipes, so it wants more than eight
// independent accumulators: 3×12 is 9 + 6, with no temporary.
const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 3 : 4;
const NR: i32 = ASC_FEATURE_RELAXED_SIMD ? 12 : 8;
/** Depth of a packed block: a KC×NR sliver of B (8–12 KiB) stays in L1 while A slivers stream by. */
const KC: i32 = 256;
/** Rows of A per packed block (480 KiB splatted, in L2); a multiple of every MR used. */
const MC: i32 = 120;
/** Columns of B per packed panel (≈1 MiB); a multiple of every NR used. */
const NC: i32 = 1008;

const PACK_A_BYTES: usize = <usize>(MC * KC) << 4;
const PACK_B_BYTES: usize = <usize>(KC * NC) << 2;
const TILE_BYTES: usize = <usize>(MR * NR) << 2;

/** Bytes of scratch every gemm_f32_* call needs at `work` (a constant: allocate it once). */
export function gemm_workspace_bytes(): usize {
  return PACK_A_BYTES + PACK_B_BYTES + TILE_BYTES;
}

/** C (+)= A·B. A m×k, B k×n, C m×n, row-major. beta 0 overwrites C, 1 accumulates, else scales C first. */
export function gemm_f32_nn(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, beta: f32, work: usize): void {
  gemm(c, a, b, m, n, k, beta, work, false, false);
}

/** C (+)= Aᵀ·B. A stored k×m, B k×n, C m×n. beta as in gemm_f32_nn. */
export function gemm_f32_tn(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, beta: f32, work: usize): void {
  gemm(c, a, b, m, n, k, beta, work, true, false);
}

/** C (+)= A·Bᵀ. A m×k, B stored n×k, C m×n. beta as in gemm_f32_nn. */
export function gemm_f32_nt(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, beta: f32, work: usize): void {
  gemm(c, a, b, m, n, k, beta, work, false, true);
}

@inline function gemm(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, beta: f32, work: usize, ta: bool, tb: bool): void {
  if (m <= 0 || n <= 0) return;
  // A single column or row of C is a matrix-vector product: packing would pad it to a whole tile.
  if (n == 1 && k > 0) {
    if (ta) gemv_f32_t(c, a, b, k, m, beta); // C = Aᵀ·b, A stored k×m
    else gemv_f32_n(c, a, b, m, k, beta); // C = A·b (b is k×1 or, transposed, 1×k: the same k values)
    return;
  }
  if (m == 1 && k > 0) {
    if (tb) gemv_f32_n(c, b, a, n, k, beta); // C = B·a, B stored n×k
    else gemv_f32_t(c, b, a, k, n, beta); // C = Bᵀ·a, B k×n (a is 1×k or, transposed, k×1)
    return;
  }
  const ldc = <usize>n << 2;
  if (beta != 0 && beta != 1) {
    scale_c(c, m, n, beta);
    beta = 1;
  }
  if (k <= 0) {
    if (beta == 0) memory.fill(c, 0, <usize>m * ldc);
    return;
  }
  // k = 1 is an outer product whatever the transposes (A's m values and B's n values are
  // contiguous either way): packing would cost more than the product itself.
  if (k == 1) {
    outer(c, a, b, m, n, beta == 1);
    return;
  }
  // A thin product — a small k in A·B, few rows of C in Aᵀ·B (the first layer of a network with
  // few inputs, forward and backward) — spends more time packing than multiplying: stream in place.
  if (!tb && (ta ? m : k) <= THIN) {
    direct(c, a, b, m, n, k, beta == 1, ta ? 4 : <usize>k << 2, ta ? <usize>m << 2 : 4, work);
    return;
  }
  const pa = work;
  const pb = work + PACK_A_BYTES;
  const tile = pb + PACK_B_BYTES;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const acc = beta != 0 || pc > 0;
      for (let js = 0; js < nc; js += NR) {
        const dst = pb + ((<usize>js * kc) << 2);
        const w = min(NR, nc - js);
        if (tb) pack_rows(dst, b + ((<usize>(jc + js) * k + pc) << 2), <usize>k << 2, kc, NR, w);
        else pack_cols(dst, b + ((<usize>pc * n + jc + js) << 2), ldc, kc, NR, w);
      }
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        for (let is = 0; is < mc; is += MR) {
          const dst = pa + ((<usize>is * kc) << 4);
          const h = min(MR, mc - is);
          if (ta) pack_a(dst, a + ((<usize>pc * m + ic + is) << 2), 4, <usize>m << 2, kc, h);
          else pack_a(dst, a + ((<usize>(ic + is) * k + pc) << 2), <usize>k << 2, 4, kc, h);
        }
        for (let js = 0; js < nc; js += NR) {
          const w = min(NR, nc - js);
          const bp = pb + ((<usize>js * kc) << 2);
          for (let is = 0; is < mc; is += MR) {
            const h = min(MR, mc - is);
            const ap = pa + ((<usize>is * kc) << 4);
            const cp = c + (<usize>(ic + is) * ldc) + (<usize>(jc + js) << 2);
            if (h == MR && w == NR) {
              micro(ap, bp, kc, cp, ldc, acc);
            } else {
              micro(ap, bp, kc, tile, <usize>NR << 2, false);
              merge_tile(cp, tile, <usize>NR << 2, h, w, ldc, acc);
            }
          }
        }
      }
    }
  }
}

/** Largest k of A·B (rows of C in Aᵀ·B) that `direct` takes instead of packing. */
const THIN: i32 = 16;

/**
 * C (+)= op(A)·B without packing: A(r, p) is at a + r·rs + p·cs, B is k×n. Sums run over p in the
 * packed path's order — KC-deep blocks, each summed from zero and then added to C — so the two
 * paths give the same bits. 4×8 and 4×4 register tiles, the last n mod 4 columns with the rows in
 * the lanes (direct_4xw); the last m mod 4 rows one at a time (their last n mod 4 columns through a
 * zero-padded copy of B's edge and a scratch tile).
 */
function direct(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, beta1: bool, rs: usize, cs: usize, work: usize): void {
  const ldb = <usize>n << 2;
  const n8 = n & ~7;
  const n4 = n & ~3;
  const edge = work;
  const tile = work + PACK_A_BYTES + PACK_B_BYTES;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const acc = beta1 || pc > 0;
    const ap = a + <usize>pc * cs;
    const bp = b + <usize>pc * ldb;
    if (n4 < n && (m & 3) != 0) pack_cols(edge, bp + (<usize>n4 << 2), ldb, kc, 4, n - n4);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const ai = ap + <usize>i * rs;
      const ci = c + <usize>i * ldb;
      let j = 0;
      for (; j < n8; j += 8) direct_4x8(ai, rs, cs, bp + (<usize>j << 2), ldb, kc, ci + (<usize>j << 2), ldb, acc);
      for (; j < n4; j += 4) direct_4x4(ai, rs, cs, bp + (<usize>j << 2), ldb, kc, ci + (<usize>j << 2), ldb, acc);
      if (n4 < n) direct_4xw(ai, rs, cs, bp + (<usize>n4 << 2), ldb, kc, ci + (<usize>n4 << 2), ldb, n - n4, acc);
    }
    for (; i < m; i++) direct_row(ap + <usize>i * rs, cs, bp, ldb, kc, n, c + <usize>i * ldb, acc, edge, tile);
  }
}

/** A 4×8 tile of C (+)= op(A)·B over kc steps, A rows at ai + r·rs, B rows ldb bytes apart. */
function direct_4x8(ai: usize, rs: usize, cs: usize, b: usize, ldb: usize, kc: i32, c: usize, ldc: usize, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const rs2 = rs + rs;
  const rs3 = rs2 + rs;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b); const b1 = v128.load(b, 16);
    const a0 = v128.load32_splat(ai);
    c00 = madd(a0, b0, c00); c01 = madd(a0, b1, c01);
    const a1 = v128.load32_splat(ai + rs);
    c10 = madd(a1, b0, c10); c11 = madd(a1, b1, c11);
    const a2 = v128.load32_splat(ai + rs2);
    c20 = madd(a2, b0, c20); c21 = madd(a2, b1, c21);
    const a3 = v128.load32_splat(ai + rs3);
    c30 = madd(a3, b0, c30); c31 = madd(a3, b1, c31);
    ai += cs;
    b += ldb;
  }
  store_row2(c, c00, c01, acc);
  store_row2(c + ldc, c10, c11, acc);
  store_row2(c + 2 * ldc, c20, c21, acc);
  store_row2(c + 3 * ldc, c30, c31, acc);
}

/** A 4×4 tile, as direct_4x8. */
function direct_4x4(ai: usize, rs: usize, cs: usize, b: usize, ldb: usize, kc: i32, c: usize, ldc: usize, acc: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  const rs2 = rs + rs;
  const rs3 = rs2 + rs;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    c0 = madd(v128.load32_splat(ai), b0, c0);
    c1 = madd(v128.load32_splat(ai + rs), b0, c1);
    c2 = madd(v128.load32_splat(ai + rs2), b0, c2);
    c3 = madd(v128.load32_splat(ai + rs3), b0, c3);
    ai += cs;
    b += ldb;
  }
  let r = c;
  v128.store(r, acc ? f32x4.add(c0, v128.load(r)) : c0); r += ldc;
  v128.store(r, acc ? f32x4.add(c1, v128.load(r)) : c1); r += ldc;
  v128.store(r, acc ? f32x4.add(c2, v128.load(r)) : c2); r += ldc;
  v128.store(r, acc ? f32x4.add(c3, v128.load(r)) : c3);
}

/**
 * The last w < 4 columns of a 4-row tile, with the four rows in the lanes: one vector of A's four
 * values per k step (a plain load when they are contiguous, as in Aᵀ·B; in A·B, four rows' loads
 * transposed for four k steps at a time) against each column's value splatted. Each lane sums A(r, p)·B(p, j) over p in order from zero, as the column tiles' lanes do,
 * so the bits are the same; no B edge to pack and no scratch tile to merge.
 */
function direct_4xw(ai: usize, rs: usize, cs: usize, b: usize, ldb: usize, kc: i32, c: usize, ldc: usize, w: i32, acc: bool): void {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0);
  const rs2 = rs + rs;
  const rs3 = rs2 + rs;
  const rows = rs == 4;
  let p = 0;
  if (cs == 4) {
    // A's rows contiguous in p (A·B): four k steps from one load per row and a 4×4 transpose.
    for (; p + 4 <= kc; p += 4) {
      const r0 = v128.load(ai), r1 = v128.load(ai + rs), r2 = v128.load(ai + rs2), r3 = v128.load(ai + rs3);
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      const a0 = v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), a1 = v128.shuffle<f32>(t0, t1, 2, 3, 6, 7);
      const a2 = v128.shuffle<f32>(t2, t3, 0, 1, 4, 5), a3 = v128.shuffle<f32>(t2, t3, 2, 3, 6, 7);
      const b1 = b + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
      s0 = madd(a0, v128.load32_splat(b), s0);
      s0 = madd(a1, v128.load32_splat(b1), s0);
      s0 = madd(a2, v128.load32_splat(b2), s0);
      s0 = madd(a3, v128.load32_splat(b3), s0);
      if (w > 1) {
        s1 = madd(a0, v128.load32_splat(b, 4), s1);
        s1 = madd(a1, v128.load32_splat(b1, 4), s1);
        s1 = madd(a2, v128.load32_splat(b2, 4), s1);
        s1 = madd(a3, v128.load32_splat(b3, 4), s1);
      }
      if (w > 2) {
        s2 = madd(a0, v128.load32_splat(b, 8), s2);
        s2 = madd(a1, v128.load32_splat(b1, 8), s2);
        s2 = madd(a2, v128.load32_splat(b2, 8), s2);
        s2 = madd(a3, v128.load32_splat(b3, 8), s2);
      }
      ai += 16;
      b = b3 + ldb;
    }
  }
  for (; p < kc; p++) {
    let a: v128;
    if (rows) {
      a = v128.load(ai);
    } else {
      a = v128.load32_zero(ai);
      a = v128.load32_lane(ai + rs, a, 1);
      a = v128.load32_lane(ai + rs2, a, 2);
      a = v128.load32_lane(ai + rs3, a, 3);
    }
    s0 = madd(a, v128.load32_splat(b), s0);
    if (w > 1) s1 = madd(a, v128.load32_splat(b, 4), s1);
    if (w > 2) s2 = madd(a, v128.load32_splat(b, 8), s2);
    ai += cs;
    b += ldb;
  }
  put_column(c, ldc, s0, acc);
  if (w > 1) put_column(c + 4, ldc, s1, acc);
  if (w > 2) put_column(c + 8, ldc, s2, acc);
}

/** C(r, ·) (+)= lane r of s for the four rows r, ldc bytes apart (scalar adds round like lanes). */
@inline function put_column(c: usize, ldc: usize, s: v128, acc: bool): void {
  const c1 = c + ldc;
  const c2 = c1 + ldc;
  const c3 = c2 + ldc;
  store<f32>(c, acc ? load<f32>(c) + f32x4.extract_lane(s, 0) : f32x4.extract_lane(s, 0));
  store<f32>(c1, acc ? load<f32>(c1) + f32x4.extract_lane(s, 1) : f32x4.extract_lane(s, 1));
  store<f32>(c2, acc ? load<f32>(c2) + f32x4.extract_lane(s, 2) : f32x4.extract_lane(s, 2));
  store<f32>(c3, acc ? load<f32>(c3) + f32x4.extract_lane(s, 3) : f32x4.extract_lane(s, 3));
}

/**
 * One row of C (+)= op(A)·B: four columns per vector; the last n mod 4 from the zero-padded copy of
 * B's edge (`edge`, 4 floats per k step) through the scratch `tile`, so they round like the lanes.
 */
function direct_row(ai: usize, cs: usize, b: usize, ldb: usize, kc: i32, n: i32, c: usize, acc: bool, edge: usize, tile: usize): void {
  const n4 = n & ~3;
  for (let j = 0; j < n; j += 4) {
    const o = <usize>j << 2;
    const inEdge = j == n4;
    const step: usize = inEdge ? 16 : ldb;
    let s = f32x4.splat(0);
    let ap = ai;
    let bp = inEdge ? edge : b + o;
    for (let p = 0; p < kc; p++) {
      s = madd(v128.load32_splat(ap), v128.load(bp), s);
      ap += cs;
      bp += step;
    }
    if (!inEdge) {
      v128.store(c + o, acc ? f32x4.add(s, v128.load(c + o)) : s);
    } else {
      v128.store(tile, s);
      merge_tile(c + o, tile, 16, 1, n - n4, 0, acc);
    }
  }
}

@inline function micro(pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, acc: bool): void {
  if (ASC_FEATURE_RELAXED_SIMD) kernel_3x12(pa, pb, kc, c, ldc, acc);
  else kernel_4x8(pa, pb, kc, c, ldc, acc);
}

/** C[i][j] (+)= tile[i][j] for the h×w corner of an edge tile whose rows are lt bytes apart. */
function merge_tile(c: usize, tile: usize, lt: usize, h: i32, w: i32, ldc: usize, acc: bool): void {
  for (let i = 0; i < h; i++) {
    const t = tile + <usize>i * lt;
    const r = c + <usize>i * ldc;
    for (let j = 0; j < w; j++) {
      const o = <usize>j << 2;
      const v = load<f32>(t + o);
      store<f32>(r + o, acc ? load<f32>(r + o) + v : v);
    }
  }
}

/** C (+)= a·bᵀ for a of m values and b of n values; the same roundings as the packed path (c + a·b). */
function outer(c: usize, a: usize, b: usize, m: i32, n: i32, acc: bool): void {
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const row = c + ((<usize>i * <usize>n) << 2);
    const ai = v128.load32_splat(a + (<usize>i << 2));
    const as = load<f32>(a + (<usize>i << 2));
    let j = 0;
    for (; j < n4; j += 4) {
      const o = <usize>j << 2;
      const p = f32x4.mul(ai, v128.load(b + o));
      v128.store(row + o, acc ? f32x4.add(v128.load(row + o), p) : p);
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const p = as * load<f32>(b + o);
      store<f32>(row + o, acc ? load<f32>(row + o) + p : p);
    }
  }
}

function scale_c(c: usize, m: i32, n: i32, beta: f32): void {
  const len = <usize>m * <usize>n;
  for (let i: usize = 0; i < len; i++) {
    const p = c + (i << 2);
    store<f32>(p, beta * load<f32>(p));
  }
}

/**
 * Packs an MR-row sliver of A with every value splatted to a full vector (dst vector p·MR + r holds
 * A(r, p)), so the micro-kernel reads broadcasts with plain v128 loads at immediate offsets: V8 does
 * not fold offsets into load32_splat, and a register splat would be re-materialized in the loop.
 * `rs`/`cs` are the byte strides of A's rows and of its k index. Rows ≥ h are zero.
 */
function pack_a(dst: usize, src: usize, rs: usize, cs: usize, kc: i32, h: i32): void {
  for (let p = 0; p < kc; p++) {
    let s = src;
    let r = 0;
    for (; r < h; r++) {
      v128.store(dst, v128.load32_splat(s));
      s += rs;
      dst += 16;
    }
    for (; r < MR; r++) {
      v128.store(dst, f32x4.splat(0));
      dst += 16;
    }
    src += cs;
  }
}

/**
 * Packs a sliver whose W lanes are contiguous in the source: dst[p·W + r] = src[p·ld + r] for
 * r < w (B stored k×n), zeros for r ≥ w.
 */
@inline function pack_cols(dst: usize, src: usize, ld: usize, kc: i32, W: i32, w: i32): void {
  const stride = <usize>W << 2;
  if (w == W) {
    for (let p = 0; p < kc; p++) {
      let r = 0;
      for (; r + 4 <= W; r += 4) v128.store(dst + (<usize>r << 2), v128.load(src + (<usize>r << 2)));
      for (; r < W; r++) store<f32>(dst + (<usize>r << 2), load<f32>(src + (<usize>r << 2)));
      dst += stride;
      src += ld;
    }
  } else {
    for (let p = 0; p < kc; p++) {
      let r = 0;
      for (; r < w; r++) store<f32>(dst + (<usize>r << 2), load<f32>(src + (<usize>r << 2)));
      for (; r < W; r++) store<f32>(dst + (<usize>r << 2), 0);
      dst += stride;
      src += ld;
    }
  }
}

/**
 * Packs a sliver whose W lanes are rows of the source, contiguous in p: dst[p·W + r] = src[r·ld + p]
 * (B stored n×k in A·Bᵀ), zeros for r ≥ h. Groups of four rows go through 4×4 register transposes.
 */
@inline function pack_rows(dst: usize, src: usize, ld: usize, kc: i32, W: i32, h: i32): void {
  const stride = <usize>W << 2;
  if (h < W) memory.fill(dst, 0, <usize>kc * stride);
  let r = 0;
  for (; r + 4 <= h; r += 4) {
    const s0 = src + <usize>r * ld;
    const s1 = s0 + ld;
    const s2 = s1 + ld;
    const s3 = s2 + ld;
    let d = dst + (<usize>r << 2);
    let p = 0;
    for (; p + 4 <= kc; p += 4) {
      const o = <usize>p << 2;
      const x0 = v128.load(s0 + o), x1 = v128.load(s1 + o), x2 = v128.load(s2 + o), x3 = v128.load(s3 + o);
      const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
      const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
      const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
      v128.store(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      d += stride;
      v128.store(d, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      d += stride;
      v128.store(d, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      d += stride;
      v128.store(d, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
      d += stride;
    }
    for (; p < kc; p++) {
      const o = <usize>p << 2;
      store<f32>(d, load<f32>(s0 + o));
      store<f32>(d, load<f32>(s1 + o), 4);
      store<f32>(d, load<f32>(s2 + o), 8);
      store<f32>(d, load<f32>(s3 + o), 12);
      d += stride;
    }
  }
  for (; r < h; r++) {
    const s = src + <usize>r * ld;
    let d = dst + (<usize>r << 2);
    for (let p = 0; p < kc; p++) {
      store<f32>(d, load<f32>(s + (<usize>p << 2)));
      d += stride;
    }
  }
}

/** One row of a register tile into C at r: two vectors, added to what C holds when acc. */
@inline function store_row2(r: usize, x0: v128, x1: v128, acc: bool): void {
  if (acc) {
    x0 = f32x4.add(x0, v128.load(r));
    x1 = f32x4.add(x1, v128.load(r, 16));
  }
  v128.store(r, x0);
  v128.store(r, x1, 16);
}

/** One row of three vectors, as store_row2. */
@inline function store_row3(r: usize, x0: v128, x1: v128, x2: v128, acc: bool): void {
  store_row2(r, x0, x1, acc);
  if (acc) x2 = f32x4.add(x2, v128.load(r, 32));
  v128.store(r, x2, 32);
}

// Micro-kernels: an MR×NR tile of C in registers, one k step per iteration. Unrolling in k does not
// pay here: V8 hoists every load of the unrolled body ahead of the arithmetic and then spills.
// Immediate offsets fold into the loads; both packs are contiguous in k.

function kernel_4x8(pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = pb + ((<usize>kc * 8) << 2);
  do {
    const b0 = v128.load(pb); const b1 = v128.load(pb, 16);
    const a0 = v128.load(pa);
    c00 = madd(a0, b0, c00); c01 = madd(a0, b1, c01);
    const a1 = v128.load(pa, 16);
    c10 = madd(a1, b0, c10); c11 = madd(a1, b1, c11);
    const a2 = v128.load(pa, 32);
    c20 = madd(a2, b0, c20); c21 = madd(a2, b1, c21);
    const a3 = v128.load(pa, 48);
    c30 = madd(a3, b0, c30); c31 = madd(a3, b1, c31);
    pa += 64;
    pb += 32;
  } while (pb < end);
  store_row2(c, c00, c01, acc);
  store_row2(c + ldc, c10, c11, acc);
  store_row2(c + 2 * ldc, c20, c21, acc);
  store_row2(c + 3 * ldc, c30, c31, acc);
}

function kernel_3x12(pa: usize, pb: usize, kc: i32, c: usize, ldc: usize, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c22 = f32x4.splat(0);
  const end = pb + ((<usize>kc * 12) << 2);
  do {
    const b0 = v128.load(pb); const b1 = v128.load(pb, 16); const b2 = v128.load(pb, 32);
    const a0 = v128.load(pa);
    c00 = madd(a0, b0, c00); c01 = madd(a0, b1, c01); c02 = madd(a0, b2, c02);
    const a1 = v128.load(pa, 16);
    c10 = madd(a1, b0, c10); c11 = madd(a1, b1, c11); c12 = madd(a1, b2, c12);
    const a2 = v128.load(pa, 32);
    c20 = madd(a2, b0, c20); c21 = madd(a2, b1, c21); c22 = madd(a2, b2, c22);
    pa += 48;
    pb += 48;
  } while (pb < end);
  store_row3(c, c00, c01, c02, acc);
  store_row3(c + ldc, c10, c11, c12, acc);
  store_row3(c + 2 * ldc, c20, c21, c22, acc);
}

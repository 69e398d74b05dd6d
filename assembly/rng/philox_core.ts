// Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3", SC'11):
// the block function, four or eight blocks at a time. Internal: not re-exported by assembly/index.ts.
//
// Four blocks are computed at once, one per SIMD lane: the 32×32→64 multiplies of a round map onto
// i64x2.extmul, and a 4×4 transpose at the end puts each block's words back in element order.

const M0: u32 = 0xd2511f53;
const M1: u32 = 0xcd9e8d57;
const W0: u32 = 0x9e3779b9;
const W1: u32 = 0xbb67ae85;
const ROUNDS = 10;

// Per-fill constants kept in memory, not as splats: V8 re-materializes loop-invariant splats
// inside loops (TOOLCHAIN.md). 10 rounds × (k0, k1) splats, then c1, c2, c3 splats.
const KEYS: usize = memory.data(ROUNDS * 32 + 48, 16);
const CTR: usize = KEYS + ROUNDS * 32;

// The four blocks of the last philox4 call (or the first four of philox8), each vector holding one
// block's words 0..3.
export let R0: v128 = v128.splat<i32>(0);
export let R1: v128 = v128.splat<i32>(0);
export let R2: v128 = v128.splat<i32>(0);
export let R3: v128 = v128.splat<i32>(0);
// Blocks b+4..b+7 of the last philox8 call.
export let R4: v128 = v128.splat<i32>(0);
export let R5: v128 = v128.splat<i32>(0);
export let R6: v128 = v128.splat<i32>(0);
export let R7: v128 = v128.splat<i32>(0);

/** Stores the key schedule and counter words for the fills that follow. */
@inline export function philox_setup(k0: u32, k1: u32, c1: u32, c2: u32, c3: u32): void {
  let a = k0;
  let b = k1;
  for (let r = 0; r < ROUNDS; r++) {
    v128.store(KEYS + (<usize>r << 5), i32x4.splat(a));
    v128.store(KEYS + (<usize>r << 5), i32x4.splat(b), 16);
    a += W0;
    b += W1;
  }
  v128.store(CTR, i32x4.splat(c1));
  v128.store(CTR, i32x4.splat(c2), 16);
  v128.store(CTR, i32x4.splat(c3), 32);
}

/** High 32 bits of the four unsigned products a·m. */
@inline function mulhi(a: v128, m: v128): v128 {
  return i32x4.shuffle(i64x2.extmul_low_i32x4_u(a, m), i64x2.extmul_high_i32x4_u(a, m), 1, 3, 5, 7);
}

/** Blocks b, b+1, b+2, b+3 under the key set by philox_setup, into R0..R3. */
@inline export function philox4(b: u32): void {
  const m0 = i32x4(M0, M0, M0, M0);
  const m1 = i32x4(M1, M1, M1, M1);
  // Transposed state: xj holds word j of the four blocks.
  let x0 = i32x4.add(i32x4.splat(b), i32x4(0, 1, 2, 3));
  let x1 = v128.load(CTR);
  let x2 = v128.load(CTR, 16);
  let x3 = v128.load(CTR, 32);
  for (let r = 0; r < ROUNDS; r++) {
    const ks = KEYS + (<usize>r << 5);
    const hi0 = mulhi(x0, m0);
    const lo0 = i32x4.mul(x0, m0);
    const hi1 = mulhi(x2, m1);
    const lo1 = i32x4.mul(x2, m1);
    x0 = v128.xor(v128.xor(hi1, x1), v128.load(ks));
    x1 = lo1;
    x2 = v128.xor(v128.xor(hi0, x3), v128.load(ks, 16));
    x3 = lo0;
  }
  const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
  const t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
  R0 = i64x2.shuffle(t0, t1, 0, 2);
  R1 = i64x2.shuffle(t0, t1, 1, 3);
  R2 = i64x2.shuffle(t2, t3, 0, 2);
  R3 = i64x2.shuffle(t2, t3, 1, 3);
}

/**
 * Blocks b..b+7 into R0..R7: two independent groups of four interleaved, so that one group's
 * multiplies run while the other's wait on their latency (a round is a dependent chain).
 */
@inline export function philox8(b: u32): void {
  const m0 = i32x4(M0, M0, M0, M0);
  const m1 = i32x4(M1, M1, M1, M1);
  let x0 = i32x4.add(i32x4.splat(b), i32x4(0, 1, 2, 3));
  let y0 = i32x4.add(x0, i32x4(4, 4, 4, 4));
  let x1 = v128.load(CTR);
  let x2 = v128.load(CTR, 16);
  let x3 = v128.load(CTR, 32);
  let y1 = x1;
  let y2 = x2;
  let y3 = x3;
  for (let r = 0; r < ROUNDS; r++) {
    const ks = KEYS + (<usize>r << 5);
    const ka = v128.load(ks);
    const kb = v128.load(ks, 16);
    const hx0 = mulhi(x0, m0);
    const hy0 = mulhi(y0, m0);
    const lx0 = i32x4.mul(x0, m0);
    const ly0 = i32x4.mul(y0, m0);
    const hx1 = mulhi(x2, m1);
    const hy1 = mulhi(y2, m1);
    const lx1 = i32x4.mul(x2, m1);
    const ly1 = i32x4.mul(y2, m1);
    x0 = v128.xor(v128.xor(hx1, x1), ka);
    y0 = v128.xor(v128.xor(hy1, y1), ka);
    x1 = lx1;
    y1 = ly1;
    x2 = v128.xor(v128.xor(hx0, x3), kb);
    y2 = v128.xor(v128.xor(hy0, y3), kb);
    x3 = lx0;
    y3 = ly0;
  }
  let t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
  let t1 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
  let t2 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
  let t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
  R0 = i64x2.shuffle(t0, t1, 0, 2);
  R1 = i64x2.shuffle(t0, t1, 1, 3);
  R2 = i64x2.shuffle(t2, t3, 0, 2);
  R3 = i64x2.shuffle(t2, t3, 1, 3);
  t0 = i32x4.shuffle(y0, y1, 0, 4, 1, 5);
  t1 = i32x4.shuffle(y2, y3, 0, 4, 1, 5);
  t2 = i32x4.shuffle(y0, y1, 2, 6, 3, 7);
  t3 = i32x4.shuffle(y2, y3, 2, 6, 3, 7);
  R4 = i64x2.shuffle(t0, t1, 0, 2);
  R5 = i64x2.shuffle(t0, t1, 1, 3);
  R6 = i64x2.shuffle(t2, t3, 0, 2);
  R7 = i64x2.shuffle(t2, t3, 1, 3);
}

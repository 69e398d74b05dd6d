// Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3", SC'11):
// the block function and the word→uniform map shared by every fill (rng/philox.ts, nn/dropout.ts).
// Internal: not re-exported by assembly/index.ts.
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
// The last, partial group of a fill is built here and copied out element by element.
const TAIL: usize = memory.data(128, 16);

// The four blocks of the last philox4 call, each vector holding one block's words 0..3.
export let R0: v128 = v128.splat<i32>(0);
export let R1: v128 = v128.splat<i32>(0);
export let R2: v128 = v128.splat<i32>(0);
export let R3: v128 = v128.splat<i32>(0);

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

/** Words → f32 uniforms ((w>>>9) + ½)·2⁻²³: 23 random bits, strictly inside (0,1), every step exact. */
@inline export function uniform_f32x4(w: v128): v128 {
  const v = f32x4.convert_i32x4_u(i32x4.shr_u(w, 9));
  return f32x4.add(f32x4.mul(v, f32x4.splat(1.1920928955078125e-7)), f32x4.splat(5.9604644775390625e-8));
}

/** Copies the first `bytes` bytes of the 64 bytes a, b, c, d to dst (the partial last group of a fill). */
@inline export function store_partial(dst: usize, a: v128, b: v128, c: v128, d: v128, bytes: usize): void {
  v128.store(TAIL, a);
  v128.store(TAIL, b, 16);
  v128.store(TAIL, c, 32);
  v128.store(TAIL, d, 48);
  memory.copy(dst, TAIL, bytes);
}


/**
 * Philox4x32-10 in plain TypeScript: the same bits as the wasm fills (assembly/rng/philox.ts), for
 * the draws that happen on the TypeScript side (shuffles, permutations, seeds of sub-tasks).
 *
 * Word j of a stream is lane j&3 of block (c0 = j>>2, c1, c2, c3) under key (k0, k1). The wasm
 * f32 fills use word i for element i; the f64 fills use words 2i (low) and 2i+1 (high).
 */
import { argError, BdlError, describe } from '../errors.js';
import { cos, log, sin } from './exact-math.js';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO32 = 4294967296;

/** High 32 bits of the 64-bit product of two u32 (16-bit halves keep every partial product exact). */
function mulhi(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const lh = al * bh;
  const hl = ah * bl;
  const mid = ((al * bl) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * One Philox4x32-10 block: the four u32 words for counter (c0, c1, c2, c3) under key (k0, k1).
 * Writes into `out` when given (no allocation), else returns a new array.
 */
export function philox4x32(
  c0: number, c1: number, c2: number, c3: number, k0: number, k1: number,
  out: Uint32Array = new Uint32Array(4),
): Uint32Array {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let a = k0 >>> 0;
  let b = k1 >>> 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(x0, M0);
    const lo0 = Math.imul(x0, M0) >>> 0;
    const hi1 = mulhi(x2, M1);
    const lo1 = Math.imul(x2, M1) >>> 0;
    x0 = (hi1 ^ x1 ^ a) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ b) >>> 0;
    x3 = lo0;
    a = (a + W0) >>> 0;
    b = (b + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
  return out;
}

/** The f32 uniform of one word, as rng_uniform_f32 computes it: ((w>>>9) + ½)·2⁻²³, in (0,1). */
export function uniformF32OfWord(w: number): number {
  return ((w >>> 9) + 0.5) * 1.1920928955078125e-7;
}

/** The f64 uniform of two words, as rng_uniform_f64 computes it: (⌊x/2¹²⌋ + ½)·2⁻⁵², x = lo + 2³²·hi. */
export function uniformF64OfWords(lo: number, hi: number): number {
  return ((hi >>> 0) * 1048576 + ((lo >>> 0) >>> 12) + 0.5) * 2.220446049250313e-16;
}

/**
 * The Philox key of (seed, stream): k0 = the low 32 bits of seed; k1 = stream XOR (the bits of seed
 * above 2³², times an odd constant). Seeds below 2³² therefore give exactly k1 = stream. The odd
 * multiplier keeps seed 2³² + s from colliding with (s, stream 1) and other small neighbours; it is
 * a bijection, so distinct high parts never merge. Use this wherever a seed turns into wasm fill keys.
 */
export function keyOf(seed: number, stream: number = 0): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw argError('E_ARG', 'seed', 'a non-negative integer up to 2^53 − 1', describe(seed), 'Pass a whole number such as 42.');
  }
  if (!Number.isInteger(stream) || stream < 0 || stream >= TWO32) {
    throw argError('E_ARG', 'stream', 'an integer in [0, 2^32)', describe(stream), 'Use the chain or member index as the stream.');
  }
  const k0 = seed % TWO32 >>> 0;
  const hi = Math.floor(seed / TWO32);
  const k1 = (stream ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
  return [k0, k1];
}

/**
 * A sequential Philox stream keyed by (seed, stream), with counter words (c1, c2, c3) (given, or moved by `seek`).
 *
 * Its words are exactly the words of the wasm fills with the same key and counter: the j-th
 * `uint32()` from a fresh Rng is word j; `uniform()` first skips to an even word, so from a fresh Rng
 * it returns rng_uniform_f64's elements in order; `uniformF32()` returns rng_uniform_f32's elements.
 * `normal()` is Box–Muller as in rng_normal_f64, close to but not bit-equal with it (the wasm core's
 * log/cos differ from fdlibm's in the last bit); its log, sin and cos are exact-math.ts's, so it gives
 * the same bits in every JavaScript engine (Math.log/sin/cos differ between V8 versions).
 */
export class Rng {
  readonly k0: number;
  readonly k1: number;
  private c1: number;
  private c2: number;
  private c3: number;
  private readonly buf = new Uint32Array(4);
  /** Index of the next word. */
  private pos = 0;
  private spare = NaN;

  /**
   * @param seed a non-negative integer up to 2^53 − 1 (see keyOf)
   * @param stream an integer in [0, 2^32), e.g. the chain or member index
   * @param counter the counter words (c1, c2, c3) the wasm fills take, e.g. [step, 0, 0]
   */
  constructor(seed: number, stream: number = 0, counter: readonly [number, number, number] = [0, 0, 0]) {
    [this.k0, this.k1] = keyOf(seed, stream);
    this.c1 = counter[0] >>> 0;
    this.c2 = counter[1] >>> 0;
    this.c3 = counter[2] >>> 0;
    this.refill(0);
  }

  /**
   * Moves to word 0 of another counter under the same key: afterwards the stream is exactly that of
   * `new Rng(seed, stream, [c1, c2, c3])`, without allocating (the samplers take a fresh counter per
   * iteration).
   */
  seek(c1: number, c2: number, c3: number): void {
    this.c1 = c1 >>> 0;
    this.c2 = c2 >>> 0;
    this.c3 = c3 >>> 0;
    this.pos = 0;
    this.spare = NaN;
    this.refill(0);
  }

  /** How many words have been consumed (the index of the next one). */
  get position(): number {
    return this.pos;
  }

  private refill(block: number): void {
    if (block >= TWO32) {
      throw new BdlError('E_ARG', 'Rng: drew all 2^34 words of one (seed, stream, counter); use another stream or counter for more.');
    }
    philox4x32(block, this.c1, this.c2, this.c3, this.k0, this.k1, this.buf);
  }

  /** The next 32-bit word, an integer in [0, 2³²). */
  uint32(): number {
    const w = this.buf[this.pos & 3];
    this.pos++;
    if ((this.pos & 3) === 0) this.refill(this.pos / 4);
    return w;
  }

  /** A uniform in (0,1) with 52 random bits, from the next aligned pair of words. */
  uniform(): number {
    if (this.pos & 1) this.uint32();
    // An aligned pair lies in one block: read both words, then refill once if the block is used up
    // (the words of two uint32() calls, without passing them through a call).
    const at = this.pos & 3;
    const lo = this.buf[at];
    const hi = this.buf[at + 1];
    this.pos += 2;
    if ((this.pos & 3) === 0) this.refill(this.pos / 4);
    return uniformF64OfWords(lo, hi);
  }

  /** A uniform in (0,1) with 23 random bits (an exact f32), from the next word. */
  uniformF32(): number {
    return uniformF32OfWord(this.uint32());
  }

  /** A standard normal (Box–Muller on two aligned uniforms; the sine half is kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = NaN;
      return z;
    }
    while (this.pos & 3) this.uint32();
    const r = Math.sqrt(-2 * log(this.uniform()));
    const t = 2 * Math.PI * this.uniform();
    this.spare = r * sin(t);
    return r * cos(t);
  }

  /** An unbiased integer in [0, n), 1 ≤ n ≤ 2³² (rejects the top partial range of words). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO32) {
      throw argError('E_ARG', 'n', 'an integer in [1, 2^32]', describe(n), 'Draw from a non-empty range.');
    }
    const limit = TWO32 - (TWO32 % n);
    let w = this.uint32();
    while (w >= limit) w = this.uint32();
    return w % n;
  }

  /** Fisher–Yates shuffle of `a` in place (every order equally likely); returns `a`. */
  shuffle<T extends Int32Array | Uint32Array | number[]>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A uniformly random permutation of 0..n−1. */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
      throw argError('E_ARG', 'n', 'an integer in [0, 2^31)', describe(n), 'Pass the number of items to permute.');
    }
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

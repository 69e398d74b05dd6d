/**
 * The training loop's per-epoch permutations of the rows: Fisher–Yates on the words of one Philox
 * stream, epoch after epoch — exactly `Rng.permutation` called once per epoch on
 * `new Rng(seed, stream, counter)` (same words, same rejections, same order), with the words made in
 * the core (`rng_bits_u32_from`, a block of them at a time) instead of by Philox in JavaScript, whose
 * 64-bit products cost four multiplications each: on a 300-row set that shuffle was ≈ 70 ns a row, a
 * fifth of MC dropout's default fit on a 2-core EPYC.
 */
import { keyOf } from '../random/index.js';
import type { Arena } from '../wasm/index.js';

/** Words made per call of the core: a few hundred rows' worth. */
const WORDS = 1024;
const TWO32 = 4294967296;

export class Shuffler {
  private readonly k0: number;
  private readonly k1: number;
  private readonly buf: number;
  private words: Uint32Array;
  /** Index in the stream of the next word, and of words[0]. */
  private pos = 0;
  private base = -WORDS;

  /** The stream of `new Rng(seed, stream, counter)`; its buffer is allocated in `arena` now. */
  constructor(private readonly arena: Arena, seed: number, stream: number, private readonly counter: readonly [number, number, number]) {
    [this.k0, this.k1] = keyOf(seed, stream);
    this.buf = arena.alloc(4 * WORDS);
    this.words = arena.u32(this.buf, WORDS);
  }

  /** The next 32-bit word of the stream. */
  private next(): number {
    let i = this.pos - this.base;
    if (i >= WORDS) {
      // A new batch from the block holding the next word (an Rng reads whole blocks too).
      const block = Math.floor(this.pos / 4);
      this.arena.k.rng_bits_u32_from(this.buf, WORDS, block >>> 0, this.k0, this.k1, this.counter[0] >>> 0, this.counter[1] >>> 0, this.counter[2] >>> 0);
      this.base = 4 * block;
      i = this.pos - this.base;
    }
    if (this.words.length === 0) this.words = this.arena.u32(this.buf, WORDS); // the memory grew
    this.pos++;
    return this.words[i];
  }

  /** An unbiased integer in [0, n), 1 ≤ n ≤ 2³², as `Rng.int`: words of the top partial range are rejected. */
  int(n: number): number {
    const limit = TWO32 - (TWO32 % n);
    let w = this.next();
    while (w >= limit) w = this.next();
    return w % n;
  }

  /** Writes the next permutation of 0…n−1 into `out`, as `Rng.permutation(n)` would return it. */
  permutationInto(out: Uint32Array, n: number): void {
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
  }
}

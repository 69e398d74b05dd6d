// A Philox stream read one 32-bit word at a time, its position kept in memory: the training loop's
// per-epoch Fisher–Yates shuffle (src/train/shuffle.ts). In the core a row costs a few integer
// operations; in JavaScript the words above 2³¹ are doubles and each draw paid two floating-point
// remainders (≈ 17 ns a row).
//
// The draws are exactly those of the TypeScript Rng on the same stream: word i of the stream is
// word i of rng_bits_u32's fill, an integer in [0, n) rejects the words of the top partial range
// (w ≥ 2³² − 2³² mod n) and is then w mod n, and a permutation is Fisher–Yates from the top.
//
// State layout (the ABI; word_stream_bytes() bytes, 16-aligned): key k0, k1 and counter words
// c1, c2, c3 (u32 at 0, 4, 8, 12, 16); at 24 the index of the next word (i64); at 32 the index of
// the buffer's first word (i64, −WORDS before the first refill); the buffer of WORDS words at 64.

import { BITS, fill } from './fill';

const K0: usize = 0;
const K1: usize = 4;
const C1: usize = 8;
const C2: usize = 12;
const C3: usize = 16;
const POS: usize = 24;
const BASE: usize = 32;
const BUF: usize = 64;
/** Words made per refill: a few hundred rows' worth, a whole number of blocks. */
const WORDS: i64 = 1024;

/** Bytes of a word stream's state. */
export function word_stream_bytes(): usize {
  return BUF + (<usize>WORDS << 2);
}

/** Starts the stream of key (k0, k1) and counter words (c1, c2, c3) at its first word. */
export function word_stream_init(state: usize, k0: u32, k1: u32, c1: u32, c2: u32, c3: u32): void {
  store<u32>(state + K0, k0);
  store<u32>(state + K1, k1);
  store<u32>(state + C1, c1);
  store<u32>(state + C2, c2);
  store<u32>(state + C3, c3);
  store<i64>(state + POS, 0);
  store<i64>(state + BASE, -WORDS);
}

/** The stream's next word; refills the buffer from the block holding it when it runs out. */
@inline function next_word(state: usize): u32 {
  const pos = load<i64>(state + POS);
  let base = load<i64>(state + BASE);
  if (pos - base >= WORDS) {
    const block = pos >> 2;
    fill(state + BUF, <usize>WORDS << 2, BITS, 0, 0, load<u32>(state + K0), load<u32>(state + K1), load<u32>(state + C1), load<u32>(state + C2), load<u32>(state + C3), <u32>block);
    base = block << 2;
    store<i64>(state + BASE, base);
  }
  store<i64>(state + POS, pos + 1);
  return load<u32>(state + BUF + (<usize>(pos - base) << 2));
}

/** An unbiased integer in [0, n), 1 ≤ n ≤ 2³². */
@inline function uniform_below(state: usize, n: u64): u64 {
  const limit: u64 = (<u64>1 << 32) - ((<u64>1 << 32) % n);
  let w = <u64>next_word(state);
  while (w >= limit) w = <u64>next_word(state);
  return w % n;
}

/** The stream's next unbiased integer in [0, n), 1 ≤ n ≤ 2³² (n as f64: exact, and no BigInt at the boundary). */
export function word_stream_int(state: usize, n: f64): f64 {
  return <f64>uniform_below(state, <u64>n);
}

/** out[0..n) = the stream's next permutation of 0…n−1 (u32): Fisher–Yates from the top. */
export function word_stream_permutation(state: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<u32>(out + (<usize>i << 2), i);
  for (let i = n - 1; i > 0; i--) {
    const j = <i32>uniform_below(state, <u64>(i + 1));
    const a = out + (<usize>i << 2);
    const b = out + (<usize>j << 2);
    const t = load<u32>(a);
    store<u32>(a, load<u32>(b));
    store<u32>(b, t);
  }
}

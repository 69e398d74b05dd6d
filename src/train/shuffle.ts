/**
 * The training loop's per-epoch permutations of the rows: Fisher–Yates on the words of one Philox
 * stream, epoch after epoch — exactly `Rng.permutation` called once per epoch on
 * `new Rng(seed, stream, counter)` (same words, same rejections, same order), run in the core
 * (assembly/rng/word_stream.ts) where a row costs a few integer operations: in JavaScript the words
 * above 2³¹ are doubles and each draw paid two floating-point remainders.
 */
import { keyOf } from '../random/index.js';
import type { Arena } from '../wasm/index.js';

export class Shuffler {
  /** The stream's state in the core: key, counter, position and a buffer of words. */
  private readonly state: number;

  /** The stream of `new Rng(seed, stream, counter)`; its state is allocated in `arena` now. */
  constructor(private readonly arena: Arena, seed: number, stream: number, counter: readonly [number, number, number]) {
    const [k0, k1] = keyOf(seed, stream);
    this.state = arena.alloc(arena.k.word_stream_bytes());
    arena.k.word_stream_init(this.state, k0, k1, counter[0] >>> 0, counter[1] >>> 0, counter[2] >>> 0);
  }

  /** An unbiased integer in [0, n), 1 ≤ n ≤ 2³², as `Rng.int`: words of the top partial range are rejected. */
  int(n: number): number {
    return this.arena.k.word_stream_int(this.state, n);
  }

  /** Writes the next permutation of 0…n−1 (u32) at address `out`, as `Rng.permutation(n)` would return it. */
  permutationAt(out: number, n: number): void {
    this.arena.k.word_stream_permutation(this.state, out, n);
  }
}

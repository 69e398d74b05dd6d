import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/index.js';
import { Shuffler } from '../../src/train/shuffle.js';
import { Arena } from '../../src/wasm/index.js';

let arena: Arena;
beforeAll(async () => {
  arena = await Arena.create();
});

describe('Shuffler', () => {
  it("gives Rng.permutation's permutations, epoch after epoch, across the core's batches of words", () => {
    // Sizes around the batch of 1,024 words, so that permutations straddle batches at every offset.
    for (const [n, seed, stream, tag] of [[1, 0, 0, 3], [2, 1, 0, 3], [7, 2, 5, 3], [300, 3, 1, 3], [1023, 4, 0, 7], [1025, 5, 2, 3], [2500, 2 ** 40 + 3, 9, 3]] as const) {
      const rng = new Rng(seed, stream, [0, 0, tag]);
      const s = new Shuffler(arena, seed, stream, [0, 0, tag]);
      const out = arena.alloc(4 * n);
      for (let epoch = 0; epoch < 7; epoch++) {
        s.permutationAt(out, n);
        expect(Array.from(arena.u32(out, n)), `n=${n} epoch ${epoch}`).toEqual(Array.from(rng.permutation(n)));
      }
    }
  });

  it('rejects the words of the top partial range as Rng.int does (bounds where about a third are rejected)', () => {
    const rng = new Rng(8, 1, [0, 0, 3]);
    const s = new Shuffler(arena, 8, 1, [0, 0, 3]);
    for (let i = 0; i < 3000; i++) {
      const n = i % 3 === 2 ? 2 ** 32 : i % 2 ? 3_000_000_000 : 1 + (i % 97);
      expect(s.int(n), `draw ${i}`).toBe(rng.int(n));
    }
  });

  it('keeps its words readable after the memory grows', () => {
    const rng = new Rng(6, 0, [0, 0, 3]);
    const s = new Shuffler(arena, 6, 0, [0, 0, 3]);
    expect(s.int(1000)).toBe(rng.int(1000));
    arena.memory.grow(1);
    for (let i = 0; i < 2000; i++) expect(s.int(1000)).toBe(rng.int(1000));
  });
});

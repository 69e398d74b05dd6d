import { beforeAll, describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';

let arena: Arena;
beforeAll(async () => {
  arena = await Arena.create();
});

describe('f32_to_f64 / f64_to_f32', () => {
  for (const n of [0, 1, 2, 3, 7, 13, 130]) {
    it(`round-trips ${n} values exactly where f32 can hold them, rounds to nearest otherwise`, () => {
      const src = new Float64Array(n).map((_, i) => (i % 3 === 0 ? -1 : 1) * (i + 0.1) * 1.37 ** i);
      const mark = arena.mark();
      const p64 = arena.putF64(src);
      const p32 = arena.allocF32(n + 1);
      arena.f32(p32, n + 1)[n] = 42; // sentinel: nothing past n is written
      arena.k.f64_to_f32(p32, p64, n);
      const f = arena.getF32(p32, n + 1);
      expect(Array.from(f.subarray(0, n))).toEqual(Array.from(Float32Array.from(src)));
      expect(f[n]).toBe(42);
      const back = arena.allocF64(n + 1);
      arena.f64(back, n + 1)[n] = 42;
      arena.k.f32_to_f64(back, p32, n);
      const g = arena.getF64(back, n + 1);
      expect(Array.from(g.subarray(0, n))).toEqual(Array.from(f.subarray(0, n)));
      expect(g[n]).toBe(42);
      arena.reset(mark);
    });
  }
});

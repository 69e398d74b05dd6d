import { describe, expect, it } from 'vitest';
import { Arena } from '../../src/wasm/arena.js';

describe('Arena.alloc', () => {
  it('hands out zeroed memory after a reset reuses dirty bytes, also across a grow', async () => {
    const a = await Arena.create();
    const mark = a.mark();
    const n = 300_000; // crosses several pages, forces a grow
    const p = a.putF32(new Float32Array(n).fill(7));
    expect(a.f32(p, n).every((v) => v === 7)).toBe(true);
    a.reset(mark);
    const q = a.allocF32(n + 100_000);
    expect(q).toBe(p);
    expect(a.f32(q, n + 100_000).every((v) => v === 0)).toBe(true);
  });

  it('putF32/putF64 copy exactly over stale bytes', async () => {
    const a = await Arena.create();
    const mark = a.mark();
    a.putF64(new Float64Array(1000).fill(-3));
    a.reset(mark);
    const src = Float32Array.from({ length: 1500 }, (_, i) => i * 0.5);
    const p = a.putF32(src);
    expect(Array.from(a.getF32(p, src.length))).toEqual(Array.from(src));
    const z = a.allocF32(500);
    expect(a.f32(z, 500).every((v) => v === 0)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';

describe('gather_rows_f32', () => {
  for (const width of [1, 3, 8, 13]) {
    it(`copies the indexed rows of width ${width}, repeats included, and nothing else`, async () => {
      const a = await Arena.create();
      const rows = 11;
      const src = a.putF32(Float32Array.from({ length: rows * width }, (_, i) => i + 0.5));
      const idx = [10, 0, 3, 3, 7];
      const ip = a.alloc(4 * idx.length);
      a.u32(ip, idx.length).set(idx);
      const out = a.allocF32(idx.length * width + 1);
      a.f32(out, idx.length * width + 1).fill(-1);
      a.k.gather_rows_f32(out, src, ip, idx.length, width);
      const o = a.f32(out, idx.length * width + 1);
      idx.forEach((r, k) => {
        for (let j = 0; j < width; j++) expect(o[k * width + j]).toBe(r * width + j + 0.5);
      });
      expect(o[idx.length * width]).toBe(-1); // guard untouched
    });
  }
});

import { describe, expect, it } from 'vitest';
import { Arena, compileCore, relaxedSimdSupported } from '../../src/wasm/index.js';

describe('wasm loading', () => {
  it('picks relaxed SIMD exactly where the runtime validates it', async () => {
    const core = await compileCore();
    expect(core.flavor).toBe(relaxedSimdSupported() ? 'relaxed' : 'simd');
  });

  it('allocates aligned, zeroed regions and grows memory', async () => {
    const a = await Arena.create();
    const p = a.allocF32(10);
    expect(p % 64).toBe(0);
    const big = a.allocF32(1 << 20); // forces memory.grow
    expect(a.f32(big, 1 << 20).every((v) => v === 0)).toBe(true);
    a.putF32([1, 2, 3], p);
    expect(Array.from(a.getF32(p, 3))).toEqual([1, 2, 3]);
  });
});

import { describe, expect, it } from 'vitest';
import { Arena, compileCore, instantiateCore, relaxedSimdSupported } from '../../src/wasm/index.js';

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

  it("hands out the instance's own exports (no wrapper per call) and no kernel with optional parameters", async () => {
    for (const flavor of relaxedSimdSupported() ? (['simd', 'relaxed'] as const) : (['simd'] as const)) {
      const core = await compileCore(flavor);
      const k = await instantiateCore(core);
      const fns = Object.entries(k).filter(([, v]) => typeof v === 'function');
      expect(fns.length).toBeGreaterThan(50);
      // A wasm export's JS function is named by its function index; the loader's wrappers are closures.
      for (const [name, f] of fns) expect(/^\d+$/.test((f as { name: string }).name), name).toBe(true);
      expect('__setArgumentsLength' in k).toBe(false);
    }
  });
});

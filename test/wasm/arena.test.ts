import { describe, expect, it } from 'vitest';
import { createPool } from '../../src/pool/pool.js';
import { Arena } from '../../src/wasm/arena.js';
import { compileCore } from '../../src/wasm/load.js';

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

describe('a core handed in', () => {
  // Each was a TypeError from WebAssembly or a missing kernel (Arena.create), or accepted until a
  // worker instantiated it (createPool).
  const empty = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
  const cases: [string, unknown, string, string][] = [
    ['no module', { flavor: 'simd' }, 'core.module', 'expected a WebAssembly.Module, found undefined'],
    ['a number for the module', { flavor: 'simd', module: 42 }, 'core.module', 'expected a WebAssembly.Module, found 42'],
    ['another module', { flavor: 'simd', module: empty }, 'core.module', "expected bdl-wasm's compute core, found a module without its exports dot_f32, gemm_f32_nn, heap_base"],
    ['an unknown flavor', { flavor: 'fma', module: empty }, 'core.flavor', "expected 'simd' or 'relaxed', found \"fma\""],
  ];
  it.each(cases)('is refused with E_ARG naming the part at fault: %s', async (_, core, argument, text) => {
    await expect(Arena.create(core as never)).rejects.toMatchObject({ code: 'E_ARG', argument, message: expect.stringContaining(`Arena.create: ${argument}: ${text}`) });
    await expect(createPool({ size: 0, core: core as never })).rejects.toMatchObject({ code: 'E_ARG', argument, message: expect.stringContaining(`${argument}: ${text}`) });
  });

  it('is used as given when it is one', async () => {
    const core = await compileCore('simd');
    expect((await Arena.create(core)).flavor).toBe('simd');
    await (await createPool({ size: 0, core })).close();
  });
});

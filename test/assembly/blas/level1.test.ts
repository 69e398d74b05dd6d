import { describe, expect, it } from 'vitest';
import { arenaFor, expectClose, flavors, guarded, lcg, randomF32 } from './helpers.js';

const LENGTHS = [0, 1, 3, 4, 7, 8, 9, 13, 16, 37, 129, 1000];

describe.each(flavors())('level-1 BLAS (%s binary)', (flavor) => {
  it.each(LENGTHS)('dot_f32, n=%i', async (n) => {
    const arena = await arenaFor(flavor);
    const rnd = lcg(n + 1);
    const x = randomF32(n, rnd);
    const y = randomF32(n, rnd);
    let want = 0;
    let scale = 0;
    for (let i = 0; i < n; i++) {
      want += x[i] * y[i];
      scale += Math.abs(x[i] * y[i]);
    }
    const got = arena.k.dot_f32(arena.putF32(x), arena.putF32(y), n);
    expectClose([got], [want], [scale], 1e-5, `dot n=${n}`);
  });

  it.each(LENGTHS)('axpy_f32, n=%i', async (n) => {
    const arena = await arenaFor(flavor);
    const rnd = lcg(n + 2);
    const x = randomF32(n, rnd);
    const y = randomF32(n, rnd);
    const alpha = -1.75;
    const py = guarded(arena, y);
    arena.k.axpy_f32(py.ptr, alpha, arena.putF32(x), n);
    py.check();
    const want = Array.from(y, (v, i) => v + alpha * x[i]);
    const scale = Array.from(y, (v, i) => Math.abs(v) + Math.abs(alpha * x[i]));
    expectClose(arena.getF32(py.ptr, n), want, scale, 1e-6, `axpy n=${n}`);
  });

  it.each(LENGTHS)('scal_f32, n=%i', async (n) => {
    const arena = await arenaFor(flavor);
    const x = randomF32(n, lcg(n + 3));
    const px = guarded(arena, x);
    arena.k.scal_f32(px.ptr, 0.3, n);
    px.check();
    const want = Array.from(x, (v) => 0.3 * v);
    expectClose(arena.getF32(px.ptr, n), want, want.map(Math.abs), 1e-6, `scal n=${n}`);
  });

  it('the guard catches a write past the end', async () => {
    const arena = await arenaFor(flavor);
    const g = guarded(arena, new Float32Array(5));
    arena.k.scal_f32(g.ptr, 2, 6); // one too many: the sentinel is doubled
    expect(() => g.check()).toThrow(/outside/);
  });
});

import { describe, it } from 'vitest';
import { arenaFor, expectClose, flavors, guarded, lcg, randomF32 } from './helpers.js';

const SHAPES: [number, number][] = [[1, 1], [1, 7], [7, 1], [7, 13], [13, 37], [37, 16], [129, 20], [4, 129], [33, 65]];

describe.each(flavors())('level-2 BLAS (%s binary)', (flavor) => {
  for (const trans of [false, true]) {
    const name = trans ? 'gemv_f32_t' : 'gemv_f32_n';
    it.each(SHAPES)(`${name}, %i×%i, beta 0, 1, 0.5`, async (m, n) => {
      const arena = await arenaFor(flavor);
      const rnd = lcg(m * 1000 + n + (trans ? 7 : 0));
      const a = randomF32(m * n, rnd);
      const xLen = trans ? m : n;
      const yLen = trans ? n : m;
      const x = randomF32(xLen, rnd);
      for (const beta of [0, 1, 0.5]) {
        const y0 = beta === 0 ? new Float32Array(yLen).fill(NaN) : randomF32(yLen, rnd);
        const mark = arena.mark();
        const py = guarded(arena, y0);
        const f = trans ? arena.k.gemv_f32_t : arena.k.gemv_f32_n;
        f(py.ptr, arena.putF32(a), arena.putF32(x), m, n, beta);
        py.check();
        const want = new Float64Array(yLen);
        const scale = new Float64Array(yLen);
        for (let o = 0; o < yLen; o++) {
          let s = 0;
          let sa = 0;
          for (let q = 0; q < xLen; q++) {
            const v = (trans ? a[q * n + o] : a[o * n + q]) * x[q];
            s += v;
            sa += Math.abs(v);
          }
          const old = beta === 0 ? 0 : beta * y0[o];
          want[o] = s + old;
          scale[o] = sa + Math.abs(old);
        }
        expectClose(arena.getF32(py.ptr, yLen), want, scale, 1e-5, `${name} ${m}×${n} beta ${beta}`);
        arena.reset(mark);
      }
    });
  }
});

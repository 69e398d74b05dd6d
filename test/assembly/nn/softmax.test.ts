import { beforeAll, describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';
import { maxRelErr, randF32, SHAPES } from './ref.js';

let a: Arena;
beforeAll(async () => {
  a = await Arena.create();
});

function run(name: 'softmax_f32' | 'log_softmax_f32', x: Float32Array, m: number, n: number, inPlace = false): Float32Array {
  const mark = a.mark();
  const px = a.putF32(x);
  const out = inPlace ? px : a.allocF32(m * n);
  a.k[name](out, px, m, n);
  const r = a.getF32(out, m * n);
  a.reset(mark);
  return r;
}

/** Float64 log-softmax of each row. */
function logSoftmaxRef(x: ArrayLike<number>, m: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let r = 0; r < m; r++) {
    let mx = -Infinity;
    for (let j = 0; j < n; j++) mx = Math.max(mx, x[r * n + j]);
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.exp(x[r * n + j] - mx);
    for (let j = 0; j < n; j++) out[r * n + j] = x[r * n + j] - mx - Math.log(s);
  }
  return out;
}

describe('softmax_f32 / log_softmax_f32', () => {
  for (const [m, n] of SHAPES) {
    it(`match float64 references, rows summing to 1 (${m}×${n})`, () => {
      const x = randF32(m * n, 31 * m + n, 4, 1);
      const ref = logSoftmaxRef(x, m, n);
      const p = run('softmax_f32', x, m, n);
      expect(maxRelErr(p, ref.map(Math.exp), 1e-38)).toBeLessThan(2.5e-7);
      for (let r = 0; r < m; r++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += p[r * n + j];
        expect(Math.abs(s - 1)).toBeLessThan(n * 1.2e-7);
      }
      const lp = run('log_softmax_f32', x, m, n);
      // Absolute accuracy near 0 (a probability near 1), relative elsewhere.
      expect(maxRelErr(lp, ref, 1)).toBeLessThan(1.2e-7);
      expect(Array.from(run('softmax_f32', x, m, n, true))).toEqual(Array.from(p));
      expect(Array.from(run('log_softmax_f32', x, m, n, true))).toEqual(Array.from(lp));
    });
  }

  it('stay finite and exact for logits of ±1000', () => {
    const x = Float32Array.from([1000, -1000, 999, 1000, /* row 2 */ -1000, -1000, -1000, -1001]);
    const lp = run('log_softmax_f32', x, 2, 4);
    const ref = logSoftmaxRef(x, 2, 4);
    expect(lp.every(Number.isFinite)).toBe(true);
    expect(maxRelErr(lp, ref, 1)).toBeLessThan(1.2e-7);
    expect(lp[1]).toBeCloseTo(-2000 - Math.log(2 + Math.exp(-1)), 3);
    const p = run('softmax_f32', x, 2, 4);
    expect(p.every(Number.isFinite)).toBe(true);
    expect(p[1]).toBe(0);
    expect(maxRelErr(p, ref.map(Math.exp), 1e-38)).toBeLessThan(2.5e-7);
    expect(p[4] + p[5] + p[6] + p[7]).toBeCloseTo(1, 6);
  });

  it('give a single-class row probability 1 and log-probability 0', () => {
    expect(Array.from(run('softmax_f32', Float32Array.from([-3, 7, 1e30]), 3, 1))).toEqual([1, 1, 1]);
    expect(Array.from(run('log_softmax_f32', Float32Array.from([-3, 7, 1e30]), 3, 1))).toEqual([0, 0, 0]);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';
import { ACTS, actDerivRef, randF32 } from './ref.js';

let a: Arena;
beforeAll(async () => {
  a = await Arena.create();
});

// Every activation code of the ABI (0–10), not only the five with float64 references in ref.ts.
const CODES = Array.from({ length: 11 }, (_, i) => i);
// Awkward shapes: n below, at and above one vector, n mod 4 = 0…3, one row, the benchmark's 300×50.
const SHAPES: readonly (readonly [number, number])[] = [[1, 1], [2, 2], [3, 3], [5, 4], [4, 5], [6, 6], [7, 7], [9, 13], [2, 16], [11, 50], [300, 50]];

/**
 * The four separate kernels: dz = (a ⊗ b) then act_backward over the block, db = bias_grad (beta 0),
 * dw = yᵀ·a (gemm_f32_tn, beta 0).
 */
function separate(av: Float32Array, bv: Float32Array, z: Float32Array, y: Float32Array, m: number, n: number, act: number) {
  const mark = a.mark();
  const outer = new Float32Array(m * n);
  for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) outer[r * n + j] = Math.fround(av[r] * bv[j]);
  const pd = a.putF32(outer);
  a.k.act_backward_f32(pd, pd, a.putF32(z), a.putF32(y), m * n, act);
  const pdb = a.allocF32(n);
  a.k.bias_grad_f32(pdb, pd, m, n, 0);
  const pdw = a.allocF32(n);
  a.k.gemm_f32_tn(pdw, a.putF32(y), a.putF32(av), n, 1, m, 0, a.gemmWork);
  const out = { dz: a.getF32(pd, m * n), db: a.getF32(pdb, n), dw: a.getF32(pdw, n) };
  a.reset(mark);
  return out;
}

function fused(av: Float32Array, bv: Float32Array, z: Float32Array, y: Float32Array, m: number, n: number, act: number, withDb = true, withDw = true) {
  const mark = a.mark();
  const pd = a.allocF32(m * n);
  // Stale values in db and dw: the kernel must overwrite them.
  const pdb = withDb ? a.putF32(new Float32Array(n).fill(Number.NaN)) : 0;
  const pdw = withDw ? a.putF32(new Float32Array(n).fill(Number.NaN)) : 0;
  a.k.outer_act_backward_f32(pd, pdb, pdw, a.putF32(av), a.putF32(bv), a.putF32(z), a.putF32(y), m, n, act);
  const out = { dz: a.getF32(pd, m * n), db: withDb ? a.getF32(pdb, n) : new Float32Array(0), dw: withDw ? a.getF32(pdw, n) : new Float32Array(0) };
  a.reset(mark);
  return out;
}

function inputs(m: number, n: number, act: number) {
  // Away from relu's kink, where the float64 derivative below is defined.
  const z = randF32(m * n, 100 * m + n + act, 2).map((v) => (Math.abs(v) < 1e-2 ? v + 0.1 : v));
  const mark = a.mark();
  const pz = a.putF32(z);
  const py = a.allocF32(m * n);
  a.k.bias_act_f32(pz, py, 0, m, n, act);
  const y = a.getF32(py, m * n);
  a.reset(mark);
  return { z, y, av: randF32(m, m + 17, 1.5), bv: randF32(n, n + 29, 0.7) };
}

describe('outer_act_backward_f32', () => {
  for (const [m, n] of SHAPES) {
    it(`gives the bits of outer product, act_backward, bias_grad and gemm_f32_tn for every activation (${m}×${n})`, () => {
      for (const act of CODES) {
        const { z, y, av, bv } = inputs(m, n, act);
        const ref = separate(av, bv, z, y, m, n, act);
        const got = fused(av, bv, z, y, m, n, act);
        expect(Array.from(got.dz), `dz, code ${act}`).toEqual(Array.from(ref.dz));
        expect(Array.from(got.db), `db, code ${act}`).toEqual(Array.from(ref.db));
        expect(Array.from(got.dw), `dw, code ${act}`).toEqual(Array.from(ref.dw));
        expect(Array.from(fused(av, bv, z, y, m, n, act, false, false).dz), `dz without db and dw, code ${act}`).toEqual(Array.from(ref.dz));
        expect(Array.from(fused(av, bv, z, y, m, n, act, true, false).db), `db without dw, code ${act}`).toEqual(Array.from(ref.db));
      }
    });
  }

  it('matches the float64 chain rule (a[r]·b[j]·act′(z), column sums) for the referenced activations', () => {
    const [m, n] = [37, 50];
    for (let act = 0; act < ACTS.length; act++) {
      const { z, y, av, bv } = inputs(m, n, act);
      const g = fused(av, bv, z, y, m, n, act);
      let worst = 0;
      const colRef = new Float64Array(n);
      const colScale = new Float64Array(n);
      for (let r = 0; r < m; r++) {
        for (let j = 0; j < n; j++) {
          const up = av[r] * bv[j];
          // tanh and sigmoid read y (an f32 rounding): error on the scale of |upstream|, as in activation.test.ts.
          const ref = up * (act === 2 ? 1 - Math.tanh(z[r * n + j]) ** 2 : actDerivRef(act, z[r * n + j]));
          colRef[j] += ref;
          colScale[j] += Math.abs(up);
          worst = Math.max(worst, Math.abs(g.dz[r * n + j] - ref) / (Math.abs(up) + 1e-30));
        }
      }
      expect(worst, ACTS[act]).toBeLessThan(2e-6);
      for (let j = 0; j < n; j++) expect(Math.abs(g.db[j] - colRef[j]) / colScale[j], `${ACTS[act]} db[${j}]`).toBeLessThan(1e-5);
    }
  });
});

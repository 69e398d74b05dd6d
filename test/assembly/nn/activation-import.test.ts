// The activations that imported networks use (TF.js / Keras definitions), against float64: elu,
// selu, swish (silu), relu6, softsign, hard sigmoid — forward over dense sweeps and at the edges,
// derivatives against the float64 ones, and the float64 derivatives against central differences.
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATION_CODE } from '../../../src/model/spec.js';
import { Arena } from '../../../src/wasm/index.js';
import { randF32, sigmoid } from './ref.js';

let a: Arena;
beforeAll(async () => {
  a = await Arena.create();
});

const LAMBDA = 1.0507009873554805;
const ALPHA = 1.6732632423543772;
type Ref = { f: (x: number) => number; d: (x: number) => number; tol: number; dtol: number };
// Relative tolerances: expm1 and σ are a few f32 ulps (≈ 4e-7 as for tanh/sigmoid); the piecewise
// linear ones are one rounding.
const REFS: Record<string, Ref> = {
  elu: { f: (x) => (x > 0 ? x : Math.expm1(x)), d: (x) => (x > 0 ? 1 : Math.exp(x)), tol: 4e-7, dtol: 4e-7 },
  selu: { f: (x) => LAMBDA * (x > 0 ? x : ALPHA * Math.expm1(x)), d: (x) => LAMBDA * (x > 0 ? 1 : ALPHA * Math.exp(x)), tol: 5e-7, dtol: 5e-7 },
  swish: { f: (x) => x * sigmoid(x), d: (x) => sigmoid(x) * (1 + x * (1 - sigmoid(x))), tol: 5e-7, dtol: 6e-7 },
  relu6: { f: (x) => Math.min(Math.max(x, 0), 6), d: (x) => (x > 0 && x < 6 ? 1 : 0), tol: 1e-300, dtol: 1e-300 },
  softsign: { f: (x) => x / (1 + Math.abs(x)), d: (x) => 1 / (1 + Math.abs(x)) ** 2, tol: 2.5e-7, dtol: 4e-7 },
  'hard-sigmoid': { f: (x) => Math.min(Math.max(0.2 * x + 0.5, 0), 1), d: (x) => (0.2 * x + 0.5 > 0 && 0.2 * x + 0.5 < 1 ? 0.2 : 0), tol: 2.5e-7, dtol: 1e-7 },
};

function run(xs: Float32Array, act: number): { y: Float32Array; dz: Float32Array } {
  const mark = a.mark();
  const z = a.putF32(xs);
  const y = a.allocF32(xs.length);
  a.k.bias_act_f32(z, y, 0, 1, xs.length, act);
  const dz = a.allocF32(xs.length);
  a.k.act_backward_f32(dz, a.putF32(new Float32Array(xs.length).fill(1)), z, 0, xs.length, act);
  const out = { y: a.getF32(y, xs.length), dz: a.getF32(dz, xs.length) };
  a.reset(mark);
  return out;
}

// Linear over [−20, 20] and log-spaced magnitudes 1e-12..1e3 of both signs (as activation.test.ts).
const n = 40_000;
const SWEEP = Float32Array.from({ length: n }, (_, i) => {
  const t = i / n;
  return i % 2 ? t * 40 - 20 : Math.sign(t - 0.5 || 1) * 10 ** (Math.abs(t - 0.5) * 30 - 12);
});
const EDGES = Float32Array.from([0, -0, 1e-30, -1e-30, 1e-4, -1e-4, -0.3465, -0.3466, -0.35, 0.7, -0.7, -2.5, 2.5, 6, 5.9999995, 6.0000005, 3, -3, -20, 20, -86, -88, 1000, -1000]);

describe('activations for imported networks', () => {
  for (const [name, r] of Object.entries(REFS)) {
    const act = ACTIVATION_CODE[name as keyof typeof ACTIVATION_CODE];
    it(`${name}: forward and derivative within ${r.tol} / ${r.dtol} of float64`, () => {
      for (const xs of [SWEEP, EDGES]) {
        const { y, dz } = run(xs, act);
        let worst = { excess: 0, what: '' };
        for (let i = 0; i < xs.length; i++) {
          const x = xs[i];
          const ref = r.f(x);
          // swish below −87: σ(x) is subnormal in f32 (few bits), so only an absolute bound holds there;
          // hard sigmoid is 0.2·x + 0.5 in f32 (as TF.js computes it): absolute error ulp(½) near its 0.
          const abs = name === 'swish' && x < -87 ? 1e-38 : name === 'hard-sigmoid' ? 1.2e-7 : 1e-44;
          const e = Math.abs(y[i] - ref) / Math.max(r.tol * Math.abs(ref), abs);
          if (e > worst.excess) worst = { excess: e, what: `${name}(${x}) = ${y[i]}, want ${ref}` };
          // Derivatives on the gradient's scale (|act'| + 1), skipping the kinks of the piecewise ones.
          if ((name === 'relu6' && (x === 0 || x === 6)) || (name === 'hard-sigmoid' && Math.abs(Math.abs(x) - 2.5) < 1e-6)) continue;
          const dref = r.d(x);
          const de = Math.abs(dz[i] - dref) / (Math.abs(dref) + 1) / Math.max(r.dtol, 1e-300);
          if (de > worst.excess) worst = { excess: de, what: `${name}'(${x}) = ${dz[i]}, want ${dref}` };
        }
        expect(worst.excess, worst.what).toBeLessThanOrEqual(1);
      }
    });
    it(`${name}: the float64 derivative agrees with central differences`, () => {
      for (const x of [-6, -3.3, -1.5, -0.4, 0.3, 0.9, 2.7, 5]) {
        const h = 1e-6;
        expect(Math.abs((r.f(x + h) - r.f(x - h)) / (2 * h) - r.d(x)), `${name} at ${x}`).toBeLessThan(1e-8);
      }
    });
  }

  it('bias + activation in rows whose width is not a multiple of 4 (padded tail) matches the whole-vector path', () => {
    const z0 = randF32(7 * 13, 5, 3);
    const bias = randF32(13, 6, 0.5);
    for (const name of Object.keys(REFS)) {
      const act = ACTIVATION_CODE[name as keyof typeof ACTIVATION_CODE];
      const mark = a.mark();
      const z = a.putF32(z0);
      const y = a.allocF32(z0.length);
      a.k.bias_act_f32(z, y, a.putF32(bias), 7, 13, act);
      const got = a.getF32(y, z0.length);
      a.reset(mark);
      const want = run(z0.map((v, i) => Math.fround(v + bias[i % 13])), act).y;
      expect(Array.from(got), name).toEqual(Array.from(want));
    }
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';
import { ACTS, actDerivRef, actRef, maxRelErr, normCdf, randF32, SHAPES } from './ref.js';

let a: Arena;
beforeAll(async () => {
  a = await Arena.create();
});

/** Runs bias_act_f32 on copies; returns z after the bias add and y. */
function forward(z0: Float32Array, bias: Float32Array | null, m: number, n: number, act: number, inPlace = false) {
  const mark = a.mark();
  const z = a.putF32(z0);
  const y = inPlace ? z : a.allocF32(m * n);
  const b = bias ? a.putF32(bias) : 0;
  a.k.bias_act_f32(z, y, b, m, n, act);
  const out = { z: a.getF32(z, m * n), y: a.getF32(y, m * n) };
  a.reset(mark);
  return out;
}

function backward(dy: Float32Array, z: Float32Array, y: Float32Array, act: number): Float32Array {
  const mark = a.mark();
  const pdz = a.allocF32(dy.length);
  a.k.act_backward_f32(pdz, a.putF32(dy), a.putF32(z), a.putF32(y), dy.length, act);
  const dz = a.getF32(pdz, dy.length);
  a.reset(mark);
  return dz;
}

// Relative error vs float64: exact for identity/relu; a few f32 ulps for the f32x4 tanh, sigmoid, gelu.
const TOL = [0, 0, 4e-7, 4e-7, 4e-7];
// Derivatives on the gradient's scale (see act_backward_f32 below). tanh' = 1 − y² is computed from the
// forward's y, so it inherits 2|y| times y's error: the rational tanh is within 3.6e-7 (≈ 6 ulp near 1).
const DTOL = [4e-7, 4e-7, 8e-7, 4e-7, 4e-7];

describe('float64 references used below', () => {
  it('Φ matches known values in both tails', () => {
    expect(normCdf(1)).toBeCloseTo(0.8413447460685429, 14);
    expect(Math.abs(normCdf(-5) / 2.866515718791939e-7 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(normCdf(-10) / 7.61985302416047e-24 - 1)).toBeLessThan(1e-12);
    expect(Math.abs(normCdf(-2) / 0.022750131948179195 - 1)).toBeLessThan(1e-12);
  });
});

describe('bias_act_f32', () => {
  for (const [m, n] of SHAPES) {
    it(`adds the bias row-wise and applies every activation (${m}×${n})`, () => {
      const z0 = randF32(m * n, m * 1000 + n, 3);
      const bias = randF32(n, 7 + n, 0.5);
      for (let act = 0; act < ACTS.length; act++) {
        const { z, y } = forward(z0, bias, m, n, act);
        const zRef = z0.map((v, i) => Math.fround(v + bias[i % n]));
        expect(Array.from(z), ACTS[act]).toEqual(Array.from(zRef));
        const yRef = Array.from(zRef, (v) => actRef(act, v));
        expect(maxRelErr(y, yRef, 1e-37), ACTS[act]).toBeLessThanOrEqual(TOL[act]);
        // Without a bias, and with y written over z.
        const nb = forward(z0, null, m, n, act, true);
        expect(maxRelErr(nb.y, Array.from(z0, (v) => actRef(act, v)), 1e-37), `${ACTS[act]} no bias`).toBeLessThanOrEqual(TOL[act]);
      }
    });
  }

  it('is accurate at extreme and boundary inputs', () => {
    // ±√2 is where the gelu erf switches method; ±1000 saturate; tiny values test cancellation.
    const xs = Float32Array.from([0, -0, 1e-30, -1e-30, 1e-4, -1e-4, 0.7, -0.7, 1.4142135, -1.4142135, 1.4142137, -1.4142137,
      3, -3, 8, -8, -12, -13.5, 20, -20, 88, -88, 1000, -1000]);
    for (let act = 0; act < ACTS.length; act++) {
      const { y } = forward(xs, null, 1, xs.length, act);
      for (let i = 0; i < xs.length; i++) {
        const ref = actRef(act, xs[i]);
        // Subnormal results keep few bits: allow a few of their ulps (1.4e-45), scaled by |x| for x·Φ(x).
        const tol = Math.max(TOL[act] * Math.abs(ref), 6e-45 * Math.max(1, Math.abs(xs[i])));
        expect(Math.abs(y[i] - ref), `${ACTS[act]}(${xs[i]}) = ${y[i]}, want ${ref}`).toBeLessThanOrEqual(tol);
      }
    }
  });

  it('holds its accuracy over a dense sweep of values and magnitudes', () => {
    // Linear over [−20, 20] (crossing every branch point: |x| = 1 in Φ, the clamps) and log-spaced
    // magnitudes 1e-12..1e3 of both signs.
    const n = 40_000;
    const xs = Float32Array.from({ length: n }, (_, i) => {
      const t = i / n;
      return i % 2 ? t * 40 - 20 : Math.sign(t - 0.5 || 1) * 10 ** (Math.abs(t - 0.5) * 30 - 12);
    });
    for (let act = 2; act < ACTS.length; act++) {
      const { y } = forward(xs, null, 1, n, act);
      let worst = 0;
      for (let i = 0; i < n; i++) {
        const ref = actRef(act, xs[i]);
        if (Math.abs(ref) > 1e-37) worst = Math.max(worst, Math.abs(y[i] - ref) / Math.abs(ref));
      }
      expect(worst, ACTS[act]).toBeLessThanOrEqual(TOL[act]);
      const dz = backward(new Float32Array(n).fill(1), xs, y, act);
      let worstD = 0;
      for (let i = 0; i < n; i++) {
        const ref = actDerivRef(act, xs[i]);
        worstD = Math.max(worstD, Math.abs(dz[i] - ref) / (Math.abs(ref) + 1));
      }
      expect(worstD, `${ACTS[act]}'`).toBeLessThanOrEqual(DTOL[act]);
    }
  });

  it('relu maps NaN and −0 to +0, like the scalar tail', () => {
    const xs = Float32Array.from([NaN, -0, NaN, -0, NaN]);
    const { y } = forward(xs, null, 1, 5, 1);
    expect(Array.from(y).every((v) => Object.is(v, 0))).toBe(true);
  });
});

describe('act_backward_f32', () => {
  for (const [m, n] of SHAPES) {
    it(`matches the float64 derivative for every activation (${m}×${n})`, () => {
      const len = m * n;
      // Keep relu inputs away from its kink so finite differences below are meaningful.
      const z = randF32(len, len + 3, 2).map((v) => (Math.abs(v) < 1e-2 ? v + 0.1 : v));
      const dy = randF32(len, len + 4);
      for (let act = 0; act < ACTS.length; act++) {
        const { y } = forward(z, null, 1, len, act);
        const dz = backward(dy, z, y, act);
        const ref = Array.from(z, (v, i) => dy[i] * actDerivRef(act, v));
        // tanh/sigmoid use y, an f32 rounding of the value: where y≈±1 (or 0, 1) 1 − y² keeps its
        // absolute accuracy (ulp(1)·|dy|) but not a relative one; gelu' = Φ + xφ crosses 0 near −0.75.
        // So the error is measured against |dy·act'| + |dy| there: accuracy on the gradient's scale.
        const floor = act >= 2 ? 1 : 0;
        const err = Array.from(dz, (v, i) => Math.abs(v - ref[i]) / (Math.abs(ref[i]) + floor * Math.abs(dy[i]) + 1e-30));
        expect(Math.max(...err), ACTS[act]).toBeLessThan(DTOL[act]);
      }
    });
  }

  it('float64 derivatives agree with central differences of the float64 forward', () => {
    const xs = [-6, -3.3, -1.5, -1, -0.4, 0.3, 0.9, 1.2, 2.7, 5];
    for (let act = 0; act < ACTS.length; act++) {
      for (const x of xs) {
        const h = 1e-5;
        const fd = (actRef(act, x + h) - actRef(act, x - h)) / (2 * h);
        expect(Math.abs(fd - actDerivRef(act, x)), `${ACTS[act]} at ${x}`).toBeLessThan(1e-8);
      }
    }
  });

  it('the f32 kernels agree with central differences of the f32 kernel forward', () => {
    const xs = Float32Array.from([-6, -3.3, -1.5, -1, -0.4, 0.3, 0.9, 1.2, 2.7, 5]);
    const h = 1 / 64; // exact in f32; truncation error O(h²) dominates f32 rounding / h
    for (let act = 0; act < ACTS.length; act++) {
      const up = forward(xs.map((v) => v + h), null, 1, xs.length, act).y;
      const dn = forward(xs.map((v) => v - h), null, 1, xs.length, act).y;
      const { y } = forward(xs, null, 1, xs.length, act);
      const dz = backward(new Float32Array(xs.length).fill(1), xs, y, act);
      for (let i = 0; i < xs.length; i++) {
        expect(Math.abs((up[i] - dn[i]) / (2 * h) - dz[i]), `${ACTS[act]} at ${xs[i]}`).toBeLessThan(2e-4);
      }
    }
  });

  it('may write dz over dy', () => {
    const z = randF32(37, 1, 2);
    const dy = randF32(37, 2);
    for (let act = 0; act < ACTS.length; act++) {
      const { y } = forward(z, null, 1, 37, act);
      const expected = backward(dy, z, y, act);
      const mark = a.mark();
      const p = a.putF32(dy);
      a.k.act_backward_f32(p, p, a.putF32(z), a.putF32(y), 37, act);
      expect(Array.from(a.getF32(p, 37))).toEqual(Array.from(expected));
      a.reset(mark);
    }
  });
});

describe('bias_grad_f32', () => {
  for (const [m, n] of SHAPES) {
    it(`sums columns, overwriting (beta 0) or accumulating (beta 1) (${m}×${n})`, () => {
      const dz = randF32(m * n, 5 * m + n);
      const ref = new Float64Array(n);
      const abs = new Float64Array(n);
      for (let i = 0; i < m * n; i++) {
        ref[i % n] += dz[i];
        abs[i % n] += Math.abs(dz[i]);
      }
      // f32 summation of m terms: error within m·2⁻²⁴·Σ|dz| (the textbook bound).
      const within = (got: Float32Array, want: Float64Array, k: number) =>
        Array.from(got).every((v, j) => Math.abs(v - want[j]) <= (k * m + 1) * 6e-8 * abs[j]);
      const mark = a.mark();
      const pdz = a.putF32(dz);
      const db = a.putF32(new Float32Array(n).fill(NaN));
      a.k.bias_grad_f32(db, pdz, m, n, 0);
      const once = a.getF32(db, n);
      expect(within(once, ref, 1)).toBe(true);
      a.k.bias_grad_f32(db, pdz, m, n, 1);
      expect(within(a.getF32(db, n), ref.map((v) => 2 * v), 2)).toBe(true);
      a.reset(mark);
    });
  }
});

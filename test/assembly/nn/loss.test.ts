import { beforeAll, describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';
import { Rng } from '../../../src/random/index.js';
import { randF32, sigmoid, softplus, SHAPES } from './ref.js';

let a: Arena;
beforeAll(async () => {
  a = await Arena.create();
});

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * A loss under test: the output (the array the gradient is taken with respect to), the targets,
 * the kernel call, and a float64 reference returning [sum NLL, gradient].
 */
interface Case {
  name: string;
  out: Float32Array;
  target: Float32Array;
  kernel: (grad: number, out: number, target: number, scale: number) => number;
  ref: (out: ArrayLike<number>) => [number, Float64Array];
}

function gaussian(m: number, n: number, logS2: number): Case {
  return {
    name: 'gaussian',
    out: randF32(m * n, m + 3 * n, 2),
    target: randF32(m * n, m + 5 * n, 2),
    kernel: (g, o, t, s) => a.k.loss_gaussian_f32(g, o, t, m, n, logS2, s),
    ref(out) {
      const grad = new Float64Array(m * n);
      let L = 0;
      for (let i = 0; i < m * n; i++) {
        const d = out[i] - this.target[i];
        L += 0.5 * (LOG_2PI + logS2 + (d * d) / Math.exp(logS2));
        grad[i] = d / Math.exp(logS2);
      }
      return [L, grad];
    },
  };
}

function hetero(m: number, n: number, minVar: number, beta = 0): Case {
  return {
    name: beta === 0 ? 'hetero' : `hetero β=${beta}`,
    out: randF32(2 * m * n, 2 * m + n, 1.5),
    target: randF32(m * n, m + 7 * n, 2),
    kernel: (g, o, t, s) => a.k.loss_hetero_f32(g, o, t, m, n, minVar, beta, s),
    ref(out) {
      const grad = new Float64Array(2 * m * n);
      let L = 0;
      const mv = Math.fround(minVar);
      for (let r = 0; r < m; r++) {
        for (let j = 0; j < n; j++) {
          const mu = out[r * 2 * n + j];
          const rho = out[r * 2 * n + n + j];
          const v = softplus(rho) + mv;
          const d = this.target[r * n + j] - mu;
          L += 0.5 * (LOG_2PI + Math.log(v) + (d * d) / v);
          // β-NLL: the plain gradient weighted by v^β (a constant weight, so not the gradient of L).
          const w = v ** beta;
          grad[r * 2 * n + j] = (-d / v) * w;
          grad[r * 2 * n + n + j] = 0.5 * (1 / v - (d * d) / (v * v)) * sigmoid(rho) * w;
        }
      }
      return [L, grad];
    },
  };
}

function categorical(m: number, k: number): Case {
  const r = new Rng(m * 100 + k, 2);
  return {
    name: 'softmax_ce',
    out: randF32(m * k, 3 * m + k, 3),
    target: Float32Array.from({ length: m }, () => r.int(k)),
    kernel: (g, o, t, s) => a.k.loss_softmax_ce_f32(g, o, t, m, k, s),
    ref(out) {
      const grad = new Float64Array(m * k);
      let L = 0;
      for (let i = 0; i < m; i++) {
        let mx = -Infinity;
        for (let j = 0; j < k; j++) mx = Math.max(mx, out[i * k + j]);
        let s = 0;
        for (let j = 0; j < k; j++) s += Math.exp(out[i * k + j] - mx);
        const lse = mx + Math.log(s);
        const label = this.target[i];
        L += lse - out[i * k + label];
        for (let j = 0; j < k; j++) grad[i * k + j] = Math.exp(out[i * k + j] - lse) - (j === label ? 1 : 0);
      }
      return [L, grad];
    },
  };
}

function bernoulli(m: number, n: number): Case {
  const r = new Rng(m * 10 + n, 3);
  return {
    name: 'bernoulli',
    out: randF32(m * n, 9 * m + n, 3),
    target: Float32Array.from({ length: m * n }, () => (r.uniform() < 0.4 ? 1 : 0)),
    kernel: (g, o, t, s) => a.k.loss_bernoulli_f32(g, o, t, m, n, s),
    ref(out) {
      const grad = new Float64Array(m * n);
      let L = 0;
      for (let i = 0; i < m * n; i++) {
        L += softplus(out[i]) - this.target[i] * out[i];
        grad[i] = sigmoid(out[i]) - this.target[i];
      }
      return [L, grad];
    },
  };
}

/** Runs the kernel: [sum NLL, grad (f32)], or the loss alone when withGrad is false. */
function runKernel(c: Case, out: Float32Array, scale: number, withGrad = true): [number, Float32Array] {
  const mark = a.mark();
  const po = a.putF32(out);
  const pt = a.putF32(c.target);
  const pg = withGrad ? a.putF32(new Float32Array(out.length).fill(NaN)) : 0;
  const L = c.kernel(pg, po, pt, scale);
  const g = withGrad ? a.getF32(pg, out.length) : new Float32Array(0);
  a.reset(mark);
  return [L, g];
}

/** Losses whose gradient is the gradient of their value (β-NLL's is not: see its own test). */
function cases(m: number, n: number): Case[] {
  return [gaussian(m, n, 0.3), gaussian(m, n, -2), hetero(m, n, 1e-3), categorical(m, n), bernoulli(m, n)];
}

/** A few element indices to probe by finite differences (all of them for small outputs). */
function probes(len: number): number[] {
  if (len <= 64) return Array.from({ length: len }, (_, i) => i);
  const r = new Rng(len, 9);
  return Array.from({ length: 40 }, () => r.int(len));
}

describe('losses', () => {
  for (const [m, n] of SHAPES) {
    it(`return the float64 NLL sum and scale × its gradient (${m}×${n})`, () => {
      for (const c of [...cases(m, n), hetero(m, n, 1e-3, 0.5), hetero(m, n, 0, 1)]) {
        const scale = Math.fround(1 / m); // the kernel takes scale as f32
        const [L, g] = runKernel(c, c.out, scale);
        const [Lref, gref] = c.ref(c.out);
        expect(Math.abs(L - Lref), c.name).toBeLessThan(1e-12 * (1 + Math.abs(Lref)) * c.out.length);
        // One f32 rounding of the float64 value: within 2⁻²⁴ relative (plus an underflow floor).
        let worst = 0;
        for (let i = 0; i < g.length; i++) {
          worst = Math.max(worst, Math.abs(g[i] - scale * gref[i]) / (6e-8 * Math.abs(scale * gref[i]) + 1e-40));
        }
        expect(worst, `${c.name} grad`).toBeLessThanOrEqual(1);
        const [L0] = runKernel(c, c.out, scale, false);
        expect(L0, `${c.name} without grad`).toBe(L);
      }
    });

    it(`float64 reference gradients match central differences (${m}×${n})`, () => {
      for (const c of cases(m, n)) {
        const x = Float64Array.from(c.out);
        const [, gref] = c.ref(x);
        for (const i of probes(x.length)) {
          const h = 1e-4 * Math.max(1, Math.abs(x[i]));
          const x0 = x[i];
          x[i] = x0 + h;
          const up = c.ref(x)[0];
          x[i] = x0 - h;
          const dn = c.ref(x)[0];
          x[i] = x0;
          expect(Math.abs((up - dn) / (2 * h) - gref[i]), `${c.name}[${i}]`).toBeLessThan(1e-6 * (1 + Math.abs(gref[i])));
        }
      }
    });

    it(`the f32 kernels' gradients match central differences of their own loss (${m}×${n})`, () => {
      for (const c of cases(m, n)) {
        const [, g] = runKernel(c, c.out, 1);
        const x = Float32Array.from(c.out);
        for (const i of probes(x.length)) {
          const x0 = x[i];
          // Steps that are exact in f32, so the difference quotient uses the true step.
          const xp = Math.fround(x0 + 2 ** -10 * Math.max(1, Math.abs(x0)));
          const xm = Math.fround(x0 - 2 ** -10 * Math.max(1, Math.abs(x0)));
          x[i] = xp;
          const up = runKernel(c, x, 1, false)[0];
          x[i] = xm;
          const dn = runKernel(c, x, 1, false)[0];
          x[i] = x0;
          const fd = (up - dn) / (xp - xm);
          expect(Math.abs(fd - g[i]), `${c.name}[${i}] fd ${fd} vs ${g[i]}`).toBeLessThan(2e-5 * (1 + Math.abs(g[i])));
        }
      }
    });
  }

  it('include the normalizing constants', () => {
    const y = Float32Array.from([0.5, -2, 3]);
    const g = gaussian(1, 3, 0);
    g.target = y;
    expect(runKernel(g, y, 1)[0]).toBeCloseTo(1.5 * LOG_2PI, 12);
    // N(y | μ, v) with v = softplus(0) + 0 = log 2 and y = μ.
    const h = hetero(1, 3, 0);
    h.target = y;
    expect(runKernel(h, Float32Array.from([0.5, -2, 3, 0, 0, 0]), 1)[0]).toBeCloseTo(1.5 * (LOG_2PI + Math.log(Math.LN2)), 6);
    // Uniform logits over k classes: log k per example.
    const c = categorical(2, 5);
    expect(runKernel(c, new Float32Array(10), 1)[0]).toBeCloseTo(2 * Math.log(5), 6);
    const b = bernoulli(1, 4);
    expect(runKernel(b, new Float32Array(4), 1)[0]).toBeCloseTo(4 * Math.LN2, 6);
  });

  it('β-NLL: the same loss value; with β = 1 the mean gets the squared-error gradient whatever the variance', () => {
    const h = hetero(3, 2, 0, 1);
    const plain = hetero(3, 2, 0);
    const [L, g] = runKernel(h, h.out, 1);
    expect(L).toBe(runKernel(plain, h.out, 1)[0]);
    for (let r = 0; r < 3; r++) {
      for (let j = 0; j < 2; j++) expect(g[r * 4 + j]).toBeCloseTo(h.out[r * 4 + j] - h.target[r * 2 + j], 5);
    }
  });

  it('stay finite and exact for logits of ±1000', () => {
    const c = categorical(2, 3);
    c.target = Float32Array.from([0, 2]);
    const [L, g] = runKernel(c, Float32Array.from([1000, -1000, 0, 1000, -1000, 1000]), 1);
    expect(L).toBeCloseTo(Math.LN2, 10);
    expect(Array.from(g)).toEqual([0, 0, 0, 0.5, 0, -0.5]);
    const b = bernoulli(1, 4);
    b.target = Float32Array.from([1, 0, 0, 1]);
    const [Lb, gb] = runKernel(b, Float32Array.from([1000, -1000, 1000, -1000]), 1);
    expect(Lb).toBe(2000);
    expect(Array.from(gb)).toEqual([0, 0, 1, -1]);
    // A huge raw variance parameter, and a very negative one (variance → min_var).
    const h = hetero(1, 2, 1e-3);
    h.target = Float32Array.from([0, 0]);
    const [Lh, gh] = runKernel(h, Float32Array.from([1, 1, 1000, -1000]), 1);
    expect(Number.isFinite(Lh)).toBe(true);
    expect(gh.every(Number.isFinite)).toBe(true);
    expect(gh[1]).toBeCloseTo(1 / Math.fround(1e-3), 0);
  });

  it('softmax_ce gives NaN and zero gradient rows for labels outside [0, k) or not integers', () => {
    for (const bad of [-1, 3, 1.5, NaN]) {
      const c = categorical(2, 3);
      c.target = Float32Array.from([1, bad]);
      const [L, g] = runKernel(c, Float32Array.from([1, 2, 3, 4, 5, 6]), 1);
      expect(L).toBeNaN();
      expect(Array.from(g.subarray(3))).toEqual([0, 0, 0]);
      expect(g.subarray(0, 3).every((v) => v !== 0)).toBe(true);
    }
  });
});

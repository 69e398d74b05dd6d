// The one leapfrog module: its JavaScript step and its core step (NUTS's diagonal leaves) integrate
// the same dynamics — equal to rounding, time-reversible, energy error O(ε²) — and the core step's
// fused bookkeeping writes the velocity and momentum it says.
import { describe, expect, it } from 'vitest';
import { Hamiltonian } from '../../src/samplers/hamiltonian.js';
import { Leapfrog, PhasePoint, type CoreVec } from '../../src/samplers/integrator.js';
import type { Target } from '../../src/samplers/types.js';
import { Arena } from '../../src/wasm/index.js';

/** N(0, diag(s²)) in 5 dimensions (an odd dimension exercises the core's scalar tail). */
const s = [0.5, 1, 2, 0.3, 1.5];
const gaussian: Target = {
  dim: 5,
  logDensity(q, g) {
    let lp = 0;
    for (let i = 0; i < 5; i++) {
      g[i] = -q[i] / (s[i] * s[i]);
      lp += -0.5 * (q[i] * q[i]) / (s[i] * s[i]);
    }
    return lp;
  },
};
const invMetric = Float64Array.from(s, (x) => 0.8 * x * x);
const q0 = [0.3, -1.2, 2.5, 0.1, -0.7];
const p0 = [1.1, 0.4, -0.9, 2.0, -0.3];

function start(): PhasePoint {
  const z = new PhasePoint(5);
  z.q.set(q0);
  z.p.set(p0);
  z.lp = gaussian.logDensity(z.q, z.g);
  return z;
}

describe('Leapfrog', () => {
  const h = new Hamiltonian(gaussian);
  const leapfrog = new Leapfrog(h);

  it('step: time-reversible, and its energy error falls as ε²', () => {
    const z = start();
    for (let i = 0; i < 10; i++) leapfrog.step(z, 0.1, invMetric);
    for (let i = 0; i < 10; i++) leapfrog.step(z, -0.1, invMetric);
    for (let i = 0; i < 5; i++) expect(z.q[i]).toBeCloseTo(q0[i], 12);
    const errorAt = (eps: number) => {
      const w = start();
      const H0 = h.energy(w, invMetric);
      for (let i = 0; i < Math.round(1 / eps); i++) leapfrog.step(w, eps, invMetric);
      return Math.abs(h.energy(w, invMetric) - H0);
    };
    const ratio = errorAt(0.02) / errorAt(0.01);
    expect(ratio).toBeGreaterThan(3);
    expect(ratio).toBeLessThan(5);
  });

  it('stepInCore: the same step to rounding, from one point into another, with the velocity at the new one', async () => {
    const arena = await Arena.create();
    const vec = (init?: ArrayLike<number>): CoreVec => {
      const ptr = arena.allocF64(5);
      const v = { ptr, view: arena.f64(ptr, 5) };
      if (init) v.view.set(init);
      return v;
    };
    const js = start();
    const from = { q: vec(js.q), p: vec(js.p), g: vec(js.g), v: vec(), lp: js.lp };
    const to = { q: vec(), p: vec(), g: vec(), v: vec(), lp: 0 };
    const was = [from.q, from.p, from.g].map((x) => Array.from(x.view));
    const invM = vec(invMetric);
    const H = leapfrog.stepInCore(arena.k, from, to, 0.2, invM, () => {});
    leapfrog.step(js, 0.2, invMetric);
    for (let i = 0; i < 5; i++) {
      expect(to.q.view[i]).toBeCloseTo(js.q[i], 14);
      expect(to.p.view[i]).toBeCloseTo(js.p[i], 14);
      expect(to.g.view[i]).toBeCloseTo(js.g[i], 14);
      expect(to.v.view[i]).toBeCloseTo(invMetric[i] * js.p[i], 14);
    }
    expect([from.q, from.p, from.g].map((x) => Array.from(x.view)), 'the starting point is left as it was').toEqual(was);
    expect(to.lp).toBeCloseTo(js.lp, 12);
    expect(H).toBeCloseTo(h.energy(js, invMetric), 12);
  });

  it('a non-finite gradient puts the point outside the support', async () => {
    const bad: Target = { dim: 5, logDensity: (q, g) => (g.fill(NaN), 0) };
    const z = start();
    new Leapfrog(new Hamiltonian(bad)).step(z, 0.1, invMetric);
    expect(z.lp).toBe(-Infinity);
  });
});

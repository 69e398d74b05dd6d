import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/random/index.js';
import { Arena } from '../../../src/wasm/index.js';

// The f64 passes of a NUTS trajectory (assembly/samplers/nuts.ts) against plain float64 loops, on
// odd and even lengths (the kernels run two lanes and a scalar tail), with sentinels past the end.
let a: Arena;
beforeAll(async () => {
  a = await Arena.create();
});

const SIZES = [1, 2, 3, 7, 8, 37, 501];
const SENTINEL = -12345.25;

function rand(n: number, rng: Rng, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => scale * (2 * rng.uniform() - 1));
}

/** Puts x followed by two sentinels; returns the address. */
function put(x: Float64Array): number {
  return a.putF64(Float64Array.from([...x, SENTINEL, SENTINEL]));
}

function get(p: number, n: number): Float64Array {
  const all = a.getF64(p, n + 2);
  expect(Array.from(all.subarray(n)), 'nothing written past n').toEqual([SENTINEL, SENTINEL]);
  return all.subarray(0, n);
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `${what}[${i}]`).toBeLessThanOrEqual(1e-15 * (1 + Math.abs(want[i])));
}

describe('leapfrog_kick_drift_f64', () => {
  it('pTo = p + ½ε·g, then qTo = q + ε·M⁻¹pTo, leaving the starting point as it was', () => {
    for (const n of SIZES) {
      const rng = new Rng(n, 1);
      const [q, p, g] = [rand(n, rng), rand(n, rng), rand(n, rng)];
      const inv = rand(n, rng).map((v) => 0.5 + Math.abs(v));
      const eps = -0.37;
      const mark = a.mark();
      const [pq, pp, pg, pi, qTo, pTo] = [put(q), put(p), put(g), put(inv), put(new Float64Array(n)), put(new Float64Array(n))];
      a.k.leapfrog_kick_drift_f64(qTo, pTo, pq, pp, pg, pi, eps, n);
      const p1 = p.map((v, i) => v + 0.5 * eps * g[i]);
      const q1 = q.map((v, i) => v + eps * inv[i] * p1[i]);
      close(get(pTo, n), p1, `p n=${n}`);
      close(get(qTo, n), q1, `q n=${n}`);
      for (const [ptr, was, what] of [[pq, q, 'q'], [pp, p, 'p'], [pg, g, 'g']] as const) {
        expect(Array.from(get(ptr, n)), `the starting ${what}, n=${n}`).toEqual(Array.from(was));
      }
      a.reset(mark);
    }
  });
});

describe('nuts_leaf_f64', () => {
  it('finishes the step in place and writes the velocity; returns Σ M⁻¹p·p, NaN for a non-finite gradient', () => {
    for (const n of SIZES) {
      const rng = new Rng(n, 2);
      const [p, g] = [rand(n, rng), rand(n, rng)];
      const inv = rand(n, rng).map((v) => 0.5 + Math.abs(v));
      const half = 0.21;
      const mark = a.mark();
      const pp = put(p), pg = put(g), pinv = put(inv), pv = put(new Float64Array(n));
      const k = a.k.nuts_leaf_f64(pp, pg, pinv, half, pv, n);
      const p1 = p.map((v, i) => v + half * g[i]);
      const v1 = p1.map((v, i) => inv[i] * v);
      close(get(pp, n), p1, 'p');
      close(get(pv, n), v1, 'v');
      expect(Array.from(get(pg, n)), 'g untouched').toEqual(Array.from(g));
      const want = v1.reduce((s, v, i) => s + v * p1[i], 0);
      expect(Math.abs(k - want)).toBeLessThanOrEqual(1e-14 * want);
      // A non-finite gradient entry anywhere (vector lanes or the scalar tail) makes the sum NaN.
      for (const bad of [Infinity, NaN]) {
        const g2 = g.slice();
        g2[n - 1] = bad;
        a.putF64(g2, pg);
        expect(a.k.nuts_leaf_f64(pp, pg, pinv, half, pv, n)).toBeNaN();
      }
      a.reset(mark);
    }
  });
});

describe('nuts_merge_f64', () => {
  /** The float64 reference: ρ = ρA + ρB and the three U-turn checks of Stan's NUTS. */
  function reference(rho: Float64Array, rA: Float64Array, rB: Float64Array, vBeg: Float64Array, vEnd: Float64Array, pAEnd: Float64Array, vAEnd: Float64Array, pBBeg: Float64Array, vBBeg: Float64Array) {
    const dot = (x: Float64Array, y: (i: number) => number) => x.reduce((s, v, i) => s + v * y(i), 0);
    const whole = (i: number) => rA[i] + rB[i];
    const extA = (i: number) => rA[i] + pBBeg[i];
    const extB = (i: number) => rB[i] + pAEnd[i];
    const ok = dot(vEnd, whole) > 0 && dot(vBeg, whole) > 0 && dot(vBBeg, extA) > 0 && dot(vBeg, extA) > 0 && dot(vEnd, extB) > 0 && dot(vAEnd, extB) > 0;
    return { rho: rho.map((_, i) => whole(i)), ok };
  }

  it('sums the subtree ρ and agrees with the reference on every check, both outcomes', () => {
    const seen = [0, 0];
    for (const n of SIZES) {
      for (let trial = 0; trial < 40; trial++) {
        const rng = new Rng(n * 100 + trial, 3);
        // Mostly aligned vectors (no U-turn) with a random flip of one, so both outcomes occur.
        const base = rand(n, rng);
        const near = () => base.map((v) => v + 0.3 * (2 * rng.uniform() - 1));
        const vs = Array.from({ length: 8 }, near);
        const flip = Math.floor(rng.uniform() * 10);
        if (flip < 8) vs[flip] = vs[flip].map((v) => -v);
        const rho0 = rand(n, rng);
        const mark = a.mark();
        const ptrs = vs.map(put);
        const prho = put(rho0);
        const got = a.k.nuts_merge_f64(prho, ptrs[0], ptrs[1], ptrs[2], ptrs[3], ptrs[4], ptrs[5], ptrs[6], ptrs[7], n);
        const want = reference(rho0, vs[0], vs[1], vs[2], vs[3], vs[4], vs[5], vs[6], vs[7]);
        close(get(prho, n), want.rho, 'rho');
        expect(got, `n=${n} trial ${trial}`).toBe(want.ok ? 1 : 0);
        seen[got]++;
        a.reset(mark);
      }
    }
    expect(seen[0]).toBeGreaterThan(20);
    expect(seen[1]).toBeGreaterThan(20);
  });

  it('writes ρ over ρA or ρB as well as elsewhere, with the same checks (the trajectory sums in place)', () => {
    for (const n of SIZES) {
      const rng = new Rng(n, 4);
      const vs = Array.from({ length: 8 }, () => rand(n, rng));
      const want = reference(new Float64Array(n), vs[0], vs[1], vs[2], vs[3], vs[4], vs[5], vs[6], vs[7]);
      for (const alias of [0, 1]) {
        const mark = a.mark();
        const ptrs = vs.map(put);
        const got = a.k.nuts_merge_f64(ptrs[alias], ptrs[0], ptrs[1], ptrs[2], ptrs[3], ptrs[4], ptrs[5], ptrs[6], ptrs[7], n);
        expect(Array.from(get(ptrs[alias], n)), `n=${n}, ρ over ρ${alias ? 'B' : 'A'}`).toEqual(Array.from(want.rho));
        expect(got).toBe(want.ok ? 1 : 0);
        a.reset(mark);
      }
    }
  });
});

describe('nuts_merge_leaves_f64', () => {
  it('gives the ρ and result of nuts_merge_f64, bit for bit, for two single leaves (each both ends of its subtree and its own ρ)', () => {
    const seen = [0, 0];
    for (const n of SIZES) {
      for (let trial = 0; trial < 40; trial++) {
        const rng = new Rng(n * 100 + trial, 5);
        const pA = rand(n, rng), vA = rand(n, rng);
        // pB near −pA half the time, so that both outcomes occur.
        const pB = trial % 2 ? pA.map((v) => -v + 0.3 * (2 * rng.uniform() - 1)) : rand(n, rng);
        const vB = rand(n, rng);
        const mark = a.mark();
        const [ppA, pvA, ppB, pvB] = [pA, vA, pB, vB].map(put);
        const [rhoMerge, rhoLeaves] = [put(new Float64Array(n)), put(new Float64Array(n))];
        const want = a.k.nuts_merge_f64(rhoMerge, ppA, ppB, pvA, pvB, ppA, pvA, ppB, pvB, n);
        const got = a.k.nuts_merge_leaves_f64(rhoLeaves, ppA, pvA, ppB, pvB, n);
        expect(got, `n=${n} trial ${trial}`).toBe(want);
        expect(Array.from(get(rhoLeaves, n))).toEqual(Array.from(get(rhoMerge, n)));
        // ρ written over one of its inputs.
        expect(a.k.nuts_merge_leaves_f64(ppB, ppA, pvA, ppB, pvB, n)).toBe(want);
        expect(Array.from(get(ppB, n))).toEqual(Array.from(get(rhoMerge, n)));
        seen[got]++;
        a.reset(mark);
      }
    }
    expect(seen[0]).toBeGreaterThan(20);
    expect(seen[1]).toBeGreaterThan(20);
  });
});

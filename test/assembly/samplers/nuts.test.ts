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
  it('p += ½ε·g, then q += ε·M⁻¹p', () => {
    for (const n of SIZES) {
      const rng = new Rng(n, 1);
      const [q, p, g] = [rand(n, rng), rand(n, rng), rand(n, rng)];
      const inv = rand(n, rng).map((v) => 0.5 + Math.abs(v));
      const eps = -0.37;
      const mark = a.mark();
      const [pq, pp, pg, pi, pc] = [put(q), put(p), put(g), put(inv), put(new Float64Array(n))];
      a.k.leapfrog_kick_drift_f64(pq, pp, pg, pi, eps, n, pc);
      const p1 = p.map((v, i) => v + 0.5 * eps * g[i]);
      const q1 = q.map((v, i) => v + eps * inv[i] * p1[i]);
      close(get(pp, n), p1, `p n=${n}`);
      close(get(pq, n), q1, `q n=${n}`);
      expect(Array.from(get(pc, n)), `the copy of q, n=${n}`).toEqual(Array.from(get(pq, n)));
      a.reset(mark);
    }
  });
});

describe('nuts_leaf_f64', () => {
  it('finishes the step and writes the leaf bookkeeping; returns Σ M⁻¹p·p, NaN for a non-finite gradient', () => {
    for (const n of SIZES) {
      const rng = new Rng(n, 2);
      const [p, g, rho0] = [rand(n, rng), rand(n, rng), rand(n, rng)];
      const inv = rand(n, rng).map((v) => 0.5 + Math.abs(v));
      const half = 0.21;
      const mark = a.mark();
      const pp = put(p), pg = put(g), pinv = put(inv), prho = put(rho0);
      const outs = [0, 1, 2, 3, 4, 5].map(() => put(new Float64Array(n)));
      const k = a.k.nuts_leaf_f64(pp, pg, pinv, half, outs[0], outs[1], prho, outs[2], outs[3], n, outs[4], outs[5]);
      const p1 = p.map((v, i) => v + half * g[i]);
      const v1 = p1.map((v, i) => inv[i] * v);
      close(get(pp, n), p1, 'p');
      close(get(outs[0], n), v1, 'vBeg');
      close(get(outs[1], n), v1, 'vEnd');
      close(get(outs[2], n), p1, 'pBeg');
      close(get(outs[3], n), p1, 'pEnd');
      expect(Array.from(get(outs[4], n)), 'the copy of p').toEqual(Array.from(get(pp, n)));
      expect(Array.from(get(outs[5], n)), 'the copy of g').toEqual(Array.from(g));
      close(get(prho, n), rho0.map((v, i) => v + p1[i]), 'rho');
      const want = v1.reduce((s, v, i) => s + v * p1[i], 0);
      expect(Math.abs(k - want)).toBeLessThanOrEqual(1e-14 * want);
      // A non-finite gradient entry anywhere (vector lanes or the scalar tail) makes the sum NaN.
      for (const bad of [Infinity, NaN]) {
        const g2 = g.slice();
        g2[n - 1] = bad;
        a.putF64(g2, pg);
        expect(a.k.nuts_leaf_f64(pp, pg, pinv, half, outs[0], outs[1], prho, outs[2], outs[3], n, outs[4], outs[5])).toBeNaN();
      }
      a.reset(mark);
    }
  });
});

describe('nuts_merge_f64', () => {
  /** The float64 reference: ρ += ρA + ρB and the three U-turn checks of Stan's NUTS. */
  function reference(rho: Float64Array, rA: Float64Array, rB: Float64Array, vBeg: Float64Array, vEnd: Float64Array, pAEnd: Float64Array, vAEnd: Float64Array, pBBeg: Float64Array, vBBeg: Float64Array) {
    const dot = (x: Float64Array, y: (i: number) => number) => x.reduce((s, v, i) => s + v * y(i), 0);
    const whole = (i: number) => rA[i] + rB[i];
    const extA = (i: number) => rA[i] + pBBeg[i];
    const extB = (i: number) => rB[i] + pAEnd[i];
    const ok = dot(vEnd, whole) > 0 && dot(vBeg, whole) > 0 && dot(vBBeg, extA) > 0 && dot(vBeg, extA) > 0 && dot(vEnd, extB) > 0 && dot(vAEnd, extB) > 0;
    return { rho: rho.map((v, i) => v + whole(i)), ok };
  }

  it('adds the subtree ρ and agrees with the reference on every check, both outcomes', () => {
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
});

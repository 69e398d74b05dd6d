import { beforeAll, describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';
import { randF32 } from '../nn/ref.js';

let a: Arena;
beforeAll(async () => {
  a = await Arena.create();
});

const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const close = (got: number, want: number, tol = 2e-6) => expect(Math.abs(got - want)).toBeLessThanOrEqual(tol * (1 + Math.abs(want)));

describe('vi_sample_f32 / vi_grad_f32', () => {
  for (const n of [1, 7, 13, 37, 129]) {
    it(`match a float64 reference (n = ${n})`, () => {
      const mark = a.mark();
      const mu = randF32(n, n);
      const rho = randF32(n, n + 1).map((v) => 6 * v - 3);
      const eps = randF32(n, n + 2).map((v) => 2 * v);
      const gt = randF32(n, n + 3);
      const [pm, pr, pe, pt, pg, pgm, pgr] = [mu, rho, eps, new Float32Array(n), gt, new Float32Array(n), new Float32Array(n)].map((v) => a.putF32(v));
      a.k.vi_sample_f32(pt, pm, pr, pe, n);
      const theta = a.getF32(pt, n);
      const lambda = 2.5;
      const s = 0.01;
      const kl = a.k.vi_grad_f32(pgm, pgr, pg, pm, pr, pe, n, lambda, s);
      const gm = a.getF32(pgm, n);
      const gr = a.getF32(pgr, n);
      let klRef = 0;
      for (let i = 0; i < n; i++) {
        const sd = softplus(rho[i]);
        close(theta[i], mu[i] + sd * eps[i]);
        close(gm[i], gt[i] + s * lambda * mu[i]);
        close(gr[i], (gt[i] * eps[i] + s * (lambda * sd - 1 / sd)) * sigmoid(rho[i]), 1e-5);
        klRef += 0.5 * (lambda * (sd * sd + mu[i] * mu[i]) - 1 - Math.log(lambda * sd * sd));
      }
      close(kl, klRef, 1e-6);
      // gmu may alias gtheta.
      a.k.vi_grad_f32(pg, pgr, pg, pm, pr, pe, n, lambda, s);
      expect(Array.from(a.getF32(pg, n))).toEqual(Array.from(gm));
      a.reset(mark);
    });
  }
});

describe('concrete_mask_f32', () => {
  for (const n of [1, 7, 13, 37, 129]) {
    it(`matches a float64 reference, and its derivative matches finite differences (n = ${n})`, () => {
      const mark = a.mark();
      const u = randF32(n, 3 * n).map((v) => sigmoid(2 * v));
      const pu = a.putF32(u);
      const pm = a.allocF32(n);
      const pd = a.allocF32(n);
      const invT = 10;
      const mask = (logit: number) => Array.from(u, (v) => (1 - sigmoid((logit + Math.log(v) - Math.log1p(-v)) * invT)) / (1 - sigmoid(logit)));
      for (const logit of [-2.2, 0.3]) {
        a.k.concrete_mask_f32(pm, pd, pu, n, logit, invT);
        const m = a.getF32(pm, n);
        const d = a.getF32(pd, n);
        const ref = mask(logit);
        const h = 1e-5;
        const up = mask(logit + h);
        const dn = mask(logit - h);
        for (let i = 0; i < n; i++) {
          close(m[i], ref[i]);
          close(d[i], (up[i] - dn[i]) / (2 * h), 1e-4);
        }
      }
      a.reset(mark);
    });
  }
});

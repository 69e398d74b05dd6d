/**
 * log det(s·H + diag λ) of a dense curvature H along one coordinate of the evidence search, each an
 * O(d³) factorization done once per search so that every evaluation of the search is O(d):
 *
 * - along λ_g (the coordinates split into g and the rest o, P = s·H + diag λ): by the Schur
 *   complement, log det P = log det P_oo + log det(S + λ_g·I) with S = s·H_gg − s²·H_go·P_oo⁻¹·H_og,
 *   which does not depend on λ_g; so log det P_oo (Cholesky) and the eigenvalues of S, once, give
 *   log det P = log det P_oo + Σᵢ log(σᵢ + λ_g) for any λ_g.
 * - along s (every λ held, D = diag λ): log det(s·H + D) = Σ log λ + Σᵢ log(1 + s·μᵢ), μ the
 *   eigenvalues of D^{-1/2}·H·D^{-1/2}.
 */
import type { Steps } from '../../diagnostics/steps.js';
import { factorSteps, triangularSolveSteps } from '../../linalg/cholesky.js';
import { eigvalshSteps } from '../../linalg/eigh.js';
import { share } from '../../linalg/work.js';
import type { Arena } from '../../wasm/arena.js';
import { shiftedLogdet } from './shifted-logdet.js';
import * as exact from '../../random/exact-math.js';

/**
 * log det(s·H + diag λ) as a function of λ_g, for H d×d and `group[i]` the group of coordinate i,
 * after its O(d³) as steps (the bits of the one-call kernels: the blocked Cholesky, the triangular
 * solve and the rank-m update each run in ranges).
 */
export function* logdetAlongGroup(arena: Arena, H: Float64Array, group: Int32Array, prior: Float64Array, s: number, g: number): Steps<(lambda: number) => number> {
  const d = group.length;
  const gi: number[] = [];
  const oi: number[] = [];
  for (let i = 0; i < d; i++) (group[i] === g ? gi : oi).push(i);
  const m = gi.length;
  const o = oi.length;
  const mark = arena.mark();
  let logdetOO = 0;
  let sigma: Float64Array;
  try {
    const S = arena.allocF64(m * m);
    yield* gatherRows(arena, S, m * m, m, m, (Sv, a) => {
      for (let b = 0; b < m; b++) Sv[a * m + b] = s * H[gi[a] * d + gi[b]];
    });
    if (o > 0) {
      const L = arena.allocF64(o * o);
      const W = arena.allocF64(o * m);
      yield* gatherRows(arena, L, o * o, o, o / 2, (Lv, a) => {
        for (let b = 0; b <= a; b++) Lv[a * o + b] = s * H[oi[a] * d + oi[b]];
        Lv[a * o + a] += prior[group[oi[a]]];
      });
      // Shares of the work: the Cholesky o³/3, the solve o²·m/2, the update o·m²/2, then m's eigenvalues ~4m³/3.
      const total = o ** 3 / 3 + (o * o * m) / 2 + (o * m * m) / 2 + (4 * m ** 3) / 3;
      const [f1, f2, f3] = [o ** 3 / 3 / total, (o ** 3 / 3 + (o * o * m) / 2) / total, (o ** 3 / 3 + (o * o * m) / 2 + (o * m * m) / 2) / total];
      if ((yield* share(factorSteps(arena, L, o), 0, f1)) !== 0) return () => NaN;
      const Lf = arena.f64(L, o * o);
      for (let a = 0; a < o; a++) logdetOO += 2 * exact.log(Lf[a * o + a]);
      // W = L⁻¹·(s·H_og), then S −= Wᵀ·W.
      yield* gatherRows(arena, W, o * m, o, m, (Wv, a) => {
        for (let b = 0; b < m; b++) Wv[a * m + b] = s * H[oi[a] * d + gi[b]];
      });
      yield* share(triangularSolveSteps(arena, W, L, o, m, 0), f1, f2);
      const blocks = Math.ceil(m / arena.k.syrk_f64_block());
      for (let b = 0; b < blocks; b++) {
        arena.k.syrk_f64_lower_add(S, W, o, m, -1, b, b + 1);
        yield f2 + ((f3 - f2) * (b + 1)) / blocks;
      }
      arena.k.mirror_lower_f64(S, m);
      const Sc = arena.getF64(S, m * m);
      yield;
      sigma = yield* share(eigvalshSteps(arena, Sc, m, { name: `full Laplace curvature (group ${g})` }), f3, 1);
    } else {
      sigma = yield* eigvalshSteps(arena, arena.getF64(S, m * m), m, { name: `full Laplace curvature (group ${g})` });
    }
  } finally {
    arena.reset(mark);
  }
  return shiftedLogdet(logdetOO, sigma);
}

/**
 * fill(view, a) for the rows a in [0, rows) of the `len`-value f64 array at arena address p, about
 * 2²⁰ values (rows × width) a step: each gather from H is a JavaScript pass over up to d² values, so
 * the thread is given back within it. The view is made anew after each yield (the memory may grow).
 */
function* gatherRows(arena: Arena, p: number, len: number, rows: number, width: number, fill: (view: Float64Array, a: number) => void): Steps<void> {
  const per = Math.max(1, Math.floor(2 ** 20 / Math.max(1, width)));
  for (let a0 = 0; a0 < rows; a0 += per) {
    const view = arena.f64(p, len);
    for (let a = a0; a < Math.min(rows, a0 + per); a++) fill(view, a);
    yield;
  }
}

/** log det(s·H + diag λ) as a function of s, every λ held, after its O(d³) (an eigendecomposition) as steps. */
export function* logdetAlongScale(arena: Arena, H: Float64Array, group: Int32Array, prior: Float64Array): Steps<(s: number) => number> {
  const d = group.length;
  const r = Float64Array.from(group, (g) => 1 / Math.sqrt(prior[g]));
  let logdetD = 0;
  for (const g of group) logdetD += exact.log(prior[g]);
  const M = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) M[i * d + j] = r[i] * H[i * d + j] * r[j];
  yield;
  const mu = yield* eigvalshSteps(arena, M, d, { name: 'full Laplace curvature (scaled by the prior)' });
  return (s) => {
    let sum = logdetD;
    for (const e of mu) {
      const v = 1 + s * e;
      if (!(v > 0)) return NaN;
      sum += exact.log(v);
    }
    return sum;
  };
}

// Helpers of the posteriordb target modules: the committed fixture, and the log-density of a
// Gaussian linear model y ~ N(X·β, σ) over unconstrained (β, log σ), which five of the posteriors are.
import { readFileSync } from 'node:fs';

/** The fixture eval/posteriordb/<short>.json (data and reference summaries). */
export function fixture(short) {
  return JSON.parse(readFileSync(new URL(`${short}.json`, import.meta.url), 'utf8'));
}

/**
 * y ~ normal(Σₖ βₖ Xₖ, σ) with σ = exp(q[p]) (log-Jacobian added, as Stan does for <lower=0>).
 * `betaPrior[k]`: null (flat) or [mean, sd] of a normal; `sigmaPrior`: null (flat), { cauchy: scale } or
 * { normal: scale } (half-distributions: σ > 0). Constants are dropped, as Stan's `~` does.
 */
export function linearModel(X, y, betaPrior, sigmaPrior) {
  const p = X.length;
  const n = y.length;
  const r = new Float64Array(n);
  return {
    dim: p + 1,
    logDensity(q, g) {
      const logS = q[p];
      const s2 = Math.exp(2 * logS);
      let ss = 0;
      for (let i = 0; i < n; i++) {
        let m = 0;
        for (let k = 0; k < p; k++) m += q[k] * X[k][i];
        r[i] = y[i] - m;
        ss += r[i] * r[i];
      }
      for (let k = 0; k < p; k++) {
        let d = 0;
        const xk = X[k];
        for (let i = 0; i < n; i++) d += r[i] * xk[i];
        g[k] = d / s2;
      }
      let lp = -n * logS - ss / (2 * s2);
      g[p] = -n + ss / s2;
      for (let k = 0; k < p; k++) {
        const pr = betaPrior[k];
        if (pr === null) continue;
        const z = (q[k] - pr[0]) / pr[1];
        lp -= 0.5 * z * z;
        g[k] -= z / pr[1];
      }
      if (sigmaPrior !== null) {
        const c = sigmaPrior.cauchy ?? sigmaPrior.normal;
        const u = s2 / (c * c);
        if (sigmaPrior.cauchy !== undefined) {
          lp -= Math.log1p(u);
          g[p] -= (2 * u) / (1 + u);
        } else {
          lp -= 0.5 * u;
          g[p] -= u;
        }
      }
      g[p] += 1; // log-Jacobian of σ = exp(q[p])
      return lp + logS;
    },
    /** (β, σ): the reference's quantities in its order. */
    constrain(q) {
      const out = Array.from(q.subarray ? q.subarray(0, p) : q.slice(0, p));
      out.push(Math.exp(q[p]));
      return out;
    },
  };
}

/** A column of ones. */
export const ones = (n) => new Float64Array(n).fill(1);

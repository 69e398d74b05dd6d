// Compares a sampleChains result on one posteriordb target with its reference summaries: per
// quantity (in the constrained space of the reference draws) the z-scores of the mean and sd,
// |ours − reference| / √(MCSE_ours² + MCSE_ref²), with the MCSEs from each side's own ESS; the
// strongest correlations likewise (MCSE from r's influence series); rank-normalized R̂ (max
// over the sampled coordinates and the compared quantities) and divergences.
import { essBulk, mcseMean, mcseSd, rankNormalizedRhat } from '../../dist/diagnostics.js';

/** Bounds a default run must meet. */
export const LIMITS = { z: 4, rhat: 1.01, divergences: 0 };

/** The per-chain draws of the reference's quantities: [quantity][chain] → Float64Array. */
export function constrainedChains(result, target) {
  const { dim, count } = result;
  let out = null;
  result.draws.forEach((d, c) => {
    for (let i = 0; i < count; i++) {
      const v = target.constrain(d.subarray(i * dim, (i + 1) * dim));
      out ??= v.map(() => result.draws.map(() => new Float64Array(count)));
      for (let k = 0; k < v.length; k++) out[k][c][i] = v[k];
    }
  });
  return out;
}

const pooled = (chains) => Float64Array.from(chains.flatMap((c) => [...c]));
const meanOf = (v) => v.reduce((s, x) => s + x, 0) / v.length;
const sdOf = (v, m) => Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));

/**
 * The correlation of two quantities given as per-chain draws, with its Monte Carlo standard error: the
 * MCSE of the mean of r's influence series ψ = z_a·z_b − r(z_a² + z_b²)/2 (z standardized), which holds
 * for any joint distribution and carries the chains' autocorrelation.
 */
export function correlation(a, b) {
  const pa = pooled(a);
  const pb = pooled(b);
  const ma = meanOf(pa);
  const mb = meanOf(pb);
  const sa = sdOf(pa, ma);
  const sb = sdOf(pb, mb);
  let s = 0;
  for (let t = 0; t < pa.length; t++) s += (pa[t] - ma) * (pb[t] - mb);
  const r = s / (pa.length - 1) / sa / sb;
  const psi = a.map((ca, c) => Float64Array.from(ca, (x, t) => {
    const za = (x - ma) / sa;
    const zb = (b[c][t] - mb) / sb;
    return za * zb - (r * (za * za + zb * zb)) / 2;
  }));
  return { r, mcse: mcseMean(psi) };
}

/** Everything the table and the test read; `failures` lists each bound a run broke. */
export function compare(result, target, fixture) {
  const ref = fixture.reference;
  const q = constrainedChains(result, target);
  if (q.length !== ref.names.length) throw new Error(`${fixture.posterior}: constrain gives ${q.length} quantities, the reference ${ref.names.length}`);
  const rows = q.map((chains, k) => {
    const v = pooled(chains);
    const mean = meanOf(v);
    const sd = sdOf(v, mean);
    return {
      name: ref.names[k], mean, sd, refMean: ref.mean[k], refSd: ref.sd[k],
      zMean: (mean - ref.mean[k]) / Math.hypot(mcseMean(chains), ref.mcseMean[k]),
      zSd: (sd - ref.sd[k]) / Math.hypot(mcseSd(chains), ref.mcseSd[k]),
      rhat: rankNormalizedRhat(chains), ess: essBulk(chains),
    };
  });
  const correlations = ref.correlations.map(([i, j, r, refMcse]) => {
    const c = correlation(q[i], q[j]);
    return { pair: `${ref.names[i]}, ${ref.names[j]}`, ours: c.r, ref: r, z: (c.r - r) / Math.hypot(c.mcse, refMcse) };
  });
  const rhatMax = Math.max(...rows.map((r) => r.rhat), ...result.diagnostics.rhat);
  const essMin = Math.min(...rows.map((r) => r.ess), ...result.diagnostics.essBulk);
  const divergences = result.divergences.reduce((s, x) => s + x, 0);
  const worst = (xs) => Math.max(...xs.map(Math.abs));
  const s = { rows, correlations, rhatMax, essMin, divergences, zMean: worst(rows.map((r) => r.zMean)), zSd: worst(rows.map((r) => r.zSd)), zCor: worst(correlations.map((c) => c.z)) };
  const failures = [];
  if (s.zMean > LIMITS.z) failures.push(`mean |z| ${s.zMean.toFixed(2)}`);
  if (s.zSd > LIMITS.z) failures.push(`sd |z| ${s.zSd.toFixed(2)}`);
  if (s.zCor > LIMITS.z) failures.push(`correlation |z| ${s.zCor.toFixed(2)}`);
  if (!(s.rhatMax <= LIMITS.rhat)) failures.push(`R̂ ${s.rhatMax.toFixed(4)}`);
  if (s.divergences > LIMITS.divergences) failures.push(`${s.divergences} divergences`);
  return { ...s, failures };
}

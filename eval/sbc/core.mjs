// Simulation-based calibration (Talts et al. 2018): for each replicate, θ ~ prior, data ~ p(· | θ),
// sample the posterior with `sampleChains` (default settings unless told), thin the pooled draws to L
// roughly independent ones, and record the rank of θ among them (0..L). Calibrated inference gives
// uniform ranks; `chiSquare` tests that over bins.
import { essBulk } from '../../dist/diagnostics.js';
import { philoxRng, sampleChains } from '../../dist/samplers.js';

/** Replicate r's simulation generator: Philox key (SIM_SEED + seed, r), apart from the chains' keys (r + 1, chain). */
const SIM_SEED = 0x5bc000;

/**
 * Runs `replicates` SBC replicates of `model` (eval/sbc/models.mjs) with `kernel` ('nuts' or 'hmc' with the
 * methods' defaults: 32 steps, jitter 0.1). Returns per ranked quantity the ranks, and per replicate
 * the min bulk ESS, divergences and seconds.
 */
export async function runSbc(model, { kernel = 'nuts', replicates, L = 99, seed = 1, priorScale = 1, pool, sample = {}, onReplicate } = {}) {
  const ranks = model.quantities.map(() => []);
  const reps = [];
  const kernelSpec = kernel === 'hmc' ? { type: 'hmc', steps: 32, jitter: 0.1 } : { type: 'nuts' };
  for (let r = 0; r < replicates; r++) {
    const { truth, data } = model.simulate(philoxRng(SIM_SEED + seed, r, 0), priorScale);
    const url = `data:text/javascript,${encodeURIComponent(model.source(data))}`;
    const res = await sampleChains({ type: 'module', url }, { ...sample, seed: r + 1, pool, kernel: kernelSpec });
    const { draws, count, dim } = res;
    // Pooled draws, chain by chain, mapped to the ranked quantities.
    const q = model.quantities.map(() => draws.map(() => new Float64Array(count)));
    draws.forEach((d, c) => {
      for (let i = 0; i < count; i++) model.ranked(d.subarray(i * dim, (i + 1) * dim)).forEach((v, k) => { q[k][c][i] = v; });
    });
    const ess = Math.min(...q.map((chains) => essBulk(chains)));
    // Thin to L draws spread evenly over all chains' draws: with ESS ≥ L they are roughly independent.
    const total = draws.length * count;
    for (let k = 0; k < q.length; k++) {
      let rank = 0;
      for (let l = 0; l < L; l++) {
        const idx = Math.floor(((l + 0.5) * total) / L);
        if (q[k][Math.floor(idx / count)][idx % count] < truth[k]) rank++;
      }
      ranks[k].push(rank);
    }
    reps.push({ ess, divergences: res.divergences.reduce((a, b) => a + b, 0), seconds: res.seconds });
    onReplicate?.(r);
  }
  return { model: model.name, kernel, L, quantities: model.quantities, ranks, replicates: reps };
}

/** Counts of ranks 0..L in `bins` equal bins ((L + 1) must divide by bins). */
export function histogram(ranks, L, bins) {
  if ((L + 1) % bins !== 0) throw new Error(`${L + 1} ranks do not split into ${bins} bins`);
  const w = (L + 1) / bins;
  const h = new Array(bins).fill(0);
  for (const r of ranks) h[Math.floor(r / w)]++;
  return h;
}

/** Pearson's χ² of uniformity over the bins and its p-value (bins − 1 degrees of freedom). */
export function chiSquare(counts) {
  const n = counts.reduce((a, b) => a + b, 0);
  const e = n / counts.length;
  const x2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
  return { x2, df: counts.length - 1, p: gammaQ((counts.length - 1) / 2, x2 / 2) };
}

/** The regularized upper incomplete gamma Q(a, x) (series below a + 1, Lentz's continued fraction above). */
export function gammaQ(a, x) {
  if (x <= 0) return 1;
  const lg = logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let k = 1; k < 1000 && Math.abs(term) > 1e-16 * Math.abs(sum); k++) {
      term *= x / (a + k);
      sum += term;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - lg);
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(-x + a * Math.log(x) - lg) * h;
}

/** log Γ(x), x > 0 (Lanczos, g = 7). */
function logGamma(x) {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let s = c[0];
  for (let i = 1; i < 9; i++) s += c[i] / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

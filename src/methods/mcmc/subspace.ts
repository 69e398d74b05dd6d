/**
 * Subspace inference (Izmailov, Maddox, Kirichenko, Garipov, Vetrov & Wilson 2019): the exact
 * posterior restricted to the affine subspace θ = θ̄ + Σⱼ zⱼ uⱼ that SWAG's trajectory spans, sampled
 * with NUTS over the few coordinates z.
 *
 * Why it exists beside SWAG: SWAG's Gaussian takes its shape from SGD's noise, and SGD's noise has
 * the covariance of the per-example gradients, so its spread lives where the data constrain the
 * function and is near zero where they do not — between two clusters of inputs SWAG is *less*
 * uncertain than on the data (test/methods/ensembles/swag.test.ts measures it). The directions the trajectory
 * explored still include ones that move the function between the clusters; sampling the true
 * posterior along them, with the data's own noise, lets the likelihood pin what the data pin and
 * leaves the rest to the prior. On the gap data of the tests NUTS over all weights puts ~30× the
 * epistemic variance in the gap as on the data, SWAG 0.1–0.5×, this 10–100×.
 *
 * The recipe:
 *  1. one SWAG run (the same options and defaults as `trainSwag`): θ̄ and the K deviations D (K × P);
 *  2. the subspace: the leading principal directions of the deviations, orthonormal — uⱼ ∝ Dᵀvⱼ for
 *     the eigenvectors vⱼ of the K × K Gram matrix DDᵀ (K ≪ P), largest eigenvalue first;
 *  3. the target on z: log p(D | θ(z)) + log p(θ(z)), θ(z) = θ̄ + Uᵀz, with the network's Gaussian
 *     prior (precision λ) on θ and the noise of SWAG's predictive (the residual variance at θ̄, `noise`,
 *     or `predictiveNoise` — which `--tune` chooses on validation), optionally tempered; ∇z = U ∇θ;
 *  4. NUTS with Stan's warmup (samplers/) on a whitened z: Newton to the subspace mode, then z = mode
 *     + W w with W from the Hessian there (see laplaceWhitening); the chains are 'subspace-chain'
 *     tasks fanned out on `pool` (default in-thread: the subspace has `dimension` ≤ K coordinates,
 *     so a chain takes seconds);
 *  5. the kept draws mapped back to θ: a `SamplesPosterior` whose predictive is their mixture.
 * When K ≥ P (tiny networks) the subspace is the whole parameter space and this is exact NUTS.
 *
 * Measured on the tests' gap data (1×50 ReLU, defaults): the SWAG deviations are dominated by one
 * direction (eigenvalue ~1 against ~10⁻³ for the next): the trajectory is still drifting when it is
 * collected (‖θ̄‖ 6.2 after 40 collection epochs, 5.0 after 400 — SGD's weight decay shrinking what
 * Adam's burn-in left), so the principal directions are kept orthonormal rather than scaled by
 * SWAG's variances, and the sampler, not SWAG's scale, decides how far to go along each.
 */
import { argError, describe } from '../../errors.js';
import type { Dataset } from '../../data/dataset.js';
import { applyStandardizer } from '../../data/standardize.js';
import { eigh } from '../../linalg/eigh.js';
import { essBulk, rankNormalizedRhat } from '../../diagnostics/index.js';
import { bnnTarget } from '../../samplers/bnn-target.js';
import type { ChainTaskResult } from '../../samplers/chain-task.js';
import type { Target } from '../../samplers/types.js';
import { fanOut } from '../../pool/fan-out.js';
import { registerTask } from '../../pool/registry.js';
import { runSubspaceChainTask, type SubspaceChainOptions } from './subspace-chain.js';
import { lift, subspaceTarget, toSubspace, applyLinear, applyTransposed, type SubspaceBasis, type Whitening } from './subspace-target.js';
import type { TaskOf } from '../../posterior/types.js';
import { samplesPosterior, type SamplesPosterior } from '../samples.js';
import { trainSwag, type SwagMember, type SwagOptions, SWAG_OPTIONS } from '../ensembles/swag.js';
import { int, num, type Infer } from '../../options/schema.js';
import { chainFields, KEEP_FIELD, KERNEL_FIELDS } from '../../options/mcmc.js';
import { checkMemory, estimateSwag } from '../memory.js';
import { checkRun, POOL_OR_OPTIONS } from '../common.js';

export type { SubspaceBasis } from './subspace-target.js';

export const SUBSPACE_OPTIONS = SWAG_OPTIONS.omit('trainSubspace', 'scale', 'samples', 'diagonal').extend('trainSubspace', {
  /** Fewer when the deviations span fewer. 5 is ~4× faster and measured less in-between uncertainty. */
  dimension: int({ min: 1, defaultText: 'min(rank, 10)', help: 'subspace dimension: the leading principal directions of the SWAG deviations' }),
  ...chainFields({ chains: 2, warmup: 500, draws: 500 }),
  ...KEEP_FIELD,
  maxTreeDepth: KERNEL_FIELDS.maxTreeDepth,
  metric: KERNEL_FIELDS.metric,
  temperature: num({ gt: 0, default: 1, help: 'temperature T of the subspace posterior p(θ(z) | D)^(1/T) (1: the Bayes posterior)' }),
  /** Run the chains as 'subspace-chain' tasks on this pool, or on a pool made from these options; default: in-thread. */
  ...POOL_OR_OPTIONS,
}).refine(
  {
    // Measured: a variance head's directions make a funnel in the subspace (R̂ 2.0, ESS 3, 67
    // divergences in 400 draws on a small regression), so the draws would not be a posterior sample.
    option: 'likelihood',
    expected: "'gaussian' (or a classification task)",
    hint: 'Use a homoscedastic likelihood; --tune chooses σ on validation.',
    holds: (o) => o.likelihood !== 'heteroscedastic',
  },
  {
    option: 'dimension',
    expected: 'at most the SWAG rank (rank)',
    hint: 'Lower it, or raise options.rank.',
    holds: (o) => o.dimension === undefined || (o.dimension as number) <= ((o.rank as number | undefined) ?? SWAG_OPTIONS.fields.rank.default!),
    found: (o) => `${describe(o.dimension)} with rank ${(o.rank as number | undefined) ?? SWAG_OPTIONS.fields.rank.default!}`,
  },
);
export type SubspaceOptions = Infer<typeof SUBSPACE_OPTIONS>;

/** A symmetric k × k eigendecomposition (ascending values; eigenvectors as columns): linalg's `eigh` on an arena. */
type Eigh = (a: Float64Array, k: number) => { values: Float64Array; vectors: Float64Array };

/** Principal directions kept only above this fraction of the largest eigenvalue (numerical rank). */
const RANK_TOL = 1e-8;

/** SWAG, then NUTS in the subspace of its trajectory (see the module comment). */
export async function trainSubspace<O extends SubspaceOptions>(train: Dataset, opts: O = {} as O): Promise<SamplesPosterior<TaskOf<O>>> {
  const o = SUBSPACE_OPTIONS;
  opts = checkRun(o, train, opts);
  checkMemory(estimateSwag('swag-subspace', train, opts), opts.memoryBudget);
  const chains = o.value(opts, 'chains');
  const warmup = o.value(opts, 'warmup');
  const draws = o.value(opts, 'draws');
  const keep = o.value(opts, 'keep');
  const temperature = o.value(opts, 'temperature');
  const rank = o.value(opts, 'rank');
  const dimension = opts.dimension ?? Math.min(rank, 10);

  const { maxTreeDepth, onProgress } = opts;
  const metric = SUBSPACE_OPTIONS.value(opts, 'metric');
  const swag = await trainSwag(train, { ...swagOptionsOf(opts), diagonal: false });
  const member = swag.source.members[0];
  const data = swag.standardizer ? applyStandardizer(swag.standardizer, train) : train;
  const bnn = await bnnTarget({ spec: swag.spec, data, priorPrecision: opts.priorPrecision ?? 1, noiseVar: member.noiseVar, temperature });
  const basis = principalBasis(member, dimension, (g, k) => eigh(bnn.arena, g, k, { name: 'SWAG deviation Gram matrix' }));
  const inSubspace = subspaceTarget(bnn, member.mean, basis);
  const lambda = (opts.priorPrecision ?? 1) / temperature;
  const whiten = laplaceWhitening(inSubspace, lambda, (h, k) => eigh(bnn.arena, h, k, { name: 'subspace Hessian' }));

  const thin = Math.max(1, Math.floor(draws / keep));
  registerTask('subspace-chain', runSubspaceChainTask);
  const chainOptions: SubspaceChainOptions = {
    target: { type: 'bnn', spec: swag.spec, priorPrecision: opts.priorPrecision ?? 1, noiseVar: member.noiseVar, temperature },
    warmup, draws, thin, returns: 'draws',
    kernel: { type: 'nuts', ...(maxTreeDepth !== undefined ? { maxTreeDepth } : {}) },
    adapt: { metric },
  };
  const done = new Array<number>(chains).fill(0);
  const divergent = new Array<number>(chains).fill(0);
  const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
  const results = await fanOut<ChainTaskResult>(
    Array.from({ length: chains }, (_, c) => ({ kind: 'subspace-chain', seed: opts.seed ?? 0, stream: c, options: chainOptions })),
    {
      pool: opts.pool ?? { size: 0 },
      data: { x: data.x, y: data.y, mean: member.mean, basis: basis.u, center: whiten.center, whitening: whiten.w },
      signal: opts.signal,
      // One bar for the whole run: iterations summed over chains, labelled by phase; `loss` carries the reporting chain's step size.
      onProgress: onProgress && ((e) => {
        const p = e.payload as { chain: number; phase: 'warmup' | 'sampling'; stepSize: number; acceptance: number; divergences: number };
        done[p.chain] = e.step;
        divergent[p.chain] = p.divergences;
        onProgress({ task: p.chain, epoch: sum(done), epochs: chains * e.total, loss: p.stepSize, phase: p.phase, stepSize: p.stepSize, acceptance: p.acceptance, divergences: sum(divergent) });
      }),
    },
  );
  const kept = results.map((r) => r.draws!);
  const divergences = sum(results.map((r) => r.divergences));
  const gradEvals = sum(results.map((r) => r.gradEvals));
  const stepSizes = results.map((r) => r.stepSize);

  // The chains sampled the whitened w; θ = θ̄ + Uᵀ(mode + W w).
  const k = basis.dim;
  const perChain = Math.min(...kept.map((d) => d.length / k));
  const P = member.mean.length;
  const theta = new Float32Array(chains * perChain * P);
  kept.forEach((d, c) => {
    for (let s = 0; s < perChain; s++) theta.set(lift(member.mean, basis, toSubspace(whiten, d.subarray(s * k, (s + 1) * k))), (c * perChain + s) * P);
  });
  const coordinate = (j: number) => kept.map((d) => Float64Array.from({ length: perChain }, (_, s) => d[s * k + j]));
  const rhatMax = Math.max(...Array.from({ length: k }, (_, j) => rankNormalizedRhat(coordinate(j))));
  const essBulkMin = Math.min(...Array.from({ length: k }, (_, j) => essBulk(coordinate(j))));
  const info = {
    dimension: basis.dim,
    // Share of the SWAG low-rank variance the kept directions carry.
    explainedVariance: basis.explained,
    chains,
    keptPerChain: perChain,
    divergences,
    gradEvals,
    stepSize: stepSizes,
    rhatMax,
    essBulkMin,
    temperature,
    warnings: samplerWarnings(rhatMax, essBulkMin, divergences, chains * draws),
  };
  return samplesPosterior('swag-subspace', { spec: swag.spec, standardizer: swag.standardizer, noiseVar: member.noiseVar }, theta, info);
}

/** What a user should know before trusting the draws (Stan's thresholds, except R̂: 1.05 for ≤ 4 short chains). */
function samplerWarnings(rhat: number, ess: number, divergences: number, iterations: number): string[] {
  const out: string[] = [];
  if (rhat > 1.05) out.push(`R̂ ${rhat.toFixed(2)} > 1.05 over the subspace coordinates: the chains disagree; run longer (draws, warmup).`);
  if (ess < 50) out.push(`bulk ESS ${ess.toFixed(0)} < 50: too few effective draws for the predictive; run longer.`);
  if (divergences > 0.01 * iterations) out.push(`${divergences} divergent transitions: the draws may miss part of the posterior.`);
  return out;
}

/** The SWAG run's options: everything but the sampler's. */
function swagOptionsOf(o: SubspaceOptions): SwagOptions {
  const { dimension: _dimension, chains: _chains, warmup: _warmup, draws: _draws, keep: _keep, maxTreeDepth: _depth, metric: _metric, temperature: _temperature, pool: _pool, ...swag } = o;
  return swag;
}

/**
 * The leading principal directions of a SWAG member's deviations, through the K × K Gram matrix
 * DDᵀ/(K−1) (K ≪ P): its eigenvectors vⱼ give the right singular directions Dᵀvⱼ of D. Directions of
 * (numerically) zero variance are dropped, so fewer than `dimension` may come back.
 */
export function principalBasis(m: Pick<SwagMember, 'dev' | 'rank' | 'mean'>, dimension: number, eig: Eigh): SubspaceBasis {
  const K = m.rank;
  const P = m.mean.length;
  if (K < 2) throw argError('E_ARG', 'rank', 'at least 2 deviations', describe(K), 'Subspace inference needs SWAG\'s low-rank part.');
  const g = new Float64Array(K * K);
  for (let a = 0; a < K; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < P; i++) s += m.dev[a * P + i] * m.dev[b * P + i];
      g[a * K + b] = g[b * K + a] = s / (K - 1);
    }
  }
  const { values, vectors } = eig(g, K);
  const total = values.reduce((s, v) => s + Math.max(v, 0), 0);
  const largest = values[K - 1];
  const order = Array.from({ length: K }, (_, j) => K - 1 - j).filter((j) => values[j] > RANK_TOL * largest).slice(0, dimension);
  const u = new Float64Array(order.length * P);
  order.forEach((j, r) => {
    // ‖Dᵀvⱼ‖² = (K−1)·sⱼ²: dividing by it makes the directions orthonormal.
    const norm = Math.sqrt((K - 1) * values[j]);
    for (let k = 0; k < K; k++) {
      const w = vectors[k * K + j] / norm;
      for (let i = 0; i < P; i++) u[r * P + i] += w * m.dev[k * P + i];
    }
  });
  const kept = order.reduce((s, j) => s + values[j], 0);
  return { dim: order.length, u, explained: total > 0 ? kept / total : 0 };
}

/**
 * An affine reparameterization z = z* + W w that makes the subspace posterior near N(0, I): z* its mode
 * (damped Newton from θ̄, the SWA mean, which sits off the mode when the trajectory drifts), and
 * W = V·diag(1/√eᵢ) from the eigenpairs of −∇² log p at z* (central differences of the gradient).
 * Eigenvalues below `floor` — the prior's curvature, below which a Gaussian model's posterior never
 * falls — are raised to it, which also keeps each Newton step a descent step. Why: along the
 * trajectory's directions the posterior's scales span ~100× (data-pinned vs prior-limited) and are
 * not axis-aligned, which NUTS's diagonal metric cannot absorb; in w the trees stay shallow.
 */
function laplaceWhitening(t: Target, floor: number, eig: Eigh): Whitening {
  const k = t.dim;
  const z = new Float64Array(k);
  const g = new Float64Array(k);
  let lp = t.logDensity(z, g);
  let w = whitener(t, z, floor, eig);
  for (let it = 0; it < NEWTON_STEPS && Number.isFinite(lp); it++) {
    // Newton step: Δz = H⁻¹∇ = W Wᵀ ∇ (H = (W Wᵀ)⁻¹ by construction), halved until it gains.
    const step = applyLinear(w, applyTransposed(w, g));
    let gain = 0;
    for (let a = 1, half = 0; half < 20 && gain === 0; half++, a /= 2) {
      const trial = z.map((v, i) => v + a * step[i]);
      const gt = new Float64Array(k);
      const lt = t.logDensity(trial, gt);
      if (Number.isFinite(lt) && lt > lp) {
        gain = lt - lp;
        z.set(trial);
        g.set(gt);
        lp = lt;
      }
    }
    if (gain === 0) break;
    w = whitener(t, z, floor, eig);
    if (gain < 1e-6) break;
  }
  return { center: Float64Array.from(z), w };
}

/** Newton iterations at most when looking for the subspace posterior's mode (k ≤ K ≈ 20 coordinates). */
const NEWTON_STEPS = 30;

/** W = V·diag(1/√max(eᵢ, floor)) at z from −∇² log p by central differences (identity·floor^-½ where not finite). */
function whitener(t: Target, at: Float64Array, floor: number, eig: Eigh): Float64Array {
  const k = t.dim;
  const h = 1e-3;
  const hess = new Float64Array(k * k);
  const z = Float64Array.from(at);
  const gPlus = new Float64Array(k);
  const gMinus = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    z[j] = at[j] + h;
    t.logDensity(z, gPlus);
    z[j] = at[j] - h;
    t.logDensity(z, gMinus);
    z[j] = at[j];
    for (let i = 0; i < k; i++) hess[i * k + j] = -(gPlus[i] - gMinus[i]) / (2 * h);
  }
  const w = new Float64Array(k * k);
  if (!hess.every(Number.isFinite)) {
    for (let i = 0; i < k; i++) w[i * k + i] = 1 / Math.sqrt(Math.max(floor, 1e-12));
    return w;
  }
  const { values, vectors } = eig(hess, k);
  const top = Math.max(...values, floor);
  for (let j = 0; j < k; j++) {
    const s = 1 / Math.sqrt(Math.max(values[j], floor, 1e-12 * top));
    for (let i = 0; i < k; i++) w[i * k + j] = vectors[i * k + j] * s;
  }
  return w;
}


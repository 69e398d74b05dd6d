/**
 * The Laplace marginal likelihood and the hyperparameters chosen by it (MacKay 1992; Immer et al. 2021):
 *   log p(D) ≈ log p(D|θ*) − ½ Σ_g λ_g ‖θ*_g‖² + ½ Σ_g d_g log λ_g − ½ log det(s·H + diag λ),
 * the Gaussian prior's normalization and the P/2·log 2π of the Laplace integral having cancelled;
 * parameters outside the subset are held at the MAP (their prior and curvature drop out).
 */
import { runSteps, type Steps } from '../../diagnostics/steps.js';
import { share } from '../../linalg/work.js';
import type { DataFit } from './curvature.js';
import type { Factors, Subset } from './types.js';
import { goldenMax } from '../golden-section.js';
import * as exact from '../../random/exact-math.js';

export interface Hyper {
  /** Prior precision per group (layer of the subset). */
  prior: Float64Array;
  /** Gaussian observation noise variance (standardized units); 1 for classification. */
  noiseVar: number;
}

export interface EvidenceContext {
  factors: Factors;
  sub: Subset;
  fit: DataFit;
  /** θ*² summed per group, and the group sizes. */
  sq: Float64Array;
  sizes: Float64Array;
  gaussian: boolean;
  /** Targets per row (gaussian). */
  targets: number;
  /** Likelihood scale exponent: s = σ^(−2·power) (1 for the GGN, 2 for the empirical Fisher). */
  power: number;
}

export function evidenceContext(factors: Factors, sub: Subset, fit: DataFit, theta: Float32Array, gaussian: boolean, targets: number, power: number): EvidenceContext {
  const G = sub.layers.length;
  const sq = new Float64Array(G);
  const sizes = new Float64Array(G);
  sub.indices.forEach((i, k) => {
    sq[sub.group[k]] += theta[i] ** 2;
    sizes[sub.group[k]]++;
  });
  return { factors, sub, fit, sq, sizes, gaussian, targets, power };
}

/** The curvature's likelihood scale s for a noise variance. */
export function scaleOf(ctx: EvidenceContext, noiseVar: number): number {
  return ctx.gaussian ? noiseVar ** -ctx.power : 1;
}

/** log p(D) under the Laplace approximation (standardized units); NaN where the precision is not PD. */
export function logEvidence(ctx: EvidenceContext, h: Hyper): number {
  return runSteps(logEvidenceSteps(ctx, h));
}

/** `logEvidence` as steps: its log det may be a factorization of the full precision. */
export function* logEvidenceSteps(ctx: EvidenceContext, h: Hyper): Steps<number> {
  return evidenceWith(ctx, h, yield* ctx.factors.logdetSteps(h.prior, scaleOf(ctx, h.noiseVar)));
}

/** The evidence at `h` given log det(s·H + diag λ) there. */
function evidenceWith(ctx: EvidenceContext, h: Hyper, logdet: number): number {
  const { fit } = ctx;
  const loglik = ctx.gaussian ? -0.5 * fit.n * ctx.targets * exact.log(2 * Math.PI * h.noiseVar) - fit.rss / (2 * h.noiseVar) : -fit.nll;
  let prior = 0;
  for (let g = 0; g < h.prior.length; g++) prior += -0.5 * h.prior[g] * ctx.sq[g] + 0.5 * ctx.sizes[g] * exact.log(h.prior[g]);
  return loglik + prior - 0.5 * logdet;
}

/** Search range of log λ and of log σ² (standardized units). */
const LOG_PRIOR = [exact.log(1e-6), exact.log(1e6)] as const;
const LOG_NOISE = [exact.log(1e-8), exact.log(1e2)] as const;

/**
 * Evidence-maximizing hyperparameters: log λ (one for all groups, or per group) and, when `selectNoise`,
 * log σ², by coordinate-wise golden-section ascent (a few sweeps: the coordinates interact weakly).
 * Each coordinate's search evaluates the structure's `logdetAlong…`, which does the work that does
 * not depend on that coordinate once per search rather than once per evaluation.
 */
export function maximizeEvidence(ctx: EvidenceContext, start: Hyper, opts: { perLayer: boolean; selectNoise: boolean }): Hyper {
  return runSteps(maximizeEvidenceSteps(ctx, start, opts));
}

/**
 * `maximizeEvidence` as steps (the same bits): a full curvature's work per coordinate is O(d³). Its
 * shares count the coordinate searches that factor something (per-group λ, and σ² under per-group
 * λ), each an equal part; a single λ's searches share H's eigenvalues, whose shares a caller
 * reports by running `prepareSteps` first (here they would only hold the bar still).
 */
export function* maximizeEvidenceSteps(ctx: EvidenceContext, start: Hyper, opts: { perLayer: boolean; selectNoise: boolean }): Steps<Hyper> {
  const h: Hyper = { prior: start.prior.slice(), noiseVar: start.noiseVar };
  const G = h.prior.length;
  const sweeps = opts.perLayer || opts.selectNoise ? 4 : 1;
  const parts = Math.max(1, sweeps * ((opts.perLayer ? G : 0) + (opts.selectNoise ? 1 : 0)));
  let part = 0;
  const next = <T>(g: Steps<T>) => share(g, part / parts, ++part / parts);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    if (opts.perLayer) {
      for (let g = 0; g < G; g++) {
        const logdet = yield* next(ctx.factors.logdetAlongPrior(h.prior, scaleOf(ctx, h.noiseVar), g));
        h.prior[g] = exact.exp(
          goldenMax((x) => {
            const lambda = exact.exp(x);
            return evidenceWith(ctx, { ...h, prior: h.prior.map((p, j) => (j === g ? lambda : p)) }, logdet(lambda));
          }, ...LOG_PRIOR),
        );
      }
    } else {
      // One λ: every log det comes from H's eigenvalues, shared (cheap once made).
      yield* share(ctx.factors.prepareSteps(), part / parts, part / parts);
      h.prior.fill(exact.exp(goldenMax((x) => logEvidence(ctx, { ...h, prior: new Float64Array(G).fill(exact.exp(x)) }), ...LOG_PRIOR)));
    }
    if (opts.selectNoise) {
      const logdet = yield* next(ctx.factors.logdetAlongScale(h.prior));
      h.noiseVar = exact.exp(
        goldenMax((x) => {
          const noiseVar = exact.exp(x);
          return evidenceWith(ctx, { ...h, noiseVar }, logdet(scaleOf(ctx, noiseVar)));
        }, ...LOG_NOISE),
      );
    }
  }
  return h;
}

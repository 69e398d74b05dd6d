/** The shapes shared by the Laplace structures (full, kron, diag) and the code that drives them. */
import type { Steps } from '../../diagnostics/steps.js';
import type { Arena } from '../../wasm/arena.js';
import type { Linearization } from './engine.js';

export type Hessian = 'full' | 'kron' | 'diag';
export type SubsetKind = 'all' | 'last-layer' | 'subnetwork';

/** Which parameters the Gaussian covers; the rest stay at the MAP. */
export interface Subset {
  readonly kind: SubsetKind;
  /** Layers touched, ascending. */
  readonly layers: number[];
  /** Sorted indices into θ. */
  readonly indices: Int32Array;
  /** For each index, its prior group: the position of its layer in `layers`. */
  readonly group: Int32Array;
}

/** Gathers a structure's curvature over batches (the engine holds ã and δ_c of the current batch). */
export interface Accumulator {
  /** Adds the batch's curvature, as steps: the driver may give the thread back between them (the engine's batch stays in place). */
  add(lin: Linearization, batch: number): Steps<void>;
  /** n: number of examples seen. */
  finish(n: number): Factors;
}

/**
 * The curvature H of the NLL over the subset, in a structure. Posterior precision = s·H + diag(λ_g),
 * with s the likelihood scale (1/σ² for a gaussian GGN, 1/σ⁴ for its empirical Fisher, else 1) and
 * λ_g the prior precision of each group, so both can change without recomputing H.
 */
export interface Factors {
  /** log det(s·H + diag λ); NaN when not positive definite. */
  logdet(prior: Float64Array, s: number): number;
  /** `logdet` as steps (the same bits): a full H at per-group priors is a Cholesky factorization. */
  logdetSteps(prior: Float64Array, s: number): Steps<number>;
  /**
   * The share of the time of `logdetSteps(prior)` and then the posterior's factorization that the
   * log det takes (0 when it is cheap or its shared work is done): how a caller splits one progress bar.
   */
  evidenceShare(prior: Float64Array): number;
  /**
   * `logdet` as a function of group g's λ alone, the other groups' λ and s held: what one coordinate
   * of the evidence search evaluates, with the work that does not depend on λ_g done once here, as
   * steps (a full H's is O(d³)).
   */
  logdetAlongPrior(prior: Float64Array, s: number, g: number): Steps<(lambda: number) => number>;
  /** `logdet` as a function of s alone, every λ held (the noise coordinate of the search), after its shared work as steps. */
  logdetAlongScale(prior: Float64Array): Steps<(s: number) => number>;
  /**
   * The one-off work the evidence search's log dets share (the full structure's eigenvalues of H), as
   * steps, for a caller that yields and reports it; `logdet` does it at once when it was not run.
   */
  prepareSteps(): Steps<void>;
  /** Whether that one-off work is done (or there is none): `prepareSteps` then returns at once. */
  readonly prepared: boolean;
  /** The Gaussian posterior (covariance (s·H + diag λ)⁻¹) for these hyperparameters. */
  posterior(prior: Float64Array, s: number): Gaussian;
  /**
   * `posterior` as steps of a few milliseconds (the same bits), for a caller that yields to the event
   * loop between them; a dense structure keeps arena memory across its steps (hold the arena).
   */
  posteriorSteps(prior: Float64Array, s: number): Steps<Gaussian>;
  /**
   * For a search over many hyperparameters (the validation grid): after the one-off work as steps
   * (the full structure's reduction of H), a function giving, as steps, J Σ Jᵀ of the batch in `lin`
   * under each candidate, one batch × C × C array per candidate as `Gaussian.outputCov`. The function
   * may use arena memory the steps allocated: call it before the caller resets its arena mark.
   */
  candidateCovs(candidates: readonly Candidate[]): Steps<CandidateCovs>;
  /** What toBytes stores; `Structure.restore` rebuilds the factors from it. */
  arrays(): Record<string, Float64Array>;
}

/** One point of a hyperparameter search: the prior precision per group and the likelihood scale s. */
export interface Candidate {
  prior: Float64Array;
  s: number;
}

/** What `candidateCovs` returns: each candidate's J Σ Jᵀ for the batch in `lin`, as steps. */
export type CandidateCovs = (lin: Linearization, batch: number) => Steps<Float64Array[]>;

/** `candidateCovs` through each candidate's own Gaussian: for structures whose `posterior` is cheap to build. */
export function* covsByPosterior(factors: Factors, candidates: readonly Candidate[]): Steps<CandidateCovs> {
  const gaussians = candidates.map((c) => factors.posterior(c.prior, c.s));
  return function* (lin, batch) {
    const covs: Float64Array[] = [];
    for (const g of gaussians) {
      covs.push(g.outputCov(lin, batch));
      yield;
    }
    return covs;
  };
}

export interface Gaussian {
  /** Absolute diagonal jitter added to make the precision positive definite (0 when none was needed). */
  readonly jitter: number;
  /** R·z with R·Rᵀ = Σ: a zero-mean draw over the subset's coordinates from standard normals z (length d). */
  sample(z: Float64Array): Float64Array;
  /**
   * J Σ Jᵀ per example (batch × C × C, f64) for the batch in `lin`, whose C output vectors are the
   * unit vectors (so δ_c are Jacobian rows).
   */
  outputCov(lin: Linearization, batch: number): Float64Array;
  /** `outputCov` as steps (the same bits): the full structure's is O(batch·C·d²). It keeps arena memory across its steps. */
  outputCovSteps(lin: Linearization, batch: number): Steps<Float64Array>;
  /** Marginal posterior variances of the subset's coordinates. */
  variances(): Float64Array;
}

export interface Structure {
  readonly name: Hessian;
  /** Refuses sizes that do not fit (E_MEMORY) and subsets the structure does not support (E_ARG). */
  check(sub: Subset, layerSizes: readonly { fanIn: number; fanOut: number }[], budget?: number): void;
  accumulator(sub: Subset, lin: Linearization, arena: Arena): Accumulator;
  restore(sub: Subset, lin: Linearization, arena: Arena, arrays: Record<string, Float64Array>): Factors;
}

import type { DenseMetric } from './metric.js';

/**
 * The shared vocabulary of the samplers: what a target is, where randomness comes from, and what a
 * kernel carries (state) versus what it reports (info).
 */

/**
 * A differentiable log density on ℝ^dim. `logDensity` fills `grad` with ∇ log p(θ) and returns
 * log p(θ) (up to a constant). Returning −Infinity or NaN (or leaving a non-finite gradient) marks θ
 * as outside the support: the samplers reject it. It must not keep references to its arguments.
 */
export interface Target {
  readonly dim: number;
  logDensity(theta: Float64Array, grad: Float64Array): number;
  /**
   * Optional random initial position (e.g. a network's usual weight initialization); used instead
   * of uniform(−2, 2) draws, and retried like them when the density is not finite there.
   */
  init?(rng: SamplerRng): ArrayLike<number>;
}

/**
 * The random draws one transition needs. Every iteration draws from its own counter (seed, chain,
 * iteration), so the state and the iteration number determine all that follows. A generator is only
 * used within its iteration (the library's is one object moved to each counter).
 */
export interface SamplerRng {
  /** A uniform in the open interval (0, 1). */
  uniform(): number;
  /** Fills `out` with independent standard normals. */
  normal(out: Float64Array): void;
}

/**
 * Makes the generator of one counter. The driver uses counter 0 for initialization and counter
 * t + 1 for iteration t, so every iteration of every chain draws from its own Philox block sequence.
 */
export type RngFactory = (seed: number, chain: number, counter: number) => SamplerRng;

/** What the leapfrog integrator (integrator.ts) moves: position, momentum, gradient, log density. */
export interface Phase {
  readonly q: Float64Array;
  readonly p: Float64Array;
  readonly g: Float64Array;
  lp: number;
}

/** The carried state of a Hamiltonian kernel: a position with its log density and gradient. */
export interface KernelState {
  readonly position: Float64Array;
  logDensity: number;
  readonly grad: Float64Array;
}

/** The step size and metric a kernel receives at each step (the warmup adapts them). */
export interface KernelParams {
  /** Leapfrog step size ε > 0. */
  stepSize: number;
  /** Diagonal inverse metric M⁻¹ (the posterior variances, once adapted); the dense one's diagonal when `dense` is set. */
  readonly invMetric: Float64Array;
  /** A dense inverse metric M⁻¹ = LLᵀ (its Cholesky factor), used instead of the diagonal when set. */
  dense?: DenseMetric | null;
}

/** Per-transition diagnostics, kept apart from the state. */
export interface Info {
  /** Acceptance statistic: the Metropolis acceptance probability (HMC) or its mean over the trajectory (NUTS). */
  acceptProb: number;
  /** Number of trajectory doublings (NUTS); 0 for static HMC. */
  treeDepth: number;
  /** Leapfrog steps taken, i.e. gradient evaluations. */
  nLeapfrog: number;
  /** True when the energy error exceeded the divergence threshold (or the trajectory left the support). */
  divergent: boolean;
  /** Hamiltonian (potential + kinetic) of the returned point: the energy E-BFMI is computed from. */
  energy: number;
  /** Step size actually used (after jitter). */
  stepSize: number;
}

/** What `step` returns. Both objects belong to the kernel and are overwritten by its next step. */
export interface Transition {
  readonly state: KernelState;
  readonly info: Info;
}

/**
 * A Markov kernel over explicit state, in the `{ init, step }` shape of the design. `step` updates
 * `state` in place (the returned state is the same object) so the inner loop allocates nothing.
 */
export interface Kernel {
  readonly dim: number;
  /** Evaluates the target at a copy of `position` and returns a fresh state. */
  init(position: Float64Array): KernelState;
  /** One transition from `state` (mutated to the next state). */
  step(state: KernelState, rng: SamplerRng, params: KernelParams): Transition;
}

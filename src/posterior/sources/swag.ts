/**
 * SWAG's Gaussians over the weights, one per member (SWAG: one; MultiSWAG: M), sampled as
 * θ = θ̄ + √scale·(σ⊙z₁ + D z₂/√(K−1)); SWAG-diag keeps σ only. SWA is the same file with the
 * member's θ̄ as a point estimate. Test-time sample s of member m uses Philox key (seed, m) and
 * counter (·, s, 0, SAMPLE_TAG); z₁ and z₂ are one normal fill of P + K values, then the wasm kernel
 * `swag_sample_f32` forms θ. Prediction i averages member i mod M, sample ⌊i/M⌋.
 */
import type { Standardizer } from '../../data/standardize.js';
import type { MlpSpec } from '../../model/spec.js';
import type { Mlp } from '../../model/mlp.js';
import { keyOf } from '../../random/index.js';
import { f32, formatError, stateNumber } from '../parts.js';
import type { PosteriorParts } from '../parts.js';
import { noiseInfo, sampleCount, stateSamples, type WeightSource } from '../source.js';
import type { PredictOptions } from '../types.js';

/** Philox counter tag (fourth counter word) of SWAG's test-time weight draws. */
export const SAMPLE_TAG = 0x53;

/** One member's moments. */
export interface SwagMember {
  /** θ̄ (rounded to f32: the SWA weights). */
  mean: Float32Array;
  /** Per-weight standard deviation √max(M2/count, ε). */
  sigma: Float32Array;
  /** `rank` deviations θᵢ − θ̄ᵢ, rank × P row-major. */
  dev: Float32Array;
  rank: number;
  /** Snapshots collected. */
  count: number;
  /** Noise variance of the gaussian likelihood in standardized units (1 otherwise). */
  noiseVar: number;
}

export interface DrawState {
  /** Covariance scale of the draws. */
  scale: number;
  /** Draws per member and prediction unless `samples` says otherwise. */
  samples: number;
  diagonal: boolean;
}

export class SwagSource implements WeightSource {
  readonly kind: 'point' | 'gaussian';
  /** Pooled noise variance (standardized units): the mean over members. */
  readonly noiseVar: number;

  constructor(
    readonly members: readonly SwagMember[],
    readonly state: DrawState,
    /** SWA: the first member's θ̄ only. */
    readonly point = false,
  ) {
    this.kind = point ? 'point' : 'gaussian';
    this.noiseVar = members.reduce((s, m) => s + m.noiseVar, 0) / members.length;
  }

  /** SWA: 1; else `samples` per member (checked) times the members. */
  count(opts: PredictOptions): number {
    if (this.point) return 1;
    return sampleCount(opts.samples, 'samples', this.state.samples) * this.members.length;
  }

  /** The members' moments and the draws' scratch stay in the engine's arena until `use` settles. */
  async withSamples<R>(mlp: Mlp, seed: number, _count: number, use: (sample: (s: number) => { theta: Float32Array }) => Promise<R>): Promise<R> {
    if (this.point) return use(() => ({ theta: this.members[0].mean, noiseVar: this.noiseVar }));
    const M = this.members.length;
    const arena = mlp.arena;
    const mark = arena.mark();
    try {
      const draw = this.drawer(mlp, seed);
      return await use((i) => ({ theta: draw(i % M, Math.floor(i / M)), noiseVar: this.noiseVar }));
    } finally {
      arena.reset(mark);
    }
  }

  /** n weight vectors, spread round-robin over the members. */
  sampleWeights(mlp: Mlp, n: number, seed: number): Float32Array[] {
    sampleCount(n, 'n', 1);
    if (this.point) return Array.from({ length: n }, () => this.members[0].mean.slice());
    const M = this.members.length;
    const arena = mlp.arena;
    const mark = arena.mark();
    try {
      const draw = this.drawer(mlp, seed);
      return Array.from({ length: n }, (_, i) => draw(i % M, Math.floor(i / M)));
    } finally {
      arena.reset(mark);
    }
  }

  /** `draw(member, s)` (a fresh array); puts the members' moments and its scratch in the arena, which the caller resets. */
  private drawer(mlp: Mlp, seed: number): (member: number, s: number) => Float32Array {
    const arena = mlp.arena;
    const k = arena.k;
    const P = mlp.size;
    const ptrs = this.members.map((m) => ({ mean: arena.putF32(m.mean), sigma: arena.putF32(m.sigma), dev: arena.putF32(m.dev), rank: m.rank }));
    const maxRank = Math.max(...this.members.map((m) => m.rank));
    const z = arena.allocF32(P + maxRank);
    const out = arena.allocF32(P);
    const a = Math.sqrt(this.state.scale);
    return (member, s) => {
      const p = ptrs[member];
      const r = this.state.diagonal ? 0 : p.rank;
      const b = r >= 2 ? a / Math.sqrt(r - 1) : 0;
      const [k0, k1] = keyOf(seed, member);
      k.rng_normal_f32(z, P + r, k0, k1, s >>> 0, 0, SAMPLE_TAG);
      k.swag_sample_f32(out, p.mean, p.sigma, p.dev, z, P, r, a, b);
      return arena.getF32(out, P);
    };
  }

  toParts() {
    const arrays: Record<string, Float32Array> = {};
    this.members.forEach((m, i) => {
      arrays[`mean${i}`] = m.mean;
      arrays[`sigma${i}`] = m.sigma;
      arrays[`dev${i}`] = m.dev;
    });
    return { state: { ...this.state, members: this.members.map((m) => ({ rank: m.rank, count: m.count, noiseVar: m.noiseVar })) }, arrays };
  }

  info(spec: MlpSpec, s: Standardizer | undefined): Record<string, unknown> {
    return {
      members: this.members.length,
      snapshots: this.members.map((m) => m.count),
      rank: this.members.map((m) => m.rank),
      scale: this.state.scale,
      diagonal: this.state.diagonal,
      samples: this.state.samples,
      ...noiseInfo(spec, this.noiseVar, s),
    };
  }

  static fromParts(p: PosteriorParts, weights: number): SwagSource {
    const list = p.state?.members;
    if (!Array.isArray(list) || list.length === 0) throw formatError(`${p.method}: no members`);
    const members = list.map((m: Record<string, unknown>, i) => {
      const rank = stateNumber(p, 'rank', 'nonnegative', m);
      if (!Number.isInteger(rank)) throw formatError(`${p.method}: member ${i}'s rank is not an integer`);
      return {
        rank,
        count: stateNumber(p, 'count', 'nonnegative', m),
        noiseVar: stateNumber(p, 'noiseVar', 'nonnegative', m),
        mean: f32(p, `mean${i}`, weights),
        sigma: f32(p, `sigma${i}`, weights),
        dev: f32(p, `dev${i}`, rank * weights),
      };
    });
    const state = { scale: stateNumber(p, 'scale', 'positive'), samples: stateSamples(p), diagonal: p.state!.diagonal === true };
    return new SwagSource(members, state, p.method === 'swa');
  }
}

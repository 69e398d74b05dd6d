/**
 * SWA, SWAG and MultiSWAG (Izmailov et al. 2018; Maddox et al. 2019; Wilson & Izmailov 2020).
 *
 * - SWA: the average θ̄ of the SGD iterates as a point estimate (no epistemic part; the networks
 *   here have no batch norm, so no statistics need recomputing at θ̄).
 * - SWAG: θ ~ N(θ̄, scale·(diag(σ²) + DDᵀ/(K−1))), sampled as θ = θ̄ + √scale·(σ⊙z₁ + D z₂/√(K−1))
 *   (scale 0.5); SWAG-diag (`diagonal: true`) keeps σ only (scale 1).
 * - MultiSWAG: M independent SWAG runs (streams 0…M−1), the uniform mixture of their Gaussians.
 *
 * The moments come from `runSwagMember` (hooks on `fit`). Test-time draws: sample s of member m
 * uses Philox key (seed, m) and counter (·, s, 0, SAMPLE_TAG); z₁ and z₂ are one normal fill of
 * P + K values, then the wasm kernel `swag_sample_f32` forms θ.
 */
import { argError, BdlError, describe } from '../../errors.js';
import type { Dataset } from '../../data/dataset.js';
import type { Standardizer } from '../../data/standardize.js';
import type { Mlp } from '../../model/mlp.js';
import { layoutOf, type MlpSpec } from '../../model/spec.js';
import { keyOf } from '../../random/index.js';
import { mixturePredictive } from '../../posterior/network.js';
import { encodePosterior, registerPosteriorFormat } from '../../posterior/serialize.js';
import type { Posterior, PredictOptions, Predictive } from '../../posterior/types.js';
import { engineFor, memberProgress, specFor, type MethodOptions } from '../common.js';
import { fanOut } from '../../pool/fan-out.js';
import type { Pool, PoolOptions } from '../../pool/types.js';
import { registerTask } from '../../pool/registry.js';
import { runSwagMemberTask } from './swag-member.js';
import { predictiveNoiseVar, type PredictiveNoiseOption } from '../noise.js';
import { resolveRunOptions, runSwagMember, type SwagMoments, type SwagRunOptions } from './swag-moments.js';

/** Philox counter tag (fourth counter word) of SWAG's test-time weight draws. */
export const SAMPLE_TAG = 0x53;

export interface SwagOptions extends Omit<MethodOptions, 'learningRate'>, SwagRunOptions, PredictiveNoiseOption {
  /** Covariance scale of the draws (default 0.5; 1.0 with `diagonal`). */
  scale?: number;
  /** Test-time samples per prediction (default 30; for MultiSWAG, per member: default 20). */
  samples?: number;
}

export interface MultiSwagOptions extends SwagOptions {
  /** Independent SWAG runs (default 5). */
  members?: number;
  /**
   * Where the members run, as 'swag-member' tasks (fanOut): this pool (left open), or the options of
   * a pool made for the run and closed after it. Default `{ size: 0 }`: in-thread. The members are
   * bit-for-bit the same either way.
   */
  pool?: Pool | PoolOptions;
}

type Method = 'swa' | 'swag' | 'multiswag';
/** One member's moments as the posterior keeps them. */
export type SwagMember = Omit<SwagMoments, 'standardizer'>;

/** SWA: the trajectory average as a point estimate. */
export async function trainSwa(train: Dataset, opts: Omit<SwagOptions, 'scale' | 'samples' | 'rank' | 'diagonal'> = {}): Promise<SwagPosterior> {
  return trainWith('swa', train, { ...opts, diagonal: true }, 1);
}

/** SWAG (low rank + diagonal, or diagonal only). */
export async function trainSwag(train: Dataset, opts: SwagOptions = {}): Promise<SwagPosterior> {
  return trainWith('swag', train, opts, 1);
}

/** MultiSWAG: M independent SWAG runs, one 'swag-member' task each, fanned out on `pool`. */
export async function trainMultiSwag(train: Dataset, opts: MultiSwagOptions = {}): Promise<SwagPosterior> {
  const m = opts.members ?? 5;
  if (!(Number.isInteger(m) && m >= 1)) throw argError('E_ARG', 'options.members', 'a positive integer', describe(opts.members), 'E.g. 5.');
  const spec = specFor(train, opts as MethodOptions);
  const state = drawState('multiswag', opts.diagonal ?? false, opts.scale, opts.samples);
  const run = runOptionsOf(opts);
  resolveRunOptions(run, train.n);
  registerTask('swag-member', runSwagMemberTask);
  const tasks = Array.from({ length: m }, (_, stream) => ({ kind: 'swag-member', spec, options: run, seed: opts.seed ?? 0, stream }));
  const out = await fanOut<SwagMoments>(tasks, {
    pool: opts.pool ?? { size: 0 },
    data: { x: train.x, y: train.y },
    signal: opts.signal,
    onProgress: memberProgress(opts.onProgress),
  });
  return new SwagPosterior('multiswag', spec, out[0].standardizer, membersOf(spec, out, opts.predictiveNoise), state);
}

async function trainWith(method: Method, train: Dataset, opts: SwagOptions, members: number): Promise<SwagPosterior> {
  const spec = specFor(train, opts as MethodOptions);
  const diagonal = opts.diagonal ?? false;
  const state = drawState(method, diagonal, opts.scale, opts.samples);
  const run = runOptionsOf(opts);
  const out: SwagMoments[] = [];
  for (let m = 0; m < members; m++) {
    out.push(
      await runSwagMember(spec, run, opts.seed ?? 0, m, { x: train.x, y: train.y }, {
        signal: opts.signal,
        onProgress: opts.onProgress && ((p) => opts.onProgress!({ task: m, ...p })),
      }),
    );
  }
  return new SwagPosterior(method, spec, out[0].standardizer, membersOf(spec, out, opts.predictiveNoise), state);
}

/** The members as the posterior keeps them, each predicting with `predictiveNoise` when given. */
function membersOf(spec: MlpSpec, out: SwagMoments[], predictiveNoise: number | undefined): SwagMember[] {
  return out.map(({ standardizer, ...rest }) => ({ ...rest, noiseVar: predictiveNoiseVar(spec.likelihood, predictiveNoise, standardizer, rest.noiseVar) }));
}

/** The serializable part of the options (what a pool task would carry). */
export function runOptionsOf(o: SwagOptions): SwagRunOptions {
  const { epochs, swaStart, batchSize, swaLearningRate, momentum, schedule, collectEvery, rank, diagonal, priorPrecision, noise } = o;
  const lr = (o as MethodOptions).learningRate;
  if (lr !== undefined && typeof lr !== 'number') throw argError('E_ARG', 'options.learningRate', 'a number (the burn-in Adam rate)', describe(lr), 'SWAG sets its own schedule; pass swaLearningRate for the collection phase.');
  return { epochs, swaStart, batchSize, learningRate: lr, swaLearningRate, momentum, schedule, collectEvery, rank, diagonal, priorPrecision, noise };
}

interface DrawState {
  scale: number;
  samples: number;
  diagonal: boolean;
}

function drawState(method: Method, diagonal: boolean, scale: number | undefined, samples: number | undefined): DrawState {
  const s = scale ?? (diagonal ? 1 : 0.5);
  if (!(s > 0 && Number.isFinite(s))) throw argError('E_ARG', 'options.scale', 'a positive finite number', describe(scale), 'Omit it for 0.5 (1.0 with diagonal).');
  const S = samples ?? (method === 'swa' ? 1 : method === 'multiswag' ? 20 : 30);
  checkSamples(S, 'options.samples');
  return { scale: s, samples: S, diagonal };
}

function checkSamples(S: unknown, name: string): void {
  if (!(Number.isInteger(S) && (S as number) >= 1)) throw argError('E_ARG', name, 'a positive integer', describe(S), 'E.g. 30.');
}

export class SwagPosterior implements Posterior {
  private mlp?: Mlp;
  /** Pooled noise variance (standardized units): the mean over members. */
  private readonly noiseVar: number;

  constructor(
    readonly method: Method,
    readonly spec: MlpSpec,
    readonly standardizer: Standardizer | undefined,
    readonly members: readonly SwagMember[],
    private readonly state: DrawState,
  ) {
    this.noiseVar = members.reduce((s, m) => s + m.noiseVar, 0) / members.length;
  }

  get info(): Record<string, unknown> {
    const ys = this.standardizer?.yStd?.[0] ?? 1;
    return {
      members: this.members.length,
      snapshots: this.members.map((m) => m.count),
      rank: this.members.map((m) => m.rank),
      scale: this.state.scale,
      diagonal: this.state.diagonal,
      samples: this.state.samples,
      noiseStd: Math.sqrt(this.noiseVar) * ys,
    };
  }

  /** Predictive at x. `samples` is per member (SWA always uses its single θ̄). */
  async predict(x: Float32Array, opts: PredictOptions = {}): Promise<Predictive> {
    const S = this.method === 'swa' ? 1 : (opts.samples ?? this.state.samples);
    checkSamples(S, 'samples');
    this.mlp ??= await engineFor(this.spec);
    const M = this.members.length;
    if (this.method === 'swa') return mixturePredictive(this.mlp, this.standardizer, x, 1, () => ({ theta: this.members[0].mean }), { noiseVar: this.noiseVar, signal: opts.signal });
    return this.withDraws(opts.seed ?? 0, (draw) =>
      mixturePredictive(this.mlp!, this.standardizer, x, S * M, (i) => ({ theta: draw(i % M, Math.floor(i / M)) }), { noiseVar: this.noiseVar, signal: opts.signal }),
    );
  }

  /** n weight vectors, spread round-robin over the members. */
  async sampleWeights(n: number, seed = 0): Promise<Float32Array[]> {
    checkSamples(n, 'n');
    if (this.method === 'swa') return Array.from({ length: n }, () => this.members[0].mean.slice());
    this.mlp ??= await engineFor(this.spec);
    const M = this.members.length;
    return this.withDraws(seed, (draw) => Array.from({ length: n }, (_, i) => draw(i % M, Math.floor(i / M))));
  }

  /**
   * Runs `use` with `draw(member, s)`, which returns sample s of a member. The members' moments sit
   * in the engine's arena for the duration (released after).
   */
  private withDraws<T>(seed: number, use: (draw: (member: number, s: number) => Float32Array) => T): T {
    const arena = this.mlp!.arena;
    const k = arena.k;
    const P = this.mlp!.size;
    const mark = arena.mark();
    try {
      const ptrs = this.members.map((m) => ({ mean: arena.putF32(m.mean), sigma: arena.putF32(m.sigma), dev: arena.putF32(m.dev), rank: m.rank }));
      const maxRank = Math.max(...this.members.map((m) => m.rank));
      const z = arena.allocF32(P + maxRank);
      const out = arena.allocF32(P);
      const a = Math.sqrt(this.state.scale);
      return use((member, s) => {
        const p = ptrs[member];
        const r = this.state.diagonal ? 0 : p.rank;
        const b = r >= 2 ? a / Math.sqrt(r - 1) : 0;
        const [k0, k1] = keyOf(seed, member);
        k.rng_normal_f32(z, P + r, k0, k1, s >>> 0, 0, SAMPLE_TAG);
        k.swag_sample_f32(out, p.mean, p.sigma, p.dev, z, P, r, a, b);
        return arena.getF32(out, P);
      });
    } finally {
      arena.reset(mark);
    }
  }

  toBytes(): Uint8Array {
    const arrays: Record<string, Float32Array> = {};
    this.members.forEach((m, i) => {
      arrays[`mean${i}`] = m.mean;
      arrays[`sigma${i}`] = m.sigma;
      arrays[`dev${i}`] = m.dev;
    });
    return encodePosterior({
      method: this.method,
      spec: this.spec,
      standardizer: this.standardizer,
      state: { ...this.state, members: this.members.map((m) => ({ rank: m.rank, count: m.count, noiseVar: m.noiseVar })) },
      arrays,
    });
  }
}

for (const method of ['swa', 'swag', 'multiswag'] as const) {
  registerPosteriorFormat(method, async (p) => {
    const st = p.state as unknown as DrawState & { members: { rank: number; count: number; noiseVar: number }[] };
    const P = layoutOf(p.spec).size;
    const members = (Array.isArray(st?.members) ? st.members : []).map((m, i) => {
      const [mean, sigma, dev] = ['mean', 'sigma', 'dev'].map((n) => p.arrays[`${n}${i}`]);
      if (!(mean instanceof Float32Array && sigma instanceof Float32Array && dev instanceof Float32Array) || mean.length !== P || sigma.length !== P || dev.length !== m.rank * P) {
        throw new BdlError('E_FORMAT', `posterior bytes: ${method} member ${i} lacks its moments (θ̄, σ, D for ${P} weights, rank ${m.rank}). Pass the exact bytes toBytes() produced.`, 'bytes');
      }
      return { ...m, mean, sigma, dev };
    });
    if (members.length === 0) throw new BdlError('E_FORMAT', `posterior bytes: ${method} with no members. Pass the exact bytes toBytes() produced.`, 'bytes');
    return new SwagPosterior(method, p.spec, p.standardizer, members, { scale: st.scale, samples: st.samples, diagonal: st.diagonal });
  });
}

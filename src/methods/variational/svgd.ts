/**
 * Stein variational gradient descent (Liu & Wang 2016) for network weights: K particles move along
 *   φ(θᵢ) = (1/K) Σⱼ [k(θⱼ,θᵢ)·∇log p(θⱼ|D) + ∇_θⱼ k(θⱼ,θᵢ)],
 * an RBF kernel with the median-heuristic bandwidth h = med²/log(K+1) (med² the median squared
 * distance between particles). The first term pulls particles to high posterior density, the second
 * pushes them apart. The particles are coupled, so SVGD is ONE objective over the concatenated
 * vector (K·P values) run by the training loop, whose optimizer (Adam by default) steps along −φ.
 */
import type { Dataset } from '../../data/dataset.js';
import type { Mlp } from '../../model/mlp.js';
import type { TaskOf } from '../../posterior/types.js';
import { fit, type FitOptions, type Objective } from '../../train/fit.js';
import { checkRun, budgetOf, defaultEpochs, fitOptionsOf, refitAfterStop } from '../common.js';
import { taskOf } from '../../model/spec.js';
import { prepare, samplesPosterior, type SamplesPosterior, SAMPLER_OPTIONS } from '../samples.js';
import { int, type Infer } from '../../options/schema.js';
import { checkMemory, estimateSampled } from '../memory.js';
import * as exact from '../../random/exact-math.js';

export const SVGD_OPTIONS = SAMPLER_OPTIONS.extend('trainSvgd', {
  particles: int({ min: 1, default: 20, help: 'particles K' }),
  epochs: int({ min: 1, defaultText: 'regression: early stopping on held-out rows (validationFraction), then as many epochs on every row; else enough passes for 4000 optimizer steps, within [50, 400]', help: 'SVGD epochs' }),
});
export type SvgdOptions = Infer<typeof SVGD_OPTIONS>;

/** SVGD's fewest epochs: what it ran on every set before its length followed the data (kept on large sets). */
const MIN_EPOCHS = 50;

/**
 * SVGD's fixed length for n rows, where it does not stop early (classification; too few rows to hold
 * out): its particles start from the initialization, not from the pretrained mode, so they need at
 * least the optimizer steps of MAP's fixed budget (`defaultEpochs`: DEFAULT_STEPS within [40, 400]
 * epochs), and never fewer than the 50 epochs SVGD always ran (large sets keep their results). A
 * fixed 50 epochs was 450 Adam steps on yacht's 277 rows, far from a fit.
 */
export function svgdEpochs(n: number, batchSize = 32): number {
  return Math.max(MIN_EPOCHS, defaultEpochs(n, batchSize));
}

export interface SvgdTarget {
  /** Training-set size N. */
  n: number;
  /** Prior precision λ. */
  lambda: number;
  /** Gaussian likelihood noise variance. */
  noiseVar?: number;
  temperature?: number;
}

/** The bandwidth of the last evaluation (for `info`). */
export interface SvgdObjective extends Objective {
  readonly bandwidth: number;
}

/**
 * SVGD as a training-loop objective over K particles of `mlp`'s weights, stored as a K×P matrix.
 * Per minibatch: each particle's mean-NLL gradient g from the engine, the score
 * ∇log p = −(N·g + λθ)/T, then the Gram matrix, kernel and φ in wasm; the gradient handed to the
 * optimizer is −φ/N (per-example units, like every other objective), the loss the particles' mean
 * per-example loss (NLL + λ‖θ‖²/(2N)).
 */
export function svgdObjective(mlp: Mlp, K: number, target: SvgdTarget): SvgdObjective {
  const P = mlp.size;
  const T = target.temperature ?? 1;
  let score = 0;
  let dist = 0;
  const obj = {
    size: K * P,
    bandwidth: NaN,
    init(seed: number, stream: number): Float32Array {
      const out = new Float32Array(K * P);
      for (let i = 0; i < K; i++) out.set(mlp.init(seed, stream * K + i), i * P);
      return out;
    },
    // The particles' mean held-out loss: what early stopping compares between epochs.
    validationLossAt(params: number, x: number, y: number, batch: number): number {
      let sum = 0;
      for (let i = 0; i < K; i++) sum += mlp.lossAt(params + 4 * i * P, x, y, batch);
      return sum / K;
    },
    lossAndGradAt(params: number, grad: number, x: number, y: number, batch: number, ctx: { arena: Mlp['arena']; step: number }): number {
      const a = ctx.arena;
      const k = a.k;
      // Scratch lives in the loop's arena region, reserved on the first step of each run.
      if (ctx.step === 0) {
        score = a.allocF32(K * P);
        dist = a.allocF32(K * K);
      }
      let loss = 0;
      for (let i = 0; i < K; i++) {
        loss += mlp.lossAndGradAt(params + 4 * i * P, score + 4 * i * P, x, y, batch, { scale: 1 / batch, noiseVar: target.noiseVar });
      }
      k.scal_f32(score, -target.n / T, K * P);
      k.axpy_f32(score, -target.lambda / T, params, K * P);
      k.svgd_sqdist_f32(dist, params, K, P, a.gemmWork);
      const h = medianHeuristic(a.f32(dist, K * K), K);
      obj.bandwidth = h;
      k.svgd_kernel_f32(dist, dist, K, 1 / h);
      k.svgd_phi_f32(grad, dist, score, params, K, P, 1 / h, a.gemmWork);
      k.scal_f32(grad, -1 / target.n, K * P);
      return loss / K + (target.lambda * k.sumsq_f32(params, K * P)) / (2 * target.n * K);
    },
  };
  return obj;
}

/** h = median of the pairwise squared distances / log(K+1); 1 when all particles coincide. */
export function medianHeuristic(d: Float32Array, K: number): number {
  if (K < 2) return 1;
  const pairs: number[] = [];
  for (let i = 0; i < K; i++) for (let j = i + 1; j < K; j++) pairs.push(d[i * K + j]);
  pairs.sort((p, q) => p - q);
  const m = pairs.length;
  const med = m % 2 ? pairs[(m - 1) / 2] : 0.5 * (pairs[m / 2 - 1] + pairs[m / 2]);
  const h = med / exact.log(K + 1);
  return h > 0 && Number.isFinite(h) ? h : 1;
}

/**
 * SVGD: K (default 20) independently initialized networks moved jointly by Adam (default lr 1e-3)
 * along the Stein direction — for regression until the particles' mean held-out loss stops improving,
 * then again on every row for the kept epochs; otherwise `svgdEpochs`. The noise level is MAP's
 * default σ (samples.ts `prepare`; skipped when `noise` is given). The particles are the posterior's
 * samples.
 */
export async function trainSvgd<O extends SvgdOptions>(train: Dataset, opts: O = {} as O): Promise<SamplesPosterior<TaskOf<O>>> {
  opts = checkRun(SVGD_OPTIONS, train, opts);
  checkMemory(estimateSampled('svgd', train, opts), opts.memoryBudget);
  const prep = await prepare(train, { ...opts, pretrainEpochs: opts.noise !== undefined ? 0 : opts.pretrainEpochs });
  const K = SVGD_OPTIONS.value(opts, 'particles');
  const n = prep.data.n;
  // Regression stops early on held-out rows, then trains again on every row for the kept epochs (MAP's
  // rule: common.ts budgetOf, refitAfterStop); classification, or too few rows to hold out: a fixed length.
  const regression = taskOf(prep.spec) === 'regression';
  const budget = budgetOf(opts, n, regression, prep.standardizer);
  if (!budget.earlyStopping && opts.epochs === undefined) budget.epochs = svgdEpochs(n, opts.batchSize);
  let bandwidth = NaN;
  const run = async (f: FitOptions) => {
    // The particles target the posterior of the rows they train on: a held-out share leaves fewer.
    const held = f.earlyStopping && !f.earlyStopping.rows ? Math.round(f.earlyStopping.fraction * n) : 0;
    const objective = svgdObjective(prep.mlp, K, { n: n - held, lambda: prep.lambda, noiseVar: prep.noiseVar, temperature: opts.temperature });
    const r = await fit(prep.mlp, prep.data, { ...f, objective });
    bandwidth = objective.bandwidth;
    return r;
  };
  const fo: FitOptions = { ...fitOptionsOf(opts), ...budget, standardize: false };
  const r = await refitAfterStop(run, fo, regression);
  return samplesPosterior('svgd', prep, r.params, { particles: K, epochs: r.bestEpoch ?? budget.epochs, bandwidth });
}

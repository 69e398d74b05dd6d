/**
 * Mean-field Gaussian variational inference, "Bayes by Backprop" (Graves 2011; Blundell et al. 2015).
 *
 * q(θ) = N(μ, diag σ²), σ = softplus(ρ), over every weight and bias; the loop trains φ = (μ, ρ) on
 * the negative ELBO per example: E_q[NLL of the batch]/B + w·KL(q ‖ N(0, 1/λ))/N. One reparameterized
 * draw θ = μ + σ⊙ε per step (ε from Philox, counter = step); the engine gives ∂L/∂θ and one wasm
 * kernel carries it to (μ, ρ) with the closed-form KL gradient. The KL is divided by the training-set
 * size N, never by the batch size: summed over an epoch's batches the objective is the full ELBO.
 *
 * Philox tags (third counter word): 0x56 training draws (c1 = step), 0x57 test-time draws (c1 = sample).
 * Gaussian noise: fitted by variational EM during training (see noise.ts) unless `noise` is given; with
 * early stopping (the default), the predictive's σ is the held-out residual at the mean weights instead.
 */
import type { Dataset } from '../../data/dataset.js';
import type { Mlp } from '../../model/mlp.js';
import { taskOf, type TaskKind } from '../../model/spec.js';
import { NetworkPosterior } from '../../posterior/network-posterior.js';
import { MeanFieldSource, VI_TAG } from '../../posterior/sources/mean-field.js';
import type { TaskOf } from '../../posterior/types.js';
import { keyOf } from '../../random/index.js';
import { fit, type FitOptions, type FitResult, type Objective } from '../../train/fit.js';
import { checkRun, engineFor, fitAndRefit, fitOptionsOf, specFor, withPatience, DEFAULT_STEPS, METHOD_OPTIONS, SAMPLED_PATIENCE } from '../common.js';
import { residualVariance } from '../map.js';
import { heldOutLoss, heldOutNoiseVar, noiseFor, predictiveNoiseVar, standardized, type NoiseEstimate, NOISE, PREDICTIVE_NOISE } from '../noise.js';
import { bool, int, num, schema, type Infer } from '../../options/schema.js';
import { checkMemory, estimateVi } from '../memory.js';
import { MAX_SAMPLES } from '../../posterior/source.js';

export { VI_TAG };

export const VI_OPTIONS = METHOD_OPTIONS.extend('trainVi', {
  ...NOISE,
  ...PREDICTIVE_NOISE,
  priorPrecision: num({ gt: 0, default: 1, help: 'precision λ of the N(0, 1/λ) prior on every weight' }),
  learningRate: { ...METHOD_OPTIONS.fields.learningRate, default: undefined, defaultText: 'chosen between 1e-3 and 3e-3 by the held-out loss when a regression fit stops early; else 1e-3' },
  samples: int({ min: 1, max: MAX_SAMPLES, default: 30, help: 'posterior samples at test time' }),
  klWeight: num({ min: 0, default: 1, help: 'weight of the KL term (1 = the ELBO, < 1 a colder posterior)' }),
  rhoInit: num({ default: -3, help: 'initial ρ of every weight (−3: σ ≈ 0.049)' }),
  klWarmup: int({ min: 0, defaultText: `${DEFAULT_STEPS} when stopping early (epochs not given), else 0`, flag: 'kl-warmup', help: "optimizer steps over which the KL term's weight rises linearly from 0 to klWeight" }),
  standardize: bool({ default: true, help: 'standardize inputs and targets with the training statistics' }),
});
export type ViOptions = Infer<typeof VI_OPTIONS>;

/** The fields of VI_OPTIONS the objective reads (checked by the same schema fields). */
const OBJECTIVE_OPTIONS = schema('viObjective', { priorPrecision: VI_OPTIONS.fields.priorPrecision, klWeight: VI_OPTIONS.fields.klWeight, rhoInit: VI_OPTIONS.fields.rhoInit, klWarmup: VI_OPTIONS.fields.klWarmup });

/**
 * The KL warm-up a run trains with: `klWarmup` when given; else DEFAULT_STEPS steps when the run stops
 * early (the default length rule), 0 with a fixed `epochs`. With the fitted (EM) noise, the first steps
 * decide between two fixed points: σ² estimated from draws of a still-wide q is large, a large σ² lets
 * the KL term hold q at the prior, and q at the prior keeps the residuals (and σ²) large. Ramping the KL
 * in lets the data term pull the means in first (UCI energy split 1: −2.26 → −0.84; eval/DEFAULTS-notes.md).
 */
export function klWarmupOf(o: { klWarmup?: number }, fo: Pick<FitOptions, 'earlyStopping'>): number {
  return o.klWarmup ?? (fo.earlyStopping ? DEFAULT_STEPS : 0);
}

/**
 * `fo` whose early stopping keeps no epoch before the KL warm-up ends (`EarlyStopping.from`: the first
 * epoch whose last step has the KL at full weight, at most the run's epochs), for n rows. Before it the
 * loop trains a posterior with a down-weighted KL term — narrower than q, closer to MAP — whose
 * held-out score can be the lowest on a few held-out rows: UCI yacht split 2 kept epoch 278 of a 500-
 * epoch warm-up at learning rate 3e-3 (28 held-out rows) and scored −1.42 (`--tune` −1.05).
 */
export function afterWarmup(fo: FitOptions, warmup: number, n: number): FitOptions {
  const es = fo.earlyStopping;
  if (!es || !(warmup > 0)) return fo;
  const rows = es.rows ? n : n - Math.round(es.fraction * n);
  const perEpoch = Math.ceil(rows / Math.max(1, Math.min(fo.batchSize ?? 32, rows)));
  return { ...fo, earlyStopping: { ...es, from: Math.min(fo.epochs ?? Infinity, Math.ceil(warmup / perEpoch)) } };
}

/** The negative ELBO per example over φ = (μ, ρ), as a `fit` objective. Exposed for tests. */
export function viObjective(
  mlp: Mlp,
  o: { priorPrecision?: number; klWeight?: number; rhoInit?: number; klWarmup?: number; noise?: NoiseEstimate } = {},
): Objective & { lastKl: number } {
  const P = mlp.size;
  const { noise, ...numbers } = o;
  const c = OBJECTIVE_OPTIONS.check(numbers);
  const lambda = OBJECTIVE_OPTIONS.value(c, 'priorPrecision');
  const w = OBJECTIVE_OPTIONS.value(c, 'klWeight');
  const rho0 = OBJECTIVE_OPTIONS.value(c, 'rhoInit');
  const warmup = c.klWarmup ?? 0;
  const arena = mlp.arena;
  // Scratch for the draw: allocated with the engine, outside fit's mark.
  const theta = arena.allocF32(P);
  const eps = arena.allocF32(P);
  const obj = {
    size: 2 * P,
    lastKl: 0,
    init(seed: number, stream: number) {
      const phi = new Float32Array(2 * P);
      phi.set(mlp.init(seed, stream));
      phi.fill(rho0, P);
      return phi;
    },
    // Held-out rows are scored at the mean weights μ (the first P values of φ): a score without
    // sampling noise, so that early stopping compares epochs, not draws.
    validationLossAt: (params: number, x: number, y: number, batch: number) => heldOutLoss(mlp, params, x, y, batch),
    validationOutputsAt: (params: number, x: number, batch: number) => mlp.forwardAt(params, x, batch),
    lossAndGradAt(params: number, grad: number, x: number, y: number, batch: number, ctx: { seed: number; stream: number; step: number; n: number; epoch: number }) {
      const k = arena.k;
      const [k0, k1] = keyOf(ctx.seed, ctx.stream);
      k.rng_normal_f32(eps, P, k0, k1, ctx.step >>> 0, 0, VI_TAG.train);
      k.vi_sample_f32(theta, params, params + 4 * P, eps, P);
      const data = mlp.lossAndGradAt(theta, grad, x, y, batch, { scale: 1 / batch, noiseVar: noise?.variance });
      noise?.record(data * batch, batch, mlp.spec.outputs, ctx.epoch);
      const klScale = (w / ctx.n) * (warmup > 0 ? Math.min(1, ctx.step / warmup) : 1);
      const kl = k.vi_grad_f32(grad, grad + 4 * P, grad, params, params + 4 * P, eps, P, lambda, klScale);
      obj.lastKl = kl;
      return data + klScale * kl;
    },
  };
  return obj;
}

/** Trains a mean-field Gaussian posterior on `train`. */
export async function trainVi<O extends ViOptions>(train: Dataset, opts: O = {} as O): Promise<ViPosterior<TaskOf<O>>> {
  opts = checkRun(VI_OPTIONS, train, opts);
  checkMemory(estimateVi(train, opts), opts.memoryBudget);
  const spec = specFor(train, opts);
  const samples = VI_OPTIONS.value(opts, 'samples');
  const { data, standardizer } = standardized(train, taskOf(spec) === 'regression', opts.standardize);
  const mlp = await engineFor(spec);
  const stopping = withPatience(fitOptionsOf(opts, 0, data.n, true, standardizer), SAMPLED_PATIENCE);
  const klWarmup = klWarmupOf(opts, stopping);
  // Regression only: classification's stopping (and its calibration) was not measured with it.
  const fo = taskOf(spec) === 'regression' ? afterWarmup(stopping, klWarmup, data.n) : stopping;
  // Each fit (the early-stopped one, then the one on every row) starts its noise estimate afresh.
  let noise = noiseFor(spec.likelihood, opts.noise, standardizer);
  const fresh = () => {
    noise = noiseFor(spec.likelihood, opts.noise, standardizer);
    return { standardize: false, objective: viObjective(mlp, { priorPrecision: opts.priorPrecision, klWeight: opts.klWeight, rhoInit: opts.rhoInit, klWarmup, noise }) };
  };
  const chosen = await learningRateOf(opts, fo, (f) => fit(mlp, data, { ...f, ...fresh() }));
  const r = await fitAndRefit(mlp, data, chosen?.fo ?? fo, fresh, chosen?.first);
  noise?.update();
  // The floor: the training rows' residual at the mean weights, the pass the held-out rows were scored
  // with (EM's estimate averages over q's draws and holds their spread, which the predictive adds again).
  const held = noise && !noise.fixed ? heldOutNoiseVar(r.validationLoss, spec.outputs, residualVariance(mlp, r.params.subarray(0, mlp.size), data)) : undefined;
  const P = mlp.size;
  const source = new MeanFieldSource(r.params.slice(0, P), r.params.slice(P), predictiveNoiseVar(spec.likelihood, opts.predictiveNoise, standardizer, held ?? noise?.variance ?? 1), samples);
  return new NetworkPosterior<MeanFieldSource, TaskOf<O>>('vi', spec, standardizer, source, mlp);
}

/**
 * The Adam rates VI chooses between when `learningRate` is not given and a regression fit stops early
 * (the two of `--tune`'s grid): each is trained on the same rows and the one whose early-stopped fit
 * reached the lower held-out loss (the rows that stopped it) trains on. Why: q's means and spreads move
 * slowly at 1e-3 on a nearly noiseless set: on UCI yacht (3 splits) the default stopped at −1.40 where
 * `--tune` (3e-3 on all three) reached −1.23, and 3e-3 alone gave −1.29; on boston 3e-3 alone was
 * worse (−2.55 → −2.60), the choice keeps −2.56 (eval/DEFAULTS-notes.md, round 5).
 */
export const VI_LEARNING_RATES: readonly number[] = [1e-3, 3e-3];

/**
 * The chosen rate's fit options and its early-stopped fit (`first(fo)` runs one), or undefined when no
 * choice is made (a given `learningRate`, a fixed `epochs`, given held-out rows, classification).
 */
async function learningRateOf(opts: ViOptions, fo: FitOptions, first: (fo: FitOptions) => Promise<FitResult>): Promise<{ fo: FitOptions; first: FitResult } | undefined> {
  if (opts.learningRate !== undefined || !fo.earlyStopping || fo.earlyStopping.rows || (opts.task ?? 'regression') !== 'regression') return undefined;
  let best: { fo: FitOptions; first: FitResult } | undefined;
  for (const learningRate of VI_LEARNING_RATES) {
    const f = { ...fo, learningRate };
    const r = await first(f);
    // A tie (or a NaN score) keeps the earlier, smaller rate.
    if (!best || r.validationLoss! < best.first.validationLoss!) best = { fo: f, first: r };
  }
  return best;
}

/** Mean-field VI: the network averaged over draws from q(θ). */
export type ViPosterior<T extends TaskKind = TaskKind> = NetworkPosterior<MeanFieldSource, T>;

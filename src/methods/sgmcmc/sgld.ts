/**
 * SGLD (Welling & Teh 2011), optionally RMSprop-preconditioned (pSGLD, Li et al. 2016), and cyclical
 * SGLD (Zhang et al. 2020): Langevin noise added to minibatch SGD on the one training loop, the
 * samples collected by a hook. The noise scaling is derived in src/train/sgmcmc.ts.
 */
import { argError, describe } from '../../errors.js';
import type { Dataset } from '../../data/dataset.js';
import type { Posterior } from '../../posterior/types.js';
import { fit, type LoopContext } from '../../train/fit.js';
import { cyclical } from '../../train/schedules.js';
import { psgld, sgld } from '../../train/sgmcmc.js';
import { fitOptionsOf } from '../common.js';
import { burnInOf, collectSamples, evenly, positiveInt, prepare, SampleBuffer, SamplesPosterior, type SamplerOptions } from '../samples.js';

export interface SgldOptions extends SamplerOptions {
  /** Sampler epochs before collecting (default 10). */
  burnIn?: number;
  /** RMSprop-preconditioned SGLD (default false). */
  precondition?: boolean;
}

/**
 * SGLD: after an Adam pretrain to a mode, `burnIn` + `epochs` (default 10 + 100) epochs of Langevin
 * steps at a constant rate (default 1e-2·min(1, σ²) in the loop's per-example units, i.e. ε = lr/N,
 * σ² the standardized noise variance, since the mean loss's curvature grows as 1/σ²; 1e-3 when
 * preconditioned), keeping `samples` (default 100) θ spread evenly over the collection epochs.
 */
export async function trainSgld(train: Dataset, opts: SgldOptions = {}): Promise<Posterior> {
  const prep = await prepare(train, opts);
  const burnIn = burnInOf(opts.burnIn, 10);
  const epochs = positiveInt('epochs', opts.epochs, 100, 'E.g. 100 collection epochs.');
  const samples = positiveInt('samples', opts.samples, 100, 'E.g. 100.');
  const base = fitOptionsOf(opts);
  const noise = { n: prep.data.n, seed: base.seed, stream: 0, temperature: opts.temperature };
  const draws = await collectSamples(prep, base, {
    burnIn,
    epochs,
    samples,
    learningRate: opts.learningRate ?? (opts.precondition ? 1e-3 : 1e-2 * Math.min(1, prep.noiseVar)),
    optimizer: opts.precondition ? psgld(noise) : sgld(noise),
  });
  return new SamplesPosterior('sgld', prep.spec, draws, prep.standardizer, prep.noiseVar, { preconditioned: !!opts.precondition }, prep.mlp);
}

export interface CsgldOptions extends SamplerOptions {
  /** Cosine cycles over the run (default 4). */
  cycles?: number;
  /** Fraction of each cycle spent exploring (plain SGD, no noise) before sampling (default 0.8). */
  explore?: number;
}

/**
 * Cyclical SGLD: the cyclical cosine rate (peak default 2e-2·min(1, σ²)) restarts `cycles` times over `epochs`
 * (default 100); in the first `explore` fraction of a cycle the steps are noiseless SGD (moving to a
 * new mode), in the rest Langevin noise is on and samples (samples/cycles per cycle) are collected,
 * evenly over each sampling stage, ending at the cycle's end.
 */
export async function trainCsgld(train: Dataset, opts: CsgldOptions = {}): Promise<Posterior> {
  const prep = await prepare(train, opts);
  const epochs = positiveInt('epochs', opts.epochs, 100, 'E.g. 100.');
  const cycles = positiveInt('cycles', opts.cycles, 4, 'E.g. 4.');
  const S = positiveInt('samples', opts.samples, 100, 'E.g. 100.');
  const beta = opts.explore ?? 0.8;
  if (!(beta >= 0 && beta < 1)) throw argError('E_ARG', 'explore', 'a fraction in [0, 1)', describe(opts.explore), 'E.g. 0.8.');
  const base = fitOptionsOf(opts);
  const spe = Math.ceil(prep.data.n / Math.min(base.batchSize!, prep.data.n));
  const total = epochs * spe;
  const len = Math.ceil(total / cycles);
  if (len < 2) throw argError('E_ARG', 'cycles', `at most half the number of steps (${total})`, describe(cycles), 'Use fewer cycles or more epochs.');
  // Same cycle length as the `cyclical` schedule: step t (0-based) is at position t mod len.
  const firstSampling = Math.min(len - 1, Math.ceil(beta * len));
  const perCycle = Math.max(1, Math.floor(S / cycles));
  const sampling = (t: number) => t % len >= firstSampling;
  const out = new SampleBuffer(perCycle * cycles, prep.mlp.size);
  // Scaled like SGLD's rate: a small noise variance (a sharp likelihood) needs smaller steps; at the
  // fixed 2e-2 the exploration stage diverged on UCI energy (σ² ≈ 0.003 in standardized units).
  const peak = typeof opts.learningRate === 'number' ? opts.learningRate : 2e-2 * Math.min(1, prep.noiseVar);
  await fit(prep.mlp, prep.data, {
    ...base,
    epochs,
    learningRate: cyclical(peak, cycles),
    optimizer: sgld({ n: prep.data.n, seed: base.seed, temperature: opts.temperature, noisy: (step) => sampling(step - 1) }),
    init: prep.theta0,
    standardize: false,
    loss: { noiseVar: prep.noiseVar },
    hooks: {
      onStep: (ctx: LoopContext) => {
        if (!sampling(ctx.step)) return;
        const cycleEnd = Math.min(total, (Math.floor(ctx.step / len) + 1) * len);
        const start = Math.floor(ctx.step / len) * len + firstSampling;
        if (evenly(ctx.step - start, cycleEnd - start, perCycle)) out.push(ctx.arena, ctx.params);
      },
    },
  });
  return new SamplesPosterior('csgld', prep.spec, out.values(), prep.standardizer, prep.noiseVar, { cycles }, prep.mlp);
}

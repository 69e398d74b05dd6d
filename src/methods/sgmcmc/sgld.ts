/**
 * SGLD (Welling & Teh 2011), optionally RMSprop-preconditioned (pSGLD, Li et al. 2016), and cyclical
 * SGLD (Zhang et al. 2020): Langevin noise added to minibatch SGD on the one training loop, the
 * samples collected by a hook. The noise scaling is derived in src/train/sgmcmc.ts.
 */
import { argError, describe } from '../../errors.js';
import type { Dataset } from '../../data/dataset.js';
import type { TaskOf } from '../../posterior/types.js';
import { fit, type LoopContext } from '../../train/fit.js';
import { cyclical } from '../../train/schedules.js';
import { psgld, sgld } from '../../train/sgmcmc.js';
import { checkRun, fitOptionsOf } from '../common.js';
import { BURN_IN, collectSamples, evenly, prepare, SampleBuffer, samplerLength, samplesPosterior, type SamplesPosterior, SAMPLER_OPTIONS } from '../samples.js';
import { bool, int, num, union, type Infer } from '../../options/schema.js';
import { checkMemory, estimateSampled } from '../memory.js';

export const SGLD_OPTIONS = SAMPLER_OPTIONS.extend('trainSgld', {
  ...BURN_IN,
  precondition: bool({ default: false, help: 'RMSprop-preconditioned SGLD (pSGLD)' }),
  learningRate: union(num({ gt: 0, help: '' }), SAMPLER_OPTIONS.fields.learningRate, { defaultText: '1e-2·min(1, σ²); 1e-3 preconditioned', flag: 'lr', help: 'step size in per-example units (or a schedule, from the API)' }),
});
export type SgldOptions = Infer<typeof SGLD_OPTIONS>;

/**
 * SGLD: after an Adam pretrain to a mode, `burnIn` + `epochs` epochs of Langevin steps (default: a
 * regression's collection of 40,000 steps and a tenth of that before it, samples.ts `samplerLength`)
 * at a constant rate (default 1e-2·min(1, σ²) in the loop's per-example units, i.e. ε = lr/N, σ² the
 * standardized noise variance, since the mean loss's curvature grows as 1/σ²; 1e-3 when
 * preconditioned), keeping `samples` (default 100) θ spread evenly over the collection epochs.
 */
export async function trainSgld<O extends SgldOptions>(train: Dataset, opts: O = {} as O): Promise<SamplesPosterior<TaskOf<O>>> {
  const o = SGLD_OPTIONS;
  opts = checkRun(o, train, opts);
  checkMemory(estimateSampled('sgld', train, opts), opts.memoryBudget);
  const prep = await prepare(train, opts);
  const samples = o.value(opts, 'samples');
  const base = fitOptionsOf(opts);
  const { epochs, burnIn } = samplerLength(opts, prep, base.batchSize!);
  const noise = { n: prep.data.n, seed: base.seed, stream: 0, temperature: opts.temperature };
  const draws = await collectSamples(prep, base, {
    burnIn,
    epochs,
    samples,
    learningRate: opts.learningRate ?? (opts.precondition ? 1e-3 : 1e-2 * Math.min(1, prep.noiseVar)),
    optimizer: opts.precondition ? psgld(noise) : sgld(noise),
  });
  return samplesPosterior('sgld', prep, draws, { preconditioned: !!opts.precondition });
}

export const CSGLD_OPTIONS = SAMPLER_OPTIONS.extend('trainCsgld', {
  cycles: int({ min: 1, default: 4, help: 'cosine cycles over the run' }),
  explore: num({ min: 0, lt: 1, default: 0.8, help: 'fraction of each cycle spent exploring (plain SGD, no noise) before sampling' }),
  learningRate: num({ gt: 0, defaultText: '2e-2·min(1, σ²)', flag: 'lr', help: 'peak of the cyclical cosine rate' }),
});
export type CsgldOptions = Infer<typeof CSGLD_OPTIONS>;

/**
 * Cyclical SGLD: the cyclical cosine rate (peak default 2e-2·min(1, σ²)) restarts `cycles` times over
 * `epochs` (default: 40,000 steps for a regression, samples.ts `samplerLength`); in the first `explore`
 * fraction of a cycle the steps are noiseless SGD (moving to a new mode), in the rest Langevin noise is
 * on and samples (samples/cycles per cycle) are collected, evenly over each sampling stage, ending at
 * the cycle's end.
 */
export async function trainCsgld<O extends CsgldOptions>(train: Dataset, opts: O = {} as O): Promise<SamplesPosterior<TaskOf<O>>> {
  const o = CSGLD_OPTIONS;
  opts = checkRun(o, train, opts);
  checkMemory(estimateSampled('csgld', train, opts), opts.memoryBudget);
  const prep = await prepare(train, opts);
  const cycles = o.value(opts, 'cycles');
  const S = o.value(opts, 'samples');
  const beta = o.value(opts, 'explore');
  const base = fitOptionsOf(opts);
  const { epochs } = samplerLength(opts, prep, base.batchSize!);
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
  const peak = opts.learningRate ?? 2e-2 * Math.min(1, prep.noiseVar);
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
  return samplesPosterior('csgld', prep, out.values(), { cycles });
}

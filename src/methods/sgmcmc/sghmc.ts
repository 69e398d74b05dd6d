/**
 * SGHMC (Chen et al. 2014) and SGHMC with a Metropolis–Hastings correction, on the one training loop.
 * The dynamics and their scaling live in src/train/sgmcmc.ts; this module sets defaults, collects
 * samples and, for the corrected sampler, supplies the full-data energy and adapts the step in burn-in.
 */
import type { Dataset } from '../../data/dataset.js';
import type { TaskOf } from '../../posterior/types.js';
import { fit } from '../../train/fit.js';
import { sghmc, sghmcMh, type Energy } from '../../train/sgmcmc.js';
import { BdlError } from '../../errors.js';
import { checkRun, fitOptionsOf, specFor } from '../common.js';
import { BURN_IN, collectSamples, evenly, prepare, SampleBuffer, samplerLength, samplesPosterior, type Prepared, type SamplesPosterior, SAMPLER_OPTIONS } from '../samples.js';
import { custom, int, num, union, type Infer } from '../../options/schema.js';
import { checkMemory, estimateSampled } from '../memory.js';
import * as exact from '../../random/exact-math.js';

export const SGHMC_OPTIONS = SAMPLER_OPTIONS.extend('trainSghmc', {
  ...BURN_IN,
  friction: num({ gt: 0, max: 1, default: 0.05, help: 'friction α per step' }),
  learningRate: union(num({ gt: 0, help: '' }), SAMPLER_OPTIONS.fields.learningRate, { defaultText: '1e-2·min(1, σ²)', flag: 'lr', help: 'step size in per-example units (or a schedule, from the API)' }),
});
export type SghmcOptions = Infer<typeof SGHMC_OPTIONS>;

export const SGHMC_MH_OPTIONS = SAMPLER_OPTIONS.extend('trainSghmcMh', {
  ...BURN_IN,
  batchSize: int({ min: 1, max: 256, defaultText: 'min(256, N)', help: 'minibatch size (at most the engine capacity, 256)' }),
  every: int({ min: 1, defaultText: 'the collection steps per kept sample, within [2, 20]', help: 'steps per proposed segment between full-data energy tests' }),
  targetAcceptance: union(num({ gt: 0, lt: 1, help: '' }), custom<false>({ expected: 'false', valid: (v) => v === false, help: '' }), {
    default: 0.7, help: 'adapt the step during burn-in towards this acceptance rate (false, from the API, keeps the given step)',
  }),
  learningRate: num({ gt: 0, defaultText: '1e-2·min(1, σ²)', flag: 'lr', help: 'step size in per-example units (jittered per segment)' }),
});
export type SghmcMhOptions = Infer<typeof SGHMC_MH_OPTIONS>;

/**
 * SGHMC: after an Adam pretrain, `burnIn` + `epochs` epochs (default: 40,000 steps for a regression
 * and a tenth of that before them, samples.ts `samplerLength`) with friction α and
 * step lr (default 1e-2·min(1, σ²) in per-example units, σ² the standardized noise variance: the
 * curvature of the mean loss grows as 1/σ²), keeping `samples` (default 100) θ evenly.
 */
export async function trainSghmc<O extends SghmcOptions>(train: Dataset, opts: O = {} as O): Promise<SamplesPosterior<TaskOf<O>>> {
  const o = SGHMC_OPTIONS;
  opts = checkRun(o, train, opts);
  checkMemory(estimateSampled('sghmc', train, opts), opts.memoryBudget);
  const prep = await prepare(train, opts);
  const base = fitOptionsOf(opts);
  const draws = await collectSamples(prep, base, {
    ...samplerLength(opts, prep, base.batchSize!),
    samples: o.value(opts, 'samples'),
    learningRate: opts.learningRate ?? 1e-2 * Math.min(1, prep.noiseVar),
    optimizer: sghmc({ n: prep.data.n, seed: base.seed, friction: opts.friction, temperature: opts.temperature }),
  });
  return samplesPosterior('sghmc', prep, draws, { friction: opts.friction ?? 0.05 });
}

/** U(θ) = N·(mean NLL) + (λ/2)‖θ‖² and ∇U over the whole (prepared) data set, in f64. */
export function fullDataEnergy(prep: Prepared, temperature = 1): Energy {
  const N = prep.data.n;
  return (arena, theta, size) => {
    const th = arena.getF32(theta, size);
    const r = prep.mlp.lossAndGrad(th, prep.data, { noiseVar: prep.noiseVar });
    let sq = 0;
    const grad = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      sq += th[i] * th[i];
      grad[i] = (N * r.grad[i] + prep.lambda * th[i]) / temperature;
    }
    return { u: (N * r.loss + 0.5 * prep.lambda * sq) / temperature, grad };
  };
}

/**
 * SGHMC-MH: segments of `every` frictionless SGHMC steps from a fresh momentum, each accepted or
 * rejected by a full-data energy test (src/train/sghmcMh). During `burnIn` the step adapts towards
 * `targetAcceptance`; then `epochs` epochs collect up to `samples` θ, one per test, evenly (default: a
 * regression's 40,000 steps at its batch size and a tenth of that before them, samples.ts
 * `samplerLength`). `info.acceptance` is the acceptance rate after burn-in.
 */
export async function trainSghmcMh<O extends SghmcMhOptions>(train: Dataset, opts: O = {} as O): Promise<SamplesPosterior<TaskOf<O>>> {
  const o = SGHMC_MH_OPTIONS;
  opts = checkRun(o, train, opts);
  checkMemory(estimateSampled('sghmc-mh', train, opts), opts.memoryBudget);
  const S = o.value(opts, 'samples');
  const target = o.value(opts, 'targetAcceptance');
  // Large batches by default: minibatch gradient noise enters the energy error as (lr·N)^½ relative
  // to the momentum, and the test would otherwise force a tiny step.
  const base = { ...fitOptionsOf(opts), batchSize: opts.batchSize ?? Math.min(256, train.n) };
  const { epochs, burnIn } = samplerLength(opts, { spec: specFor(train, opts), data: train }, base.batchSize);
  const spe = Math.ceil(train.n / base.batchSize);
  const every = opts.every ?? Math.max(2, Math.min(20, Math.floor((epochs * spe) / S)));
  const burnSteps = burnIn * spe;
  const totalTests = Math.floor(((burnIn + epochs) * spe) / every);
  const burnTests = Math.floor(burnSteps / every);
  const collectTests = totalTests - burnTests;
  // A test ends each segment of `every` steps: a run too short for one after burn-in keeps no draw.
  if (collectTests < 1) {
    const steps = `${burnIn + epochs} epochs × ${spe} steps = ${(burnIn + epochs) * spe} steps, ${burnSteps} of them burn-in`;
    if (opts.every !== undefined) throw new BdlError('E_ARG', `trainSghmcMh: every: expected at most the steps after burn-in, so that an energy test collects a sample (${steps}); found ${opts.every}. Lower every, or raise epochs.`, 'every');
    throw new BdlError('E_ARG', `trainSghmcMh: epochs: expected enough steps after burn-in for one segment of ${every} steps and its energy test (${steps}); found ${epochs}. Raise epochs, or lower burnIn.`, 'epochs');
  }
  const prep = await prepare(train, opts);
  let lr = opts.learningRate ?? 1e-2 * Math.min(1, prep.noiseVar);
  const out = new SampleBuffer(Math.min(S, collectTests), prep.mlp.size);
  let tests = 0;
  let accepted = 0;
  const mh = sghmcMh({
    n: prep.data.n,
    every,
    seed: base.seed,
    energy: fullDataEnergy(prep, opts.temperature),
    onTest: (ok, prob, ctx) => {
      const i = mh.tests - 1;
      if (i < burnTests) {
        // Robbins–Monro on log lr with a decaying gain; the step is fixed once sampling starts.
        if (target !== false) lr *= exact.exp((2 * (prob - target)) / Math.sqrt(1 + i));
        return;
      }
      tests++;
      if (ok) accepted++;
      if (evenly(i - burnTests, collectTests, out.capacity)) out.push(ctx.arena, ctx.params);
    },
  });
  await fit(prep.mlp, prep.data, {
    ...base,
    epochs: burnIn + epochs,
    learningRate: () => lr,
    optimizer: mh.transform,
    init: prep.theta0,
    standardize: false,
    loss: { noiseVar: prep.noiseVar },
    hooks: { onStep: (ctx) => mh.onStep(ctx) },
  });
  return samplesPosterior('sghmc-mh', prep, out.values(), { acceptance: tests ? accepted / tests : 0, tests, stepSize: lr, every });
}

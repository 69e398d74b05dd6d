/**
 * SGHMC (Chen et al. 2014) and SGHMC with a Metropolis–Hastings correction, on the one training loop.
 * The dynamics and their scaling live in src/train/sgmcmc.ts; this module sets defaults, collects
 * samples and, for the corrected sampler, supplies the full-data energy and adapts the step in burn-in.
 */
import { argError, describe } from '../../errors.js';
import type { Dataset } from '../../data/dataset.js';
import type { Posterior } from '../../posterior/types.js';
import { fit } from '../../train/fit.js';
import { sghmc, sghmcMh, type Energy } from '../../train/sgmcmc.js';
import { fitOptionsOf } from '../common.js';
import { burnInOf, collectSamples, evenly, positiveInt, prepare, SampleBuffer, SamplesPosterior, type Prepared, type SamplerOptions } from '../samples.js';

export interface SghmcOptions extends SamplerOptions {
  /** Sampler epochs before collecting (default 10 for SGHMC, 20 for SGHMC-MH). */
  burnIn?: number;
  /** Friction α per step (default 0.05). */
  friction?: number;
}

export interface SghmcMhOptions extends SamplerOptions {
  burnIn?: number;
  /**
   * Steps per proposed segment between full-data energy tests (default: the collection steps per
   * kept sample, between 2 and 20).
   */
  every?: number;
  /** Adapt the step during burn-in towards this acceptance rate (default 0.7; false keeps the given step). */
  targetAcceptance?: number | false;
}

/**
 * SGHMC: after an Adam pretrain, `burnIn` + `epochs` (default 10 + 100) epochs with friction α and
 * step lr (default 1e-2·min(1, σ²) in per-example units, σ² the standardized noise variance: the
 * curvature of the mean loss grows as 1/σ²), keeping `samples` (default 100) θ evenly.
 */
export async function trainSghmc(train: Dataset, opts: SghmcOptions = {}): Promise<Posterior> {
  const prep = await prepare(train, opts);
  const base = fitOptionsOf(opts);
  const draws = await collectSamples(prep, base, {
    burnIn: burnInOf(opts.burnIn, 10),
    epochs: positiveInt('epochs', opts.epochs, 100, 'E.g. 100 collection epochs.'),
    samples: positiveInt('samples', opts.samples, 100, 'E.g. 100.'),
    learningRate: opts.learningRate ?? 1e-2 * Math.min(1, prep.noiseVar),
    optimizer: sghmc({ n: prep.data.n, seed: base.seed, friction: opts.friction, temperature: opts.temperature }),
  });
  return new SamplesPosterior('sghmc', prep.spec, draws, prep.standardizer, prep.noiseVar, { friction: opts.friction ?? 0.05 }, prep.mlp);
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
 * rejected by a full-data energy test (src/train/sghmcMh). During `burnIn` (default 20 epochs) the
 * step adapts towards `targetAcceptance`; then `epochs` (default 100) epochs collect up to `samples`
 * θ, one per test, evenly. `info.acceptance` is the acceptance rate after burn-in.
 */
export async function trainSghmcMh(train: Dataset, opts: SghmcMhOptions = {}): Promise<Posterior> {
  const prep = await prepare(train, opts);
  if (opts.batchSize !== undefined && opts.batchSize > 256) throw argError('E_ARG', 'batchSize', 'at most 256 (the engine capacity)', describe(opts.batchSize), 'Omit it.');
  const burnIn = burnInOf(opts.burnIn, 20);
  const epochs = positiveInt('epochs', opts.epochs, 100, 'E.g. 100 collection epochs.');
  const S = positiveInt('samples', opts.samples, 100, 'E.g. 100.');
  const target = opts.targetAcceptance ?? 0.7;
  if (target !== false && !(target > 0 && target < 1)) throw argError('E_ARG', 'targetAcceptance', 'a rate in (0, 1) or false', describe(target), 'E.g. 0.7.');
  // Large batches by default: minibatch gradient noise enters the energy error as (lr·N)^½ relative
  // to the momentum, and the test would otherwise force a tiny step.
  const base = { ...fitOptionsOf(opts), batchSize: opts.batchSize ?? Math.min(256, prep.data.n) };
  const spe = Math.ceil(prep.data.n / base.batchSize);
  const every = positiveInt('every', opts.every, Math.max(2, Math.min(20, Math.floor((epochs * spe) / S))), 'E.g. 20 steps per segment.');
  const burnSteps = burnIn * spe;
  const totalTests = Math.floor(((burnIn + epochs) * spe) / every);
  const burnTests = Math.floor(burnSteps / every);
  const collectTests = Math.max(1, totalTests - burnTests);
  let lr = typeof opts.learningRate === 'number' ? opts.learningRate : 1e-2 * Math.min(1, prep.noiseVar);
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
        if (target !== false) lr *= Math.exp((2 * (prob - target)) / Math.sqrt(1 + i));
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
  return new SamplesPosterior('sghmc-mh', prep.spec, out.values(), prep.standardizer, prep.noiseVar, { acceptance: tests ? accepted / tests : 0, tests, stepSize: lr, every }, prep.mlp);
}

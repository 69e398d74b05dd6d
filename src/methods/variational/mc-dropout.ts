/**
 * MC dropout (Gal & Ghahramani 2016): train with dropout, keep it on at test time and average T
 * stochastic passes (default 30). Rates per weight layer (`spec.dropout` semantics: a number applies
 * to the hidden layers' outputs; an array gives one rate per weight layer, index 0 = the inputs);
 * `inputDropout: true` also drops the inputs, as in the UCI setup of Gal's paper.
 *
 * Training masks come from the loop (key (seed, 0), counter = step); test masks (posterior/sources/
 * masks.ts) use a counter range the training steps never reach.
 */
import { subset, type Dataset } from '../../data/dataset.js';
import { applyStandardizer, type Standardizer } from '../../data/standardize.js';
import { taskOf, type TaskKind } from '../../model/spec.js';
import { NetworkPosterior } from '../../posterior/network-posterior.js';
import { MaskSource } from '../../posterior/sources/masks.js';
import type { RegressionPredictive, TaskOf } from '../../posterior/types.js';
import { fit, heldOutRows, priorPrecisionOf, type FitOptions, type FitResult } from '../../train/fit.js';
import type { Mlp } from '../../model/mlp.js';
import { gaussianLogLik, mixtureLogLik } from '../../metrics/regression.js';
import { adam, compose, weightDecay } from '../../train/optimizers.js';
import { engineFor, fitAndRefit, fitOptionsOf, noiseBlocks, specFor, withPatience, METHOD_OPTIONS, NOISE_ROWS, SAMPLED_PATIENCE } from '../common.js';
import { noiseVariance } from '../../posterior/source.js';
import { crossFittedBlocks, crossFittedEpoch, pooledMixtureNoise } from '../held-out-mixture.js';
import { residualVariance } from '../map.js';
import { betaNllOf, heldOutNoiseVar, noiseFor, noiseObjective, predictiveNoiseVar, standardized, BETA_NLL, NOISE, PREDICTIVE_NOISE } from '../noise.js';
import { bool, int, list, num, union, type Infer } from '../../options/schema.js';
import { checkMemory, estimateNetwork } from '../memory.js';

export { TEST_COUNTER, type LearnedRates } from '../../posterior/sources/masks.js';

/** Test-time passes a posterior can make: each takes a stride of 2^16 mask counters above TEST_COUNTER (posterior/sources/masks.ts). */
const MAX_PASSES = 0x7fff;

export const MC_DROPOUT_OPTIONS = METHOD_OPTIONS.extend('trainMcDropout', {
  ...NOISE,
  ...PREDICTIVE_NOISE,
  ...BETA_NLL,
  /** A number for every hidden layer's output, or one rate per weight layer (index 0 = the inputs). */
  dropout: union(num({ gt: 0, lt: 1, help: '' }), list(num({ min: 0, lt: 1, help: '' }), { minItems: 1, help: '' }), { defaultText: `chosen on the held-out rows (at least ${NOISE_ROWS}, cross-fitted, where the data allow) among 0.01, 0.05, 0.2 when a regression fit stops early (one target); else 0.05`, help: 'drop rate of every hidden layer (or one per weight layer, from the API)' }),
  inputDropout: bool({ default: false, help: "drop the inputs too, at the same rate (Gal & Ghahramani's UCI networks); only with one rate" }),
  samples: int({ min: 1, max: MAX_PASSES, default: 30, help: 'stochastic passes at test time' }),
}).refine({
  option: 'inputDropout',
  expected: 'a single dropout rate to extend to the inputs',
  hint: 'Put the input rate at index 0 of the array instead.',
  holds: (o) => !(o.inputDropout && Array.isArray(o.dropout)),
  found: () => 'a per-layer array',
});
export type McDropoutOptions = Infer<typeof MC_DROPOUT_OPTIONS>;

/** The per-layer rates the options ask for (index 0 = the inputs). */
export function dropoutRates(nLayers: number, o: McDropoutOptions): number | number[] {
  const d = o.dropout ?? DEFAULT_DROPOUT;
  if (Array.isArray(d)) return [...d];
  return o.inputDropout ? new Array(nLayers).fill(d) : d;
}

/**
 * The rates MC dropout chooses among when `dropout` is not given and a regression fit stops early: each
 * is trained on the same rows and scored by its predictive's log-likelihood on the held-out rows that
 * timed its stop, pooled with further cross-fitted blocks up to NOISE_ROWS rows (`crossFittedScore`).
 * No single rate serves every set: on the UCI sets `--tune` chose 0.1–0.2 on boston (noisy), 0.05 on
 * concrete and 0.01 on energy (nearly noiseless), a spread no rule from n or the network's size
 * separates (boston and energy have 455 and 691 rows). Measured in eval/DEFAULTS-notes.md.
 */
export const DROPOUT_CANDIDATES: readonly number[] = [0.01, 0.05, 0.2];
/** The rate without a choice (classification, a fixed `epochs`, too few rows to hold out). */
const DEFAULT_DROPOUT = 0.05;

/** Trains a network with dropout and returns its MC-dropout posterior. */
export async function trainMcDropout<O extends McDropoutOptions>(train: Dataset, opts: O = {} as O): Promise<McDropoutPosterior<TaskOf<O>>> {
  MC_DROPOUT_OPTIONS.check(opts);
  checkMemory(estimateNetwork('mc-dropout', train, opts), opts.memoryBudget);
  const fo = withPatience(fitOptionsOf(opts, 0, train.n, true), SAMPLED_PATIENCE);
  const held = opts.dropout === undefined && opts.validation === undefined && (opts.task ?? 'regression') === 'regression' && train.targets === 1 && fo.earlyStopping ? heldOutRows(train.n, fo.earlyStopping.fraction, fo.seed!, fo.stream!) : undefined;
  if (!held) return (await (await atRate(train, opts)).fit(fo)) as McDropoutPosterior<TaskOf<O>>;
  // On fewer than NOISE_ROWS held-out rows, the candidates are scored on K cross-fitted blocks (crossFittedScore).
  const K = opts.noise === undefined && opts.predictiveNoise === undefined && held.validation.length < NOISE_ROWS ? noiseBlocks(train.n, held.validation.length) : 1;
  // The held-out rows in target units: every candidate's fit held out these same rows (same seed and stream).
  const v = subset(train, held.validation);
  const fullRun: FitOptions = { ...fo, earlyStopping: { ...fo.earlyStopping!, patience: fo.epochs! } };
  let best: { ll: number; noiseVar?: number; epochs?: number; rate: RateFit; first: FitResult } | undefined;
  for (const [task, dropout] of DROPOUT_CANDIDATES.entries()) {
    const rate = await atRate(train, { ...opts, dropout });
    // Each candidate's epochs are reported as their own task (a progress bar per rate).
    // With K blocks the first runs the whole budget: the stop rule runs on the blocks' mean curve (crossFittedEpoch).
    const first = await fit(rate.mlp, rate.data, { ...(K > 1 ? fullRun : fo), ...rate.fresh(), onProgress: opts.onProgress && ((p) => opts.onProgress!({ task, ...p })) });
    const score = K > 1 ? await crossFittedScore(rate, train, fo, first, K, opts.seed) : { ll: await heldOutScore(rate, first, v, opts.seed) };
    // A tie (or a NaN score) keeps the earlier, smaller rate.
    if (score && (!best || score.ll > best.ll)) best = { ...score, rate, first };
  }
  // The chosen rate then trains on every row for the epochs its early-stopped fit kept (fitAndRefit),
  // and predicts with its cross-fitted σ² when it has one.
  const chosen = best ? best.rate.fit(fo, { ...best.first, bestEpoch: best.epochs ?? best.first.bestEpoch }, best.noiseVar) : (await atRate(train, opts)).fit(fo);
  return (await chosen) as McDropoutPosterior<TaskOf<O>>;
}

/** A rate's score on the rows its early-stopped fit held out: its predictive's log-likelihood, σ the held-out residual. */
async function heldOutScore(rate: RateFit, first: FitResult, v: Dataset, seed: number | undefined): Promise<number> {
  const p = (await rate.posterior(first).predict(v.x, { seed })) as RegressionPredictive;
  return p.members && p.members.count > 1 ? mixtureLogLik(p.members.mean, p.members.variance, v.y) : gaussianLogLik(p.mean, p.variance, v.y);
}

/**
 * A rate's score on K ≥ 2 disjoint blocks of held-out rows (fewer than NOISE_ROWS in one): `first`
 * ran the whole budget holding out block 0; the kept epoch E is where the stop rule ends on the K
 * blocks' mean held-out curve (held-out-mixture.ts `crossFittedEpoch`: one block's curve wanders with
 * the masks; on 8 energy splits −0.749 → −0.686, `--tune` −0.690, eval/DEFAULTS-notes.md round 6);
 * K fits of E epochs each hold out one block of the same seeded permutation (`crossFittedBlocks`); every block is predicted with
 * the test-time masks, and the score is the pooled rows' mixture log-likelihood at the common σ² that
 * maximizes it (`noiseVar`, standardized units: the σ² the rate then predicts with). Why: 45 held-out
 * rows (UCI boston) chose the rate and set σ from a residual that misses the few large errors of a
 * heavy-tailed set, and a residual σ counts the masks' spread twice; on 8 boston splits the default
 * went from −2.758 to −2.585 (`--tune` −2.619; eval/DEFAULTS-notes.md, round 5). Undefined when
 * `first` kept no epoch or its masks fit every held-out row exactly. `epochs`: E, what the refit trains.
 */
async function crossFittedScore(rate: RateFit, train: Dataset, fo: FitOptions, first: FitResult, K: number, seed: number | undefined): Promise<{ ll: number; noiseVar: number; epochs: number } | undefined> {
  if (first.bestEpoch === undefined) return undefined;
  const E = (await crossFittedEpoch(rate.mlp, rate.data, fo, first, K, fo.earlyStopping!.patience, rate.fresh))!;
  const blocks = await crossFittedBlocks(rate.mlp, rate.data, train, fo, first, K, rate.fresh, async (r, v) => (await rate.posterior(r).predict(v.x, { seed })) as RegressionPredictive, E);
  const noise = pooledMixtureNoise(blocks);
  return noise && { ll: noise.logLik, noiseVar: noiseVariance(Math.sqrt(noise.variance), rate.standardizer), epochs: E };
}

/** Fits at one rate: its network, data and objective, and the posterior of a finished fit. */
interface RateFit {
  mlp: Mlp;
  data: Dataset;
  fresh: () => Partial<FitOptions>;
  standardizer: Standardizer | undefined;
  /** The posterior of a finished fit; `noiseVar` (standardized units) replaces the held-out residual σ². */
  posterior: (r: FitResult, noiseVar?: number) => McDropoutPosterior;
  /** The fit (`first` when already run), then for regression that stopped early the one on every row (fitAndRefit). */
  fit: (fo: FitOptions, first?: FitResult, noiseVar?: number) => Promise<McDropoutPosterior>;
}

/** MC dropout at the options' rate (DEFAULT_DROPOUT when not given). */
async function atRate(train: Dataset, opts: McDropoutOptions): Promise<RateFit> {
  const hidden = opts.hidden ?? [50];
  const spec = specFor(train, opts, { dropout: dropoutRates(hidden.length + 1, opts) });
  const samples = MC_DROPOUT_OPTIONS.value(opts, 'samples');
  const betaNll = betaNllOf(spec.likelihood, opts.betaNll);
  const { data, standardizer } = standardized(train, taskOf(spec) === 'regression');
  const mlp = await engineFor(spec);
  // Each fit starts its noise estimate afresh.
  let noise = noiseFor(spec.likelihood, opts.noise, standardizer);
  const fresh = () => {
    noise = noiseFor(spec.likelihood, opts.noise, standardizer);
    return { standardize: false, objective: noiseObjective(mlp, noise, true, { betaNll }), optimizer: compose(weightDecay(priorPrecisionOf(opts.priorPrecision) / data.n), adam()) };
  };
  const posterior = (r: FitResult, noiseVar?: number) => {
    noise?.update();
    // The floor is the training rows' residual of the same deterministic pass the held-out rows were
    // scored with (no masks): EM's estimate under masks also holds the dropout spread, which the
    // predictive adds again.
    const held = noiseVar ?? (noise && !noise.fixed ? heldOutNoiseVar(r.validationLoss, spec.outputs, residualVariance(mlp, r.params, data)) : undefined);
    const source = new MaskSource(r.params, predictiveNoiseVar(spec.likelihood, opts.predictiveNoise, standardizer, held ?? noise?.variance ?? 1), samples);
    return new NetworkPosterior<MaskSource>('mc-dropout', spec, standardizer, source, mlp);
  };
  // Given held-out rows (calibration's) come in the data's units: into the network's, as the data.
  const scaled = (fo: FitOptions): FitOptions => (fo.earlyStopping?.rows && standardizer ? { ...fo, earlyStopping: { ...fo.earlyStopping, rows: applyStandardizer(standardizer, fo.earlyStopping.rows) } } : fo);
  return { mlp, data, standardizer, fresh, posterior, fit: async (fo, first, noiseVar) => posterior(await fitAndRefit(mlp, data, scaled(fo), fresh, first), noiseVar) };
}

/** MC dropout (or Concrete dropout at its learned rates): the network averaged over test-time masks. */
export type McDropoutPosterior<T extends TaskKind = TaskKind> = NetworkPosterior<MaskSource, T>;

/**
 * MC dropout (Gal & Ghahramani 2016): train with dropout, keep it on at test time and average T
 * stochastic passes (default 30). Rates per weight layer (`spec.dropout` semantics: a number applies
 * to the hidden layers' outputs; an array gives one rate per weight layer, index 0 = the inputs);
 * `inputDropout: true` also drops the inputs, as in the UCI setup of Gal's paper.
 *
 * Training masks come from the loop (key (seed, 0), counter = step); test masks (posterior/sources/
 * masks.ts) use a counter range the training steps never reach.
 *
 * Choosing the rate (regression that stops early, no rate given) takes a few dozen independent fits:
 * they run as 'dropout-fit' tasks (./dropout-fit.ts) in two fan-outs on the caller's `pool`, or on a
 * pool made from pool options (the CLI's runs: one worker per core), in-thread by default. The
 * posterior is the same, bit for bit, on any pool.
 */
import { subset, type Dataset } from '../../data/dataset.js';
import { applyStandardizer, type Standardizer } from '../../data/standardize.js';
import { taskOf, type TaskKind } from '../../model/spec.js';
import { NetworkPosterior } from '../../posterior/network-posterior.js';
import { MaskSource } from '../../posterior/sources/masks.js';
import type { RegressionPredictive, TaskOf } from '../../posterior/types.js';
import { fanOut, isPool } from '../../pool/fan-out.js';
import { createPool } from '../../pool/pool.js';
import { registerTask } from '../../pool/registry.js';
import type { Pool, PoolOptions, ProgressEvent } from '../../pool/types.js';
import { heldOutRows, type FitOptions } from '../../train/fit.js';
import type { Mlp } from '../../model/mlp.js';
import { gaussianLogLik, mixtureLogLik } from '../../metrics/regression.js';
import { checkRun, engineFor, fitOptionsOf, noiseBlocks, type MethodProgress, refitAfterStop, specFor, withPatience, METHOD_OPTIONS, NOISE_ROWS, POOL_OR_OPTIONS, SAMPLED_PATIENCE } from '../common.js';
import { noiseVariance } from '../../posterior/source.js';
import { heldOutBlock, meanCurveEpoch, pooledMixtureNoise, type HeldOutBlock } from '../held-out-mixture.js';
import { residualVariance } from '../map.js';
import { betaNllOf, heldOutNoiseVar, noiseFor, predictiveNoiseVar, standardized, BETA_NLL, NOISE, PREDICTIVE_NOISE } from '../noise.js';
import { bool, int, list, num, union, type Infer } from '../../options/schema.js';
import { checkMemory, estimateNetwork } from '../memory.js';
import { DROPOUT_FIT, fitDropout, runDropoutFit, type DropoutFit, type DropoutFitOptions } from './dropout-fit.js';

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
  /** Where the candidate rates' fits run when the rate is chosen (see the module comment). */
  pool: { ...POOL_OR_OPTIONS.pool, defaultText: "in-thread (bdl's runs: one worker per core)" },
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
  opts = checkRun(MC_DROPOUT_OPTIONS, train, opts);
  checkMemory(estimateNetwork('mc-dropout', train, opts), opts.memoryBudget);
  const fo = withPatience(fitOptionsOf(opts, 0, train.n, true), SAMPLED_PATIENCE);
  const held = opts.dropout === undefined && opts.validation === undefined && (opts.task ?? 'regression') === 'regression' && train.targets === 1 && fo.earlyStopping ? heldOutRows(train.n, fo.earlyStopping.fraction, fo.seed!, fo.stream!) : undefined;
  if (!held) return (await (await atRate(train, opts)).fit(fo)) as McDropoutPosterior<TaskOf<O>>;
  // On fewer than NOISE_ROWS held-out rows, the candidates are scored on K cross-fitted blocks (crossFittedScores).
  const K = opts.noise === undefined && opts.predictiveNoise === undefined && held.validation.length < NOISE_ROWS ? noiseBlocks(train.n, held.validation.length) : 1;
  const rates: RateFit[] = [];
  for (const dropout of DROPOUT_CANDIDATES) rates.push(await atRate(train, { ...opts, dropout }));
  // The candidates' fits are independent: they run as 'dropout-fit' tasks, side by side on a pool of
  // workers when one is given (a schedule for the learning rate cannot travel to a worker: in-thread then).
  registerTask(DROPOUT_FIT, runDropoutFit);
  const schedule = typeof fo.learningRate === 'function';
  const given = !schedule && isPool(opts.pool) ? opts.pool : undefined;
  const pool = given ?? (await createPool(schedule ? { size: 0 } : ((opts.pool as PoolOptions | undefined) ?? { size: 0 })));
  let scores: (RateScore | undefined)[];
  try {
    scores = await crossFittedScores(rates, train, fo, K, opts, pool);
  } finally {
    if (given === undefined) await pool.close();
  }
  let best: (RateScore & { rate: RateFit; dropout: number }) | undefined;
  for (const [i, score] of scores.entries()) {
    // A tie (or a NaN score) keeps the earlier, smaller rate.
    if (score && (!best || score.ll > best.ll)) best = { ...score, rate: rates[i], dropout: DROPOUT_CANDIDATES[i] };
  }
  // The chosen rate then trains on every row for the epochs its early-stopped fit kept (refitAfterStop),
  // and predicts with its cross-fitted σ² when it has one.
  if (!best) return (await (await atRate(train, opts)).fit(fo)) as McDropoutPosterior<TaskOf<O>>;
  const stage = `refit on every row at rate ${best.dropout}`;
  const refit: FitOptions = { ...fo, onProgress: opts.onProgress && ((p) => opts.onProgress!({ task: 0, ...p, stage })) };
  const chosen = best.rate.fit(refit, { ...best.first, bestEpoch: best.epochs ?? best.first.bestEpoch }, best.noiseVar);
  return (await chosen) as McDropoutPosterior<TaskOf<O>>;
}

/** A candidate's score: the held-out log-likelihood; with K blocks also the σ² it predicts with and E, the epochs its refit trains. */
interface RateScore {
  ll: number;
  noiseVar?: number;
  epochs?: number;
  first: DropoutFit;
}

/**
 * Each rate's score on the rows its early-stopped fit held out (K = 1: its predictive's log-likelihood
 * there, σ from those rows' residual), or on K ≥ 2 disjoint blocks of held-out rows (fewer than
 * NOISE_ROWS in one). With K blocks, every rate's K fits of the whole budget hold out one block each
 * (the first, block 0, is the rate's `first`); the kept epoch E is where the stop rule ends on the K
 * blocks' mean held-out curve (held-out-mixture.ts `meanCurveEpoch`: one block's curve wanders with
 * the masks; on 8 energy splits −0.749 → −0.686, `--tune` −0.690, eval/DEFAULTS-notes.md round 6);
 * then K fits of E epochs each hold out one block of the same seeded permutation (block 0's is `first`
 * itself when it kept E), every block is predicted with the test-time masks, and the score is the
 * pooled rows' mixture log-likelihood at the common σ² that maximizes it (`noiseVar`, standardized
 * units: the σ² the rate then predicts with). Why: 45 held-out rows (UCI boston) chose the rate and set
 * σ from a residual that misses the few large errors of a heavy-tailed set, and a residual σ counts the
 * masks' spread twice; on 8 boston splits the default went from −2.758 to −2.585 (`--tune` −2.619;
 * eval/DEFAULTS-notes.md, round 5). Undefined for a rate whose `first` kept no epoch or whose masks fit
 * every held-out row exactly. The fits of each of the two rounds run as one fan-out on `pool`.
 */
async function crossFittedScores(rates: RateFit[], train: Dataset, fo: FitOptions, K: number, opts: McDropoutOptions, pool: Pool): Promise<(RateScore | undefined)[]> {
  const es = fo.earlyStopping!;
  const seed = fo.seed ?? 0;
  const stream = fo.stream ?? 0;
  // Every rate trains on the same standardized rows.
  const data = { x: rates[0].data.x, y: rates[0].data.y };
  // Each round is one fan-out, reported as one task: its fits' epochs done of their budgets' sum.
  const run = (jobs: { rate: number; options: Partial<DropoutFitOptions> & { epochs: number } }[], stage: string) => {
    const progress = opts.onProgress && roundProgress(jobs.map((j) => j.options.epochs), opts.onProgress, stage);
    return fanOut<DropoutFit>(
      jobs.map((j) => ({ kind: DROPOUT_FIT, spec: rates[j.rate].mlp.spec, options: { ...rates[j.rate].options(fo), ...j.options, progress: progress !== undefined }, seed, stream })),
      { pool, data, signal: opts.signal, onProgress: progress },
    );
  };
  // Round 1: each rate's fits of the whole budget (patience = the budget: a fit then never stops
  // early, and a diverged one throws), K blocks; with K = 1, the rate's early-stopped fit.
  const whole = K > 1 ? { epochs: fo.epochs!, patience: fo.epochs! } : { epochs: fo.epochs!, patience: es.patience };
  const round1 = await run(
    rates.flatMap((_, rate) => Array.from({ length: K }, (_, fold) => ({ rate, options: { epochs: whole.epochs, earlyStopping: { ...es, fold, patience: whole.patience } } }))),
    K > 1 ? `dropout rate search: round 1 of 2 (${rates.length} rates × ${K} blocks)` : `dropout rate search (${rates.length} rates)`,
  );
  const firsts = rates.map((_, rate) => round1[rate * K]);
  if (K === 1) {
    const v = subset(train, heldOutRows(train.n, es.fraction, seed, stream)!.validation);
    return Promise.all(rates.map(async (rate, i) => ({ ll: await heldOutScore(rate, firsts[i], v, opts.seed), first: firsts[i] })));
  }
  // E for each rate that kept an epoch.
  const kept = firsts.map((first, rate) => {
    if (first.bestEpoch === undefined) return undefined;
    if (!first.validationCurve) return first.bestEpoch;
    return meanCurveEpoch(Array.from({ length: K }, (_, fold) => round1[rate * K + fold].validationCurve!), es.patience, es.from ?? 1);
  });
  // Round 2: the fits of E epochs, one per block (block 0's is `first` when it kept E).
  const reuse = (rate: number, fold: number) => fold === 0 && kept[rate] === firsts[rate].bestEpoch;
  const jobs = kept.flatMap((E, rate) => (E === undefined ? [] : Array.from({ length: K }, (_, fold) => fold).filter((fold) => !reuse(rate, fold)).map((fold) => ({ rate, fold, options: { epochs: E, earlyStopping: { ...es, fold, patience: E } } }))));
  const round2 = await run(jobs, `dropout rate search: round 2 of 2 (${jobs.length} fits of the kept epochs)`);
  const fitOf = new Map(jobs.map((j, n) => [j.rate * K + j.fold, round2[n]]));
  return Promise.all(rates.map(async (rate, i) => {
    const E = kept[i];
    if (E === undefined) return undefined;
    const blocks: HeldOutBlock[] = [];
    for (let fold = 0; fold < K; fold++) {
      const r = reuse(i, fold) ? firsts[i] : fitOf.get(i * K + fold)!;
      const v = heldOutBlock(train, es, seed, stream, fold);
      const p = (await rate.posterior(r).predict(v.x, { seed: opts.seed })) as RegressionPredictive;
      blocks.push({ means: p.members?.mean ?? p.mean, y: v.y });
    }
    const noise = pooledMixtureNoise(blocks);
    return noise && { ll: noise.logLik, noiseVar: noiseVariance(Math.sqrt(noise.variance), rate.standardizer), epochs: E, first: firsts[i] };
  }));
}

/**
 * Progress of a round of fits as one task: epochs done, summed over the fits (each at its last
 * report), of the sum of their budgets; a fit that stops early leaves its rest uncounted until the
 * round ends. One bar with an ETA for the whole round, where each fit's own bar would sit at 100 %
 * while the others run; `stage` says which round it is (the bar restarts for each).
 */
function roundProgress(budgets: readonly number[], report: (p: MethodProgress) => void, stage: string): (e: ProgressEvent) => void {
  const done = new Float64Array(budgets.length);
  const total = budgets.reduce((a, b) => a + b, 0);
  let sum = 0;
  return (e) => {
    sum += e.step - done[e.taskId];
    done[e.taskId] = e.step;
    report({ task: 0, epoch: sum, epochs: total, loss: NaN, stage });
  };
}

/** A rate's score on the rows its early-stopped fit held out: its predictive's log-likelihood, σ the held-out residual. */
async function heldOutScore(rate: RateFit, first: DropoutFit, v: Dataset, seed: number | undefined): Promise<number> {
  const p = (await rate.posterior(first).predict(v.x, { seed })) as RegressionPredictive;
  return p.members && p.members.count > 1 ? mixtureLogLik(p.members.mean, p.members.variance, v.y) : gaussianLogLik(p.mean, p.variance, v.y);
}

/** Fits at one rate: its network, data and options, and the posterior of a finished fit. */
interface RateFit {
  mlp: Mlp;
  data: Dataset;
  standardizer: Standardizer | undefined;
  /** A fit's options at this rate from the run's fit options (dropout-fit.ts). */
  options: (fo: FitOptions) => DropoutFitOptions;
  /** The posterior of a finished fit; `noiseVar` (standardized units) replaces the held-out residual σ². */
  posterior: (r: DropoutFit, noiseVar?: number) => McDropoutPosterior;
  /** The fit (`first` when already run), then for regression that stopped early the one on every row (refitAfterStop). */
  fit: (fo: FitOptions, first?: DropoutFit, noiseVar?: number) => Promise<McDropoutPosterior>;
}

/** MC dropout at the options' rate (DEFAULT_DROPOUT when not given). */
async function atRate(train: Dataset, opts: McDropoutOptions): Promise<RateFit> {
  const hidden = opts.hidden ?? [50];
  const spec = specFor(train, opts, { dropout: dropoutRates(hidden.length + 1, opts) });
  const samples = MC_DROPOUT_OPTIONS.value(opts, 'samples');
  const betaNll = betaNllOf(spec.likelihood, opts.betaNll);
  const { data, standardizer } = standardized(train, taskOf(spec) === 'regression');
  const mlp = await engineFor(spec);
  // A given σ is fixed through training (standardized units); else each fit estimates its own (EM).
  const fixed = noiseFor(spec.likelihood, opts.noise, standardizer);
  const noiseVar = fixed?.fixed ? fixed.variance : undefined;
  const options = (fo: FitOptions): DropoutFitOptions => ({
    epochs: fo.epochs!, batchSize: fo.batchSize!, learningRate: fo.learningRate!, priorPrecision: fo.priorPrecision!, earlyStopping: fo.earlyStopping, noiseVar, betaNll, progress: false,
  });
  const posterior = (r: DropoutFit, noiseVar?: number) => {
    // The floor is the training rows' residual of the same deterministic pass the held-out rows were
    // scored with (no masks): EM's estimate under masks also holds the dropout spread, which the
    // predictive adds again.
    const held = noiseVar ?? (fixed && !fixed.fixed ? heldOutNoiseVar(r.validationLoss, spec.outputs, residualVariance(mlp, r.params, data)) : undefined);
    const source = new MaskSource(r.params, predictiveNoiseVar(spec.likelihood, opts.predictiveNoise, standardizer, held ?? r.noiseVar ?? 1), samples);
    return new NetworkPosterior<MaskSource>('mc-dropout', spec, standardizer, source, mlp);
  };
  // Given held-out rows (calibration's) come in the data's units: into the network's, as the data.
  const scaled = (fo: FitOptions): FitOptions => (fo.earlyStopping?.rows && standardizer ? { ...fo, earlyStopping: { ...fo.earlyStopping, rows: applyStandardizer(standardizer, fo.earlyStopping.rows) } } : fo);
  const fitHere = (fo: FitOptions) => fitDropout(mlp, data, options(fo), fo.seed ?? 0, fo.stream ?? 0, { onProgress: fo.onProgress, signal: fo.signal });
  return {
    mlp, data, standardizer, options, posterior,
    fit: async (fo, first, noiseVar) => posterior(await refitAfterStop(fitHere, scaled(fo), taskOf(spec) === 'regression', first), noiseVar),
  };
}

/** MC dropout (or Concrete dropout at its learned rates): the network averaged over test-time masks. */
export type McDropoutPosterior<T extends TaskKind = TaskKind> = NetworkPosterior<MaskSource, T>;

/**
 * Deep ensembles (Lakshminarayanan et al. 2017): M networks from independent initializations and
 * shuffles (member m trains with Philox stream m), combined as a uniform mixture. With the
 * 'heteroscedastic' likelihood each member predicts a mean and a variance: aleatoric = the mean of
 * the members' variances, epistemic = the variance of their means; away from the training inputs a
 * member's variance reverts towards its typical level (posterior/support.ts; `revertOffData`).
 * With 'gaussian', each member's homoscedastic noise is fitted during its training (EM), and with early
 * stopping taken from its held-out rows (noise.ts heldOutNoiseVar).
 *
 * The default for regression with early stopping (no `likelihood`, `noise` or `epochs` given, enough
 * rows): heteroscedastic members trained on the β-NLL with β = ½ (Seitzer et al. 2022: the mean fits
 * as well as under squared error, which the plain NLL's 1/σ² weighting of the rows loses), waiting
 * HET_PATIENCE times the usual patience. Measured on 2 UCI splits and Friedman #1 (eval/DEFAULTS-notes.md):
 * 0.08–0.13 nats better than gaussian members (with the held-out σ) on concrete, energy, wine and
 * Friedman 5k/20k, 0.02 worse on yacht and 0.08 on boston. Early stopping scores the members' mean
 * head on their held-out rows (squared error, noise.ts `meanSquaredLoss`), not their NLL: 0.1–0.4 nats
 * better on boston, concrete, energy and yacht.
 *
 * Each member is one 'train-member' task (./train-member.ts) run through the worker pool:
 * the caller's `pool` if given (left open), else — when the run is big enough to repay starting
 * workers (epochs·N·P·M ≥ 2·10⁸ multiply-adds, ~0.1 s of work) — a default pool (one worker per core)
 * created here and closed after; smaller runs go in-thread (a size-0 pool). The members are bit-for-bit
 * the same either way.
 */
import type { Dataset } from '../../data/dataset.js';
import type { Mlp } from '../../model/mlp.js';
import { layoutOf, taskOf, type TaskKind } from '../../model/spec.js';
import { mixturePredictive } from '../../posterior/network.js';
import { NetworkPosterior } from '../../posterior/network-posterior.js';
import { MembersSource, type OffData } from '../../posterior/sources/members.js';
import { inputSupport } from '../../posterior/support.js';
import type { TaskOf } from '../../posterior/types.js';
import { fanOut } from '../../pool/fan-out.js';
import { registerTask } from '../../pool/registry.js';
import { runTrainMember, type MemberOptions, type MemberResult } from './train-member.js';
import { bool, enumOf, int, num, type Infer } from '../../options/schema.js';
import { checkRun, budgetOf, engineFor, memberProgress, METHOD_OPTIONS, POOL, refitOf, specFor, type Trained } from '../common.js';
import { BETA_NLL, betaNllOf, NOISE, noiseFor, PREDICTIVE_NOISE, predictiveNoiseVar, standardized, varianceFloorOf } from '../noise.js';
import { checkMemory, estimateEnsemble } from '../memory.js';

export const ENSEMBLE_OPTIONS = METHOD_OPTIONS.extend('trainEnsemble', {
  ...NOISE,
  ...PREDICTIVE_NOISE,
  ...BETA_NLL,
  likelihood: enumOf(['gaussian', 'heteroscedastic'], {
    defaultText: "'heteroscedastic' on the β-NLL (betaNll ½) when regression stops early and no noise is given, else 'gaussian'",
    help: 'regression likelihood of the members: homoscedastic gaussian, or a heteroscedastic (mean + variance) head',
  }),
  members: int({ min: 1, default: 5, help: 'independently seeded networks' }),
  /** Default: see the module comment. */
  ...POOL,
  /** Off the training inputs, raise each member's predicted variance towards its mean variance on the training rows (posterior/support.ts). */
  revertOffData: bool({ default: true, help: "heteroscedastic members: revert the variance off the data (false keeps the head's extrapolation, which can reach ~0)" }),
  /** The paper's adversarial training (./adversarial.ts). */
  adversarial: num({ min: 0, defaultText: 'off', help: "adversarial training, ε as a fraction of each input's range (the paper's 0.01)" }),
}).refine({
  option: 'learningRate',
  expected: 'a number for an ensemble (members are serializable tasks)',
  hint: 'Pass a constant rate.',
  holds: (o) => typeof o.learningRate !== 'function',
  found: () => 'a schedule function',
});
export type EnsembleOptions = Infer<typeof ENSEMBLE_OPTIONS>;

/** The default recipe's β-NLL exponent and its patience, a multiple of the other methods' (module comment). */
const DEFAULT_BETA = 0.5;
const HET_PATIENCE = 4;

/**
 * Whether the run takes the default regression recipe (module comment): a regression run that stops
 * early (`budgetOf`) and fixes neither the likelihood nor σ. `--tune` sets both `epochs` and
 * `likelihood`, so its candidates and results do not depend on this default.
 */
function defaultRecipe(opts: EnsembleOptions, earlyStopping: unknown): boolean {
  return earlyStopping !== undefined && opts.likelihood === undefined && opts.noise === undefined && (opts.task ?? 'regression') === 'regression';
}

/** Work below which an ensemble trains in-thread rather than starting workers (multiply-adds). */
const WORKER_THRESHOLD = 2e8;

/** Trains M members and returns their mixture. */
export async function trainEnsemble<O extends EnsembleOptions>(train: Dataset, opts: O = {} as O): Promise<EnsemblePosterior<TaskOf<O>>> {
  return (await run(train, opts)).posterior;
}

/**
 * `trainEnsemble`, and when classification members stopped on given `validation` rows, each member
 * again on every row for the epochs it kept (`refit`, run by calibration.ts).
 */
export function trainEnsembleWithRefit<O extends EnsembleOptions>(train: Dataset, opts: O = {} as O): Promise<Trained<EnsemblePosterior<TaskOf<O>>>> {
  return run(train, opts);
}

/** `trainEnsembleWithRefit`; with `memberEpochs`, member m trains for memberEpochs[m] epochs without early stopping (a refit, which offers none). */
async function run<O extends EnsembleOptions>(train: Dataset, opts: O, memberEpochs?: readonly number[]): Promise<Trained<EnsemblePosterior<TaskOf<O>>>> {
  const o = ENSEMBLE_OPTIONS;
  opts = checkRun(o, train, opts);
  checkMemory(estimateEnsemble(train, opts), opts.memoryBudget);
  const learningRate = o.value(opts, 'learningRate') as number;
  const recipe = defaultRecipe(opts, budgetOf(opts, train.n, true).earlyStopping);
  const spec = specFor(train, { ...opts, ...(recipe && { likelihood: 'heteroscedastic' }) });
  const M = o.value(opts, 'members');
  const { data, standardizer } = standardized(train, taskOf(spec) === 'regression');
  // Given validation rows are scored in the members' (standardized) units.
  const budget = budgetOf(opts, train.n, true, standardizer);
  const fixed = noiseFor(spec.likelihood, opts.noise, standardizer);
  const options: MemberOptions = {
    epochs: budget.epochs,
    earlyStopping: budget.earlyStopping && (recipe ? { ...budget.earlyStopping, patience: HET_PATIENCE * budget.earlyStopping.patience } : budget.earlyStopping),
    batchSize: o.value(opts, 'batchSize'),
    learningRate,
    priorPrecision: o.value(opts, 'priorPrecision'),
    noiseVar: fixed?.fixed ? fixed.variance : undefined,
    betaNll: betaNllOf(spec.likelihood, recipe ? (opts.betaNll ?? DEFAULT_BETA) : opts.betaNll),
    adversarial: opts.adversarial === undefined ? undefined : inputRanges(data, opts.adversarial),
  };
  const seed = opts.seed ?? 0;
  registerTask('train-member', runTrainMember);
  const { earlyStopping: _, ...fixedLength } = options;
  const memberOptions = (m: number): MemberOptions => (memberEpochs ? { ...fixedLength, epochs: memberEpochs[m] } : options);
  const tasks = Array.from({ length: M }, (_, m) => ({ kind: 'train-member', spec, options: memberOptions(m), seed, stream: m }));
  const work = (memberEpochs ? Math.max(...memberEpochs) : options.epochs) * data.n * layoutOf(spec).size * M;
  const results = await fanOut<MemberResult>(tasks, {
    pool: opts.pool ?? (work >= WORKER_THRESHOLD ? {} : { size: 0 }),
    data: { x: data.x, y: data.y },
    signal: opts.signal,
    onProgress: memberProgress(opts.onProgress),
  });
  const het = spec.likelihood === 'heteroscedastic';
  const noiseVars = Float64Array.from(results, (r) => (het ? r.noiseVar : predictiveNoiseVar(spec.likelihood, opts.predictiveNoise, standardizer, r.noiseVar)));
  const members = results.map((r) => r.theta);
  const floor = het ? varianceFloorOf(opts.predictiveNoise, standardizer) : 0;
  if (!het || opts.revertOffData === false) {
    const posterior = new NetworkPosterior<MembersSource, TaskOf<O>>('ensemble', spec, standardizer, new MembersSource(members, noiseVars, floor));
    // Members stopped on given rows (classification): all again on every row for their common epoch count (calibration.ts).
    if (taskOf(spec) !== 'classification' || opts.validation === undefined || memberEpochs) return { posterior };
    const { validation: __, stoppingScore: ___, ...rest } = opts;
    return { posterior, refit: refitOf(refitEpochs(results.map((r) => r.bestEpoch)), async (all, epochs) => (await run(all, rest, epochs)).posterior) };
  }
  const mlp = await engineFor(spec);
  return { posterior: new NetworkPosterior<MembersSource, TaskOf<O>>('ensemble', spec, standardizer, new MembersSource(members, noiseVars, floor, offDataOf(mlp, members, data.x)), mlp) };
}

/**
 * The epochs each member trains for in a refit on every row: the median of the epochs the members kept,
 * for all of them (the mean of the middle two, rounded, for an even count); `kept` itself when a member
 * did not stop early or kept no epoch (no refit is then offered). The members are the same recipe under other seeds, so
 * the epoch count that suits one suits all; each member's own best epoch is that count seen through
 * the noise of its held-out score, whose minimum is flat: it scatters widely (Fashion-MNIST 10k:
 * [12, 6, 13, 11, 8], [6, 9, 7, 8, 16], [5, 15, 8, 8, 3] for the five members of seeds 0, 1, 3), and the
 * median of the five is a steadier estimate that one member's outlying early or late stop does not
 * move. Measured over seeds 0–5 there (eval/FASHION-notes.md): on 2,000 test images accuracy at least
 * as high as with each member's own epochs on every seed, +0.0025 on average; on 10,000, +0.0009 on
 * average (4 seeds of 6 higher) — within the noise of one accuracy (0.0075 and 0.0034); ECE and
 * AUROC unchanged within theirs. With 30,000 and 60,000 training rows +0.0013 and +0.0019 (3 seeds
 * each); with 3,000 rows −0.0013 (7 seeds of 8 lower; there the members kept 6 to 46 epochs, and
 * trimming the long ones cost a little — why is not established).
 */
export function refitEpochs(kept: readonly (number | undefined)[]): readonly (number | undefined)[] {
  if (kept.length === 0 || kept.some((e) => e === undefined || e <= 0)) return kept;
  const sorted = (kept as readonly number[]).slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
  return kept.map(() => median);
}

/** A deep ensemble: the uniform mixture of its members. */
export type EnsemblePosterior<T extends TaskKind = TaskKind> = NetworkPosterior<MembersSource, T>;

/** ε per input: `fraction` × that input's range over the (standardized) training rows. */
function inputRanges(data: Dataset, fraction: number): Float32Array {
  const eps = new Float32Array(data.inputs);
  for (let j = 0; j < data.inputs; j++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < data.n; i++) {
      const v = data.x[i * data.inputs + j];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    eps[j] = fraction * (hi - lo);
  }
  return eps;
}

/** The support of the (standardized) training inputs and each member's mean predicted variance on them. */
function offDataOf(mlp: Mlp, members: Float32Array[], x: Float32Array): OffData {
  const T = mlp.spec.outputs;
  const N = x.length / mlp.spec.inputs;
  // No standardizer: x is already in the network's space and the variances stay standardized.
  const p = mixturePredictive(mlp, undefined, x, members.length, (s) => ({ theta: members[s] }));
  const v = (p as { members: { variance: Float32Array } }).members.variance;
  const levels = new Float64Array(members.length * T);
  for (let s = 0; s < members.length; s++) {
    for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) levels[s * T + t] += v[(s * N + i) * T + t] / N;
  }
  return { support: inputSupport(x, mlp.spec.inputs), levels };
}

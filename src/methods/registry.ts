/**
 * Every method by its command-line name: one table that the `bdl` command, the comparison and the
 * report read, so a new method appears everywhere by adding one row.
 */
import { BdlError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import type { Posterior } from '../posterior/types.js';
import { schema, unknownOption, type Fields, type Infer, type OptionSchema, type Schema } from '../options/schema.js';
import { defaultEpochs, VALIDATION_FRACTION, type MethodOptions, type Trained } from './common.js';
import { MIN_VALIDATION_ROWS } from '../train/fit.js';
import { CALIBRATE_FIELD, CALIBRATE_RULE, trainCalibrated, type Calibrate } from './calibration.js';
import { tune, TUNE_OPTIONS, type TuneGrid, type TuneProgress } from './tune/tune.js';
import { LAPLACE_OPTIONS, trainLaplaceWithRefit } from './laplace/laplace.js';
import { CONCRETE_DROPOUT_OPTIONS, trainConcreteDropout } from './variational/concrete-dropout.js';
import { ENSEMBLE_OPTIONS, trainEnsembleWithRefit } from './ensembles/ensemble.js';
import { MAP_OPTIONS, trainMapWithRefit } from './map.js';
import { HMC_OPTIONS, NUTS_OPTIONS, trainHmc, trainNuts } from './mcmc/mcmc.js';
import { MC_DROPOUT_OPTIONS, trainMcDropout } from './variational/mc-dropout.js';
import { trainVi, VI_OPTIONS } from './variational/vi.js';
import { MULTISWAG_OPTIONS, SWA_OPTIONS, SWAG_OPTIONS, trainMultiSwag, trainSwa, trainSwag } from './ensembles/swag.js';
import { SUBSPACE_OPTIONS, trainSubspace } from './mcmc/subspace.js';
import { SGHMC_MH_OPTIONS, SGHMC_OPTIONS, trainSghmc, trainSghmcMh } from './sgmcmc/sghmc.js';
import { CSGLD_OPTIONS, SGLD_OPTIONS, trainCsgld, trainSgld } from './sgmcmc/sgld.js';
import { SVGD_OPTIONS, trainSvgd } from './variational/svgd.js';

export interface MethodEntry {
  /** One line for `bdl --help`. */
  summary: string;
  /** The method's options: their types, defaults and checks, the command line's flags, the docs table. */
  options: OptionSchema;
  /** Trains on `data`; the options are checked against `options` before any work. */
  train(data: Dataset, opts: MethodOptions & Record<string, unknown>): Promise<Posterior>;
  /** What `--tune` chooses from, for a training set of this size (see tune.ts); without it `--tune` is refused. */
  tuneGrid?: (data: Dataset, opts: Record<string, unknown>) => TuneGrid;
  /** Whether `--tune` may also choose the method's `predictiveNoise` / `noise` σ on validation (tune.ts `noise`). */
  tunesNoise?: boolean;
  /** Options for the search's fits only (tune.ts `search`), e.g. one member instead of M. */
  tuneSearch?: Record<string, unknown>;
}

/** A row of the table before `calibrated`: the entry, and its run with the refit it may return (common.ts `Trained`). */
interface Row extends MethodEntry {
  trained(data: Dataset, opts: MethodOptions & Record<string, unknown>): Promise<Trained>;
}

type RowOf<F extends Fields> = { summary: string; tuneGrid?: (data: Dataset, opts: Infer<Schema<F>>) => TuneGrid; tunesNoise?: boolean; tuneSearch?: Record<string, unknown> };

/** A row of the table: the typed trainer behind the options' check (it returns no refit). */
function method<F extends Fields>(options: Schema<F>, train: (data: Dataset, opts: Infer<Schema<F>>) => Promise<Posterior>, row: RowOf<F>): Row {
  return refitting(options, async (data, opts) => ({ posterior: await train(data, opts) }), row);
}

/** A row whose trainer may return a refit beside its posterior (calibration.ts runs it). */
function refitting<F extends Fields>(options: Schema<F>, trained: (data: Dataset, opts: Infer<Schema<F>>) => Promise<Trained>, row: RowOf<F>): Row {
  const { tuneGrid } = row;
  return {
    ...row,
    options,
    train: async (data, opts) => (await trained(data, options.parse(opts))).posterior,
    trained: async (data, opts) => trained(data, options.parse(opts)),
    tuneGrid: tuneGrid && ((data, opts) => tuneGrid(data, options.parse(opts))),
  };
}

/**
 * Multiples of the default epochs of the data `tune` fits on (80 % of it): the step budget of
 * defaultEpochs is a floor that suits most UCI sets, not all (energy keeps improving to ~4×).
 */
const epochGrid = (d: Dataset, multiples = [1, 4]) => {
  const e = defaultEpochs(Math.round(0.8 * d.n));
  return multiples.map((k) => k * e);
};
/**
 * SWAG: the collection rate (SGD + momentum) and the Adam burn-in — 40 epochs (Maddox et al.'s
 * recipe), or the step budget every other method trains for (defaultEpochs, SWAG's default), each
 * followed by 40 collection epochs.
 */
const swagGrid = (d: Dataset) => {
  const e = defaultEpochs(Math.round(0.8 * d.n));
  return [0.01, 0.03, 0.1].flatMap((swaLearningRate) => [{ swaLearningRate, epochs: 80 }, { swaLearningRate, swaStart: e, epochs: e + 40 }]);
};

/**
 * A row of the table with the `calibrate` option (calibration.ts): its schema gains the field, its
 * trainer tempers by the method's default, and its tuning grid reads the options without it.
 */
function calibrated({ trained, ...entry }: Row): MethodEntry {
  const strip = (opts: Record<string, unknown>) => Object.fromEntries(Object.entries(opts).filter(([k]) => k !== 'calibrate'));
  const options = (entry.options as Schema<Fields>).extend(entry.options.name, CALIBRATE_FIELD).refine(CALIBRATE_RULE);
  return {
    ...entry,
    options,
    train: async (data, opts) => trainCalibrated(data, options.parse(opts) as MethodOptions & { calibrate?: Calibrate }, trained),
    tuneGrid: entry.tuneGrid && ((data, opts) => entry.tuneGrid!(data, strip(opts))),
  };
}

export const METHODS: Record<string, MethodEntry> = calibratedTable({
  map: refitting(MAP_OPTIONS, trainMapWithRefit, { summary: 'maximum a posteriori network (deterministic baseline; fitted noise)', tuneGrid: (d) => ({ epochs: epochGrid(d), priorPrecision: [1, 10] }), tunesNoise: true }),
  ensemble: refitting(ENSEMBLE_OPTIONS, trainEnsembleWithRefit, {
    summary: 'deep ensemble: --members independently seeded networks (default 5), each in its own worker',
    // Searched with all M members: a single member's calibrated σ would absorb the spread the mixture adds.
    // Homoscedastic or heteroscedastic members (Lakshminarayanan et al.'s), each calibrated on validation.
    // A β-NLL only means something for heteroscedastic members.
    tuneGrid: (d, o) => ({ epochs: epochGrid(d), priorPrecision: [1, 10], ...(o.task !== 'classification' && { likelihood: o.betaNll !== undefined ? ['heteroscedastic'] : ['gaussian', 'heteroscedastic'] }) }),
    tunesNoise: true,
  }),
  // The CLI's runs choose the rate with the candidates' fits side by side in workers (a pool per run).
  'mc-dropout': method(MC_DROPOUT_OPTIONS, (d, o) => trainMcDropout(d, { ...o, pool: o.pool ?? {} }), {
    summary: 'MC dropout: dropout kept on at test time, --samples passes (default 30), --dropout p',
    // The rates Gal & Ghahramani searched on UCI (REFERENCE.md) and 0.2, at three training lengths:
    // validation chose the grid's edges (p = 0.1 on boston, 4× the epochs on concrete, energy, yacht)
    // of the narrower grid {0.005…0.1} × {1, 4}× on nearly every split.
    tuneGrid: (d) => ({ dropout: [0.005, 0.01, 0.05, 0.1, 0.2], epochs: epochGrid(d, [1, 4, 10]) }),
    tunesNoise: true,
  }),
  'concrete-dropout': method(CONCRETE_DROPOUT_OPTIONS, trainConcreteDropout, {
    summary: 'Concrete dropout: dropout rates learned per layer (reported in info)',
    tuneGrid: (d) => ({ epochs: epochGrid(d) }),
    tunesNoise: true,
  }),
  vi: method(VI_OPTIONS, trainVi, {
    summary: 'mean-field Gaussian VI (Bayes by Backprop), --samples at test time (default 30)',
    // The prior's precision too: mean-field q is pulled towards the prior in every direction the data
    // leave loose, so on small sets (boston, 455 rows) λ = 10 beat λ = 1 on 7 of 20 splits.
    tuneGrid: (d) => ({ epochs: epochGrid(d), learningRate: [1e-3, 3e-3], priorPrecision: [1, 10] }),
    tunesNoise: true,
  }),
  swa: method(SWA_OPTIONS, trainSwa, { summary: 'stochastic weight averaging: the averaged SGD iterate (a point estimate)', tuneGrid: swagGrid, tunesNoise: true }),
  swag: method(SWAG_OPTIONS, trainSwag, { summary: 'SWAG: Gaussian from the SGD trajectory, diagonal + rank-20 (scale 0.5, 30 samples)', tuneGrid: swagGrid, tunesNoise: true }),
  // Estimated before the pool starts its workers (trainMultiSwag checks again with the pool's size).
  multiswag: method(MULTISWAG_OPTIONS, (d, o) => trainMultiSwag(d, { ...o, pool: o.pool ?? {} }), {
    summary: 'MultiSWAG: independent SWAG runs in parallel workers, as a mixture (--members, default 5)',
    tuneGrid: swagGrid,
    tunesNoise: true,
    tuneSearch: { members: 1 },
  }),
  'swag-subspace': method(SUBSPACE_OPTIONS, trainSubspace, {
    summary: "subspace inference: NUTS on the posterior in the span of SWAG's trajectory (10 principal directions; --chains 2 --warmup 500 --draws 500)",
    // `--tune` chooses σ on validation (the likelihood the sampler conditions on and the predictive's);
    // SWAG's own grid would cost six NUTS runs per split.
    tuneGrid: () => [{}],
    tunesNoise: true,
  }),
  // The table's Laplace trains its MAP at λ = 1 whatever `priorPrecision` says: the prior precision is
  // Laplace's own choice (`priorPrecisionMode`, the command line's --prior-precision).
  laplace: refitting(LAPLACE_OPTIONS, (d, o) => trainLaplaceWithRefit(d, { ...o, priorPrecision: undefined }), {
    summary: 'Laplace around the MAP: --subset last-layer|all|subnetwork, --hessian kron|full|diag, --prior-precision marglik|grid|<number>',
    // The prior precision is Laplace's own choice (marginal likelihood); the MAP's length is tuned here.
    tuneGrid: (d) => ({ epochs: epochGrid(d) }),
  }),
  nuts: method(NUTS_OPTIONS, trainNuts, { summary: 'NUTS over all weights, Stan warmup, chains in the worker pool: --chains 4 --warmup 500 --draws 500 (100 kept per chain; MAP-fitted noise)' }),
  hmc: method(HMC_OPTIONS, trainHmc, { summary: 'static HMC (32 jittered leapfrog steps) over all weights, same defaults as nuts' }),
  sgld: method(SGLD_OPTIONS, trainSgld, { summary: 'stochastic-gradient Langevin dynamics after an Adam pretrain (pSGLD with the precondition option); 100 samples' }),
  csgld: method(CSGLD_OPTIONS, trainCsgld, { summary: 'cyclical SGLD: cosine cycles, noiseless exploration then sampling at the end of each cycle' }),
  sghmc: method(SGHMC_OPTIONS, trainSghmc, { summary: 'stochastic-gradient HMC with friction 0.05; 100 samples' }),
  'sghmc-mh': method(SGHMC_MH_OPTIONS, trainSghmcMh, { summary: 'SGHMC segments with a full-data Metropolis-Hastings test (no discretization bias); reports acceptance' }),
  svgd: method(SVGD_OPTIONS, trainSvgd, { summary: 'Stein variational gradient descent: 20 particles, RBF kernel, median bandwidth' }),
});

function calibratedTable(rows: Record<string, Row>): Record<string, MethodEntry> {
  return Object.fromEntries(Object.entries(rows).map(([name, entry]) => [name, calibrated(entry)]));
}

/** What `trainMethod` reports when it tuned: the winning overrides and every candidate's validation score. */
export interface Tuned {
  chosen: Record<string, unknown>;
  scores: { overrides: Record<string, unknown>; score: number }[];
}

/** trainMethod's `how` (how a tuned run searches), checked like tune's own options: { fold: 3 } is refused, not ignored. */
const TUNE_HOW = schema('trainMethod: how', { folds: TUNE_OPTIONS.fields.folds, samples: TUNE_OPTIONS.fields.samples, crossFitNoise: TUNE_OPTIONS.fields.crossFitNoise });

/**
 * Trains method `name` on `data`; with `tuneIt`, first chooses the entry's grid (or the given one) on
 * a validation split of `data` (tune.ts; `how.folds` = k for k-fold cross-validation instead).
 * Options the caller sets explicitly are kept out of the grid. `how.samples`: the posterior samples
 * each candidate is scored with (default: the method's own, e.g. 30 dropout passes, whatever
 * `opts.samples` asks of the final posterior). More samples score a smoother mixture, and the
 * held-out σ then shrinks toward the posterior's own spread: on the UCI sets that measured worse off
 * the validation rows (eval/UCI-notes.md, round 7).
 * `how.crossFitNoise`: see `TuneOptions.crossFitNoise`.
 */
export async function trainMethod(
  name: string,
  data: Dataset,
  opts: Record<string, unknown>,
  tuneIt: boolean | TuneGrid = false,
  onTune?: (p: TuneProgress) => void,
  how: { folds?: number; samples?: number; crossFitNoise?: boolean } = {},
): Promise<{ posterior: Posterior; tuned?: Tuned; warnings?: string[] }> {
  const entry = methodEntry(name);
  if (!entry) throw unknownOption('method', name, methodNames());
  opts = entry.options.check(opts, name);
  how = TUNE_HOW.check(how);
  if (!tuneIt) {
    const warning = residualNoiseWarning(name, data, opts);
    return { posterior: await entry.train(data, opts), ...(warning && { warnings: [warning] }) };
  }
  if (tuneIt === true && !entry.tuneGrid) throw new BdlError('E_ARG', `tune: method ${name} has no tuning grid. Drop --tune, or pass the grid to tune() yourself.`, 'tune');
  const grid = tuneIt === true ? entry.tuneGrid!(data, opts) : tuneIt;
  // A list grid loses the candidates that touch an option the caller set; a record grid loses those keys.
  const isSet = (k: string) => opts[k] !== undefined;
  const free: TuneGrid = Array.isArray(grid)
    ? grid.filter((c) => !Object.keys(c).some(isSet))
    : Object.fromEntries(Object.entries(grid).filter(([k]) => !isSet(k)));
  const nothingFree = (Array.isArray(free) ? free : Object.keys(free)).length === 0;
  // Methods with a `noise` option (σ in target units) also choose σ on validation (tune.ts `noise`),
  // even when the caller fixed every grid option: the noise is a hyperparameter of its own.
  const noise = entry.tunesNoise === true && opts.noise === undefined && opts.predictiveNoise === undefined && (opts.task ?? 'regression') === 'regression' && (opts.likelihood ?? 'gaussian') === 'gaussian' && data.targets === 1;
  if (nothingFree && !noise) return { posterior: await entry.train(data, opts) };
  // The search's fits predict with the method's own samples even when the caller asked for more at
  // test time (`samples`; the final fit keeps it): see `how.samples` above.
  const search = { ...(entry.tuneSearch && Object.fromEntries(Object.entries(entry.tuneSearch).filter(([k]) => opts[k] === undefined))), samples: undefined };
  const { posterior, chosen, scores } = await tune(data, entry.train, opts, { grid: nothingFree ? [{}] : free, folds: how.folds, samples: how.samples, crossFitNoise: how.crossFitNoise, onProgress: onTune, noise, search });
  return { posterior, tuned: { chosen, scores } };
}

/** Methods whose gaussian σ is fitted by EM on the rows they train on when none are held out (noise.ts). */
const RESIDUAL_NOISE = new Set(['ensemble', 'mc-dropout', 'concrete-dropout', 'vi']);

/**
 * The warning for a regression too small to hold out MIN_VALIDATION_ROWS rows, run by a method whose σ
 * then comes from its own training residuals: a network that fits a few rows closely makes σ tiny
 * (an audit: ten rows, σ ≈ 0.001–0.004, ensemble test log-likelihood −212, laplace −1.2 on the same rows).
 */
function residualNoiseWarning(name: string, data: Dataset, opts: Record<string, unknown>): string | undefined {
  if (!RESIDUAL_NOISE.has(name) || (opts.task ?? 'regression') !== 'regression' || (opts.likelihood ?? 'gaussian') !== 'gaussian') return undefined;
  if (opts.noise !== undefined || opts.predictiveNoise !== undefined) return undefined;
  const validation = opts.validation as Dataset | undefined;
  const fraction = (opts.validationFraction as number | undefined) ?? VALIDATION_FRACTION;
  // validationFraction 0 is the caller's choice on any size; the warning is about sets too small to hold out.
  if (!validation && !(fraction > 0)) return undefined;
  const heldOut = validation ? validation.n : Math.round(fraction * data.n);
  if (heldOut >= MIN_VALIDATION_ROWS) return undefined;
  return `only ${data.n} training rows: fewer than ${MIN_VALIDATION_ROWS} can be held out, so σ is fitted to the residuals of the rows the network trains on, which it can fit closely — σ too small, intervals too narrow. Give the noise (noise / --noise), or use laplace or nuts, whose σ comes from the evidence or the posterior.`;
}

export function methodNames(): string[] {
  return Object.keys(METHODS);
}

/** The entry of a method named by the caller, or undefined (never an Object.prototype member). */
export function methodEntry(name: string): MethodEntry | undefined {
  return Object.hasOwn(METHODS, name) ? METHODS[name] : undefined;
}


/**
 * Every method by its command-line name: one table that the `bdl` command, the comparison and the
 * report read, so a new method appears everywhere by adding one row.
 */
import { BdlError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import type { Posterior } from '../posterior/types.js';
import { defaultEpochs, type MethodOptions } from './common.js';
import { tune, type TuneGrid, type TuneProgress } from './tune/tune.js';
import { trainLaplace, type LaplaceOptions } from './laplace/index.js';
import { trainConcreteDropout, type ConcreteDropoutOptions } from './variational/concrete-dropout.js';
import { trainEnsemble, type EnsembleOptions } from './ensembles/ensemble.js';
import { trainMap } from './map.js';
import { trainHmc, trainNuts } from './mcmc/mcmc.js';
import { trainMcDropout, type McDropoutOptions } from './variational/mc-dropout.js';
import { trainVi, type ViOptions } from './variational/vi.js';
import { trainMultiSwag, trainSwa, trainSwag, type MultiSwagOptions, type SwagOptions } from './ensembles/swag.js';
import { trainSubspace, type SubspaceOptions } from './mcmc/subspace.js';
import { trainSghmc, trainSghmcMh } from './sgmcmc/sghmc.js';
import { trainCsgld, trainSgld } from './sgmcmc/sgld.js';
import { trainSvgd } from './variational/svgd.js';

export interface MethodEntry {
  /** One line for `bdl --help`. */
  summary: string;
  train(data: Dataset, opts: MethodOptions & Record<string, unknown>): Promise<Posterior>;
  /** What `--tune` chooses from, for a training set of this size (see tune.ts); without it `--tune` is refused. */
  tuneGrid?: (data: Dataset, opts: MethodOptions) => TuneGrid;
  /** Whether `--tune` may also choose the method's `predictiveNoise` / `noise` σ on validation (tune.ts `noise`). */
  tunesNoise?: boolean;
  /** Options for the search's fits only (tune.ts `search`), e.g. one member instead of M. */
  tuneSearch?: Record<string, unknown>;
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

export const METHODS: Record<string, MethodEntry> = {
  map: { summary: 'maximum a posteriori network (deterministic baseline; fitted noise)', train: trainMap, tuneGrid: (d) => ({ epochs: epochGrid(d), priorPrecision: [1, 10] }), tunesNoise: true },
  ensemble: {
    summary: 'deep ensemble: --members independently seeded networks (default 5), each in its own worker',
    train: (d, o) => trainEnsemble(d, o as EnsembleOptions),
    // Searched with all M members: a single member's calibrated σ would absorb the spread the mixture adds.
    // Homoscedastic or heteroscedastic members (Lakshminarayanan et al.'s), each calibrated on validation.
    // A β-NLL only means something for heteroscedastic members.
    tuneGrid: (d, o) => ({ epochs: epochGrid(d), priorPrecision: [1, 10], ...(o.task !== 'classification' && { likelihood: (o as EnsembleOptions).betaNll !== undefined ? ['heteroscedastic'] : ['gaussian', 'heteroscedastic'] }) }),
    tunesNoise: true,
  },
  'mc-dropout': { summary: 'MC dropout: dropout kept on at test time, --samples passes (default 30), --dropout p', train: (d, o) => trainMcDropout(d, o as McDropoutOptions),
    // The rates Gal & Ghahramani searched on UCI (REFERENCE.md) and 0.2, at three training lengths:
    // validation chose the grid's edges (p = 0.1 on boston, 4× the epochs on concrete, energy, yacht)
    // of the narrower grid {0.005…0.1} × {1, 4}× on nearly every split.
    tuneGrid: (d) => ({ dropout: [0.005, 0.01, 0.05, 0.1, 0.2], epochs: epochGrid(d, [1, 4, 10]) }),
    tunesNoise: true,
  },
  'concrete-dropout': { summary: 'Concrete dropout: dropout rates learned per layer (reported in info)', train: (d, o) => trainConcreteDropout(d, o as ConcreteDropoutOptions),
    tuneGrid: (d) => ({ epochs: epochGrid(d) }),
    tunesNoise: true,
  },
  vi: { summary: 'mean-field Gaussian VI (Bayes by Backprop), --samples at test time (default 30)', train: (d, o) => trainVi(d, o as ViOptions),
    // The prior's precision too: mean-field q is pulled towards the prior in every direction the data
    // leave loose, so on small sets (boston, 455 rows) λ = 10 beat λ = 1 on 7 of 20 splits.
    tuneGrid: (d) => ({ epochs: epochGrid(d), learningRate: [1e-3, 3e-3], priorPrecision: [1, 10] }),
    tunesNoise: true,
  },
  swa: { summary: 'stochastic weight averaging: the averaged SGD iterate (a point estimate)', train: (d, o) => trainSwa(d, o as SwagOptions), tuneGrid: swagGrid, tunesNoise: true },
  swag: { summary: 'SWAG: Gaussian from the SGD trajectory, diagonal + rank-20 (scale 0.5, 30 samples)', train: (d, o) => trainSwag(d, o as SwagOptions), tuneGrid: swagGrid, tunesNoise: true },
  multiswag: {
    summary: 'MultiSWAG: independent SWAG runs in parallel workers, as a mixture (--members, default 5)',
    train: (d, o) => trainMultiSwag(d, { ...(o as MultiSwagOptions), pool: (o.pool as MultiSwagOptions['pool']) ?? {} }),
    tuneGrid: swagGrid,
    tunesNoise: true,
    tuneSearch: { members: 1 },
  },
  'swag-subspace': {
    summary: "subspace inference: NUTS on the posterior in the span of SWAG's trajectory (10 principal directions; --chains 2 --warmup 500 --draws 500)",
    train: (d, o) => trainSubspace(d, o as SubspaceOptions),
    // `--tune` chooses σ on validation (the likelihood the sampler conditions on and the predictive's);
    // SWAG's own grid would cost six NUTS runs per split.
    tuneGrid: () => [{}],
    tunesNoise: true,
  },
  laplace: {
    summary: 'Laplace around the MAP: --subset last-layer|all|subnetwork, --hessian kron|full|diag, --prior-precision marglik|grid|<number>',
    train: (data, o) => trainLaplace(data, { ...(o as LaplaceOptions), priorPrecisionMode: laplacePriorMode(o.priorPrecisionMode), priorPrecision: undefined }),
    // The prior precision is Laplace's own choice (marginal likelihood); the MAP's length is tuned here.
    tuneGrid: (d) => ({ epochs: epochGrid(d) }),
  },
  nuts: { summary: 'NUTS over all weights, Stan warmup, chains in the worker pool: --chains 4 --warmup 500 --draws 500 (100 kept per chain; MAP-fitted noise)', train: trainNuts },
  hmc: { summary: 'static HMC (32 jittered leapfrog steps) over all weights, same defaults as nuts', train: trainHmc },
  sgld: { summary: 'stochastic-gradient Langevin dynamics after an Adam pretrain (pSGLD with the precondition option); 100 samples', train: trainSgld },
  csgld: { summary: 'cyclical SGLD: cosine cycles, noiseless exploration then sampling at the end of each cycle', train: trainCsgld },
  sghmc: { summary: 'stochastic-gradient HMC with friction 0.05; 100 samples', train: trainSghmc },
  'sghmc-mh': { summary: 'SGHMC segments with a full-data Metropolis-Hastings test (no discretization bias); reports acceptance', train: trainSghmcMh },
  svgd: { summary: 'Stein variational gradient descent: 20 particles, RBF kernel, median bandwidth', train: trainSvgd },
};

/** `--prior-precision` for Laplace: how to choose it after the fit (the fit itself uses λ = 1). */
function laplacePriorMode(mode: unknown): LaplaceOptions['priorPrecisionMode'] {
  if (mode === undefined || mode === 'marglik' || mode === 'grid') return mode ?? 'marglik';
  const n = Number(mode);
  if (!(n > 0)) throw new BdlError('E_ARG', `--prior-precision: expected marglik, grid or a positive number, found ${JSON.stringify(mode)}.`, 'prior-precision');
  return n;
}

/** What `trainMethod` reports when it tuned: the winning overrides and every candidate's validation score. */
export interface Tuned {
  chosen: Record<string, unknown>;
  scores: { overrides: Record<string, unknown>; score: number }[];
}

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
  opts: MethodOptions & Record<string, unknown>,
  tuneIt: boolean | TuneGrid = false,
  onTune?: (p: TuneProgress) => void,
  how: { folds?: number; samples?: number; crossFitNoise?: boolean } = {},
): Promise<{ posterior: Posterior; tuned?: Tuned }> {
  const entry = METHODS[name];
  if (!entry) throw new BdlError('E_ARG', `method: expected one of ${methodNames().join(', ')}, found ${JSON.stringify(name)}.`, 'method');
  if (!tuneIt) return { posterior: await entry.train(data, opts) };
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

export function methodNames(): string[] {
  return Object.keys(METHODS);
}


/**
 * Every method by its command-line name: one table that the `bdl` command, the comparison and the
 * report read, so a new method appears everywhere by adding one row.
 */
import { BdlError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import type { Posterior } from '../posterior/types.js';
import type { MethodOptions } from './common.js';
import { trainLaplace, type LaplaceOptions } from './laplace/index.js';
import { trainConcreteDropout, type ConcreteDropoutOptions } from './concrete-dropout.js';
import { trainEnsemble, type EnsembleOptions } from './ensemble.js';
import { trainMap } from './map.js';
import { trainHmc, trainNuts } from './mcmc.js';
import { trainMcDropout, type McDropoutOptions } from './mc-dropout.js';
import { trainVi, type ViOptions } from './vi.js';
import { trainMultiSwag, trainSwa, trainSwag, type MultiSwagOptions, type SwagOptions } from './swag.js';
import { createPool } from '../pool/index.js';
import type { Pool } from '../pool/types.js';
import { trainSghmc, trainSghmcMh } from './sghmc.js';
import { trainCsgld, trainSgld } from './sgld.js';
import { trainSvgd } from './svgd.js';

export interface MethodEntry {
  /** One line for `bdl --help`. */
  summary: string;
  train(data: Dataset, opts: MethodOptions & Record<string, unknown>): Promise<Posterior>;
}

export const METHODS: Record<string, MethodEntry> = {
  map: { summary: 'maximum a posteriori network (deterministic baseline; fitted noise)', train: trainMap },
  ensemble: {
    summary: 'deep ensemble: --members independently seeded networks (default 5), each in its own worker',
    train: (d, o) => trainEnsemble(d, o as EnsembleOptions),
  },
  'mc-dropout': { summary: 'MC dropout: dropout kept on at test time, --samples passes (default 30), --dropout p', train: (d, o) => trainMcDropout(d, o as McDropoutOptions) },
  'concrete-dropout': { summary: 'Concrete dropout: dropout rates learned per layer (reported in info)', train: (d, o) => trainConcreteDropout(d, o as ConcreteDropoutOptions) },
  vi: { summary: 'mean-field Gaussian VI (Bayes by Backprop), --samples at test time (default 30)', train: (d, o) => trainVi(d, o as ViOptions) },
  swa: { summary: 'stochastic weight averaging: the averaged SGD iterate (a point estimate)', train: (d, o) => trainSwa(d, o as SwagOptions) },
  swag: { summary: 'SWAG: Gaussian from the SGD trajectory, diagonal + rank-20 (scale 0.5, 30 samples)', train: (d, o) => trainSwag(d, o as SwagOptions) },
  multiswag: {
    summary: 'MultiSWAG: independent SWAG runs in parallel workers, as a mixture (--members, default 5)',
    train: (d, o) => withPool(o, (pool) => trainMultiSwag(d, { ...(o as MultiSwagOptions), pool })),
  },
  laplace: {
    summary: 'Laplace around the MAP: --subset last-layer|all|subnetwork, --hessian kron|full|diag, --prior-precision marglik|grid|<number>',
    train: (data, o) => trainLaplace(data, { ...(o as LaplaceOptions), tune: laplaceTune(o.priorPrecisionMode), priorPrecision: undefined }),
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
function laplaceTune(mode: unknown): LaplaceOptions['tune'] {
  if (mode === undefined || mode === 'marglik' || mode === 'grid') return mode ?? 'marglik';
  const n = Number(mode);
  if (!(n > 0)) throw new BdlError('E_ARG', `--prior-precision: expected marglik, grid or a positive number, found ${JSON.stringify(mode)}.`, 'prior-precision');
  return n;
}

export function methodNames(): string[] {
  return Object.keys(METHODS);
}

/** Runs `f` with the caller's pool, or a default pool (one worker per core) closed afterwards. */
async function withPool<T>(o: Record<string, unknown>, f: (pool: Pool) => Promise<T>): Promise<T> {
  if (o.pool) return f(o.pool as Pool);
  const pool = await createPool();
  try {
    return await f(pool);
  } finally {
    await pool.close();
  }
}

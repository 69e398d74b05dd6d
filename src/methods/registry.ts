/**
 * Every method by its command-line name: one table that the `bdl` command, the comparison and the
 * report read, so a new method appears everywhere by adding one row.
 */
import { BdlError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import type { Posterior } from '../posterior/types.js';
import type { MethodOptions } from './common.js';
import { trainLaplace, type LaplaceOptions } from './laplace/index.js';
import { trainMap } from './map.js';
import { trainHmc, trainNuts } from './mcmc.js';

export interface MethodEntry {
  /** One line for `bdl --help`. */
  summary: string;
  train(data: Dataset, opts: MethodOptions & Record<string, unknown>): Promise<Posterior>;
}

export const METHODS: Record<string, MethodEntry> = {
  map: { summary: 'maximum a posteriori network (deterministic baseline; fitted noise)', train: trainMap },
  laplace: {
    summary: 'Laplace around the MAP: --subset last-layer|all|subnetwork, --hessian kron|full|diag, --prior-precision marglik|grid|<number>',
    train: (data, o) => trainLaplace(data, { ...(o as LaplaceOptions), tune: laplaceTune(o.priorPrecisionMode), priorPrecision: undefined }),
  },
  nuts: { summary: 'NUTS over all weights, Stan warmup, chains in the worker pool: --chains 4 --warmup 500 --draws 500 (100 kept per chain; MAP-fitted noise)', train: trainNuts },
  hmc: { summary: 'static HMC (32 jittered leapfrog steps) over all weights, same defaults as nuts', train: trainHmc },
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

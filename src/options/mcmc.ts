/**
 * The Markov chain options, declared once: NUTS/HMC over a network (methods/mcmc.ts), NUTS in SWAG's
 * subspace (methods/subspace.ts) and `bdl sample` read their fields from here, each with its defaults.
 */
import { enumOf, int, num } from './schema.js';

export interface ChainDefaults {
  chains: number;
  warmup: number;
  draws: number;
}

/** Chains and their lengths, with the caller's defaults. */
export function chainFields(d: ChainDefaults) {
  return {
    chains: int({ min: 1, max: 1024, default: d.chains, help: 'Markov chains (one pool task each)' }),
    warmup: int({ min: 0, default: d.warmup, help: 'warmup (adaptation) iterations per chain' }),
    draws: int({ min: 1, default: d.draws, help: 'sampling iterations per chain' }),
  };
}

/** The kernels' own settings. */
export const KERNEL_FIELDS = {
  maxTreeDepth: int({ min: 1, max: 30, default: 10, flag: 'max-treedepth', help: 'NUTS: maximum tree depth' }),
  steps: int({ min: 1, default: 32, help: 'static HMC: leapfrog steps per transition' }),
  jitter: num({ min: 0, lt: 1, default: 0.1, help: 'static HMC: step-size jitter (a fraction of ε)' }),
  metric: enumOf(['diag', 'dense', 'auto'] as const, {
    default: 'auto',
    help: "mass matrix adapted in warmup: 'diag', 'dense', or 'auto' (dense when dim ≤ 100 and a parameter's VIF ≥ 10)",
  }),
};

/** One chain's settings beyond its length (runChain, the 'chain' task, `bdl sample`). */
export const CHAIN_RUN_FIELDS = {
  thin: int({ min: 1, default: 1, help: 'keep every k-th draw' }),
  initRadius: num({ gt: 0, default: 2, help: "random initial positions uniform in (−r, r)^dim (Stan's 2)" }),
  checkpointEvery: int({ min: 0, default: 100, help: 'iterations between checkpoints (0 = none)' }),
};

/** Draws kept per chain for a network's predictive, evenly thinned. */
export const KEEP_FIELD = {
  keep: int({ min: 1, default: 100, help: 'draws kept per chain for the predictive, evenly thinned' }),
};

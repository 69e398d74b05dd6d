/**
 * Diagnostics of the sampler itself (HMC/NUTS), from its per-draw info: divergences, tree-depth
 * saturation and the energy Bayesian fraction of missing information (Betancourt 2016).
 */
import { argError, describe } from '../errors.js';

/** Per-draw values for each chain (numbers, or booleans for flags). */
export type PerChain<T = number> = ReadonlyArray<ArrayLike<T>>;

function checkPerChain(x: PerChain<unknown>, argument: string): void {
  if (!Array.isArray(x) || x.length === 0) {
    throw argError('E_EMPTY', argument, 'one array per chain', describe(x), 'Pass the per-draw sampler info of each chain.');
  }
  x.forEach((ch, c) => {
    if (ch == null || typeof ch.length !== 'number') {
      throw argError('E_SHAPE', `${argument}[${c}]`, 'an array of per-draw values', describe(ch), 'Pass one array per chain.');
    }
  });
}

/**
 * E-BFMI of each chain: Σ_{i≥1} (E_i − E_{i−1})² / Σ_i (E_i − Ē)², the ratio of the energy change
 * per transition to the spread of the marginal energy. Values below 0.3 mean momentum resampling
 * explores the energy distribution poorly (heavy tails, bad mass matrix). NaN for fewer than 2
 * draws or constant energies.
 */
export function ebfmi(energies: PerChain): number[] {
  checkPerChain(energies, 'energies');
  return energies.map((e, c) => {
    const n = e.length;
    if (n < 2) return NaN;
    let m = 0;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(e[i])) {
        throw argError('E_NONFINITE', `energies[${c}][${i}]`, 'a finite energy', String(e[i]), 'Non-finite energies mean the chain diverged: inspect it before computing E-BFMI.');
      }
      m += e[i];
    }
    m /= n;
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      den += (e[i] - m) * (e[i] - m);
      if (i > 0) num += (e[i] - e[i - 1]) * (e[i] - e[i - 1]);
    }
    return den > 0 ? num / den : NaN;
  });
}

/** Counts per chain and in total. */
export interface Counts {
  total: number;
  perChain: number[];
}

/** Counts the divergent transitions (draws whose flag is true or non-zero). */
export function countDivergences(divergent: PerChain<number | boolean>): Counts {
  checkPerChain(divergent, 'divergent');
  const perChain = divergent.map((ch) => {
    let k = 0;
    for (let i = 0; i < ch.length; i++) if (ch[i]) k++;
    return k;
  });
  return { total: perChain.reduce((a, b) => a + b, 0), perChain };
}

/**
 * Counts the transitions that hit the maximum tree depth (NUTS stopped by the cap, not by the
 * U-turn criterion: usually a too-small step size or a badly scaled posterior). Default cap 10, Stan's.
 */
export function countTreedepthHits(treedepth: PerChain, maxTreedepth = 10): Counts {
  checkPerChain(treedepth, 'treedepth');
  const perChain = treedepth.map((ch) => {
    let k = 0;
    for (let i = 0; i < ch.length; i++) if (ch[i] >= maxTreedepth) k++;
    return k;
  });
  return { total: perChain.reduce((a, b) => a + b, 0), perChain };
}

/**
 * The per-parameter summary table (as printed by Stan/posterior) and the warnings a user should
 * act on, with the thresholds of Vehtari et al. (2021).
 */
import { argError, describe } from '../errors.js';
import { allFinite, foldSorted, mean, pool, quantileSorted, rankNormalizeSteps, sampleVariance, splitChains, splitScoresSteps } from './chains.js';
import { essOfChainsSteps, essQuantileSteps } from './ess.js';
import { rhatOfChains } from './rhat.js';
import { foldedOrderSteps, gatherSteps, radixOrderSteps, ranksInOrderSteps } from './sort.js';
import { runSteps, type Steps } from './steps.js';
import { countDivergences, countTreedepthHits, ebfmi, type PerChain } from './sampler.js';

/** R̂ above this is a convergence warning. */
export const RHAT_THRESHOLD = 1.01;
/** Bulk or tail ESS below this is a warning (100 per chain for 4 chains). */
export const ESS_THRESHOLD = 400;
/** E-BFMI below this is a warning. */
export const EBFMI_THRESHOLD = 0.3;

/** One row of the summary table. */
export interface SummaryRow {
  name: string;
  mean: number;
  sd: number;
  q5: number;
  q50: number;
  q95: number;
  mcseMean: number;
  essBulk: number;
  essTail: number;
  rhat: number;
}

/** A warning: a stable code, the parameters concerned (if any), and a message saying what to do. */
export interface SummaryWarning {
  code: 'rhat' | 'ess' | 'nonfinite' | 'divergences' | 'treedepth' | 'ebfmi';
  names: string[];
  message: string;
}

/** Optional per-draw sampler info (one array per chain) for the sampler warnings. */
export interface SamplerInfo {
  divergent?: PerChain<number | boolean>;
  treedepth?: PerChain;
  maxTreedepth?: number;
  energy?: PerChain;
}

/** The table and its warnings. */
export interface Summary {
  rows: SummaryRow[];
  warnings: SummaryWarning[];
}

function listNames(names: string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

/** Splits chains × draws × dim into one chains × draws array per dimension, checking the shape. */
function byParameter(draws: ReadonlyArray<ReadonlyArray<ArrayLike<number>>>): Float64Array[][] {
  if (!Array.isArray(draws) || draws.length === 0 || !Array.isArray(draws[0]) || draws[0].length === 0) {
    throw argError('E_EMPTY', 'draws', 'chains × draws × dim with at least one draw', describe(draws), 'Pass draws[chain][draw][parameter].');
  }
  const n = draws[0].length;
  const dim = draws[0][0]?.length;
  if (typeof dim !== 'number' || dim === 0) {
    throw argError('E_SHAPE', 'draws[0][0]', 'a vector of parameter values', describe(draws[0][0]), 'Each draw must be an array with one value per parameter.');
  }
  const out = Array.from({ length: dim }, () => draws.map(() => new Float64Array(n)));
  draws.forEach((chain, c) => {
    if (!Array.isArray(chain) || chain.length !== n) {
      throw argError('E_SHAPE', `draws[${c}]`, `${n} draws like chain 0`, describe(chain), 'All chains must have the same number of draws.');
    }
    chain.forEach((d, i) => {
      if (d == null || d.length !== dim) {
        throw argError('E_SHAPE', `draws[${c}][${i}]`, `${dim} values like draws[0][0]`, describe(d), 'Every draw must have the same dimension.');
      }
      for (let k = 0; k < dim; k++) out[k][c][i] = d[k];
    });
  });
  return out;
}

/**
 * Summarizes draws[chain][draw][parameter]: mean, sd, 5/50/95% quantiles, MCSE of the mean,
 * bulk and tail ESS and rank-normalized R̂ per parameter, and the warnings (R̂ > 1.01, bulk or tail
 * ESS < 400, non-finite draws, and from `sampler`: divergences, tree-depth hits, E-BFMI < 0.3).
 * `names` default to "theta[0]", "theta[1]", ….
 */
export function summarize(
  draws: ReadonlyArray<ReadonlyArray<ArrayLike<number>>>,
  names?: readonly string[],
  sampler?: SamplerInfo,
): Summary {
  const params = byParameter(draws);
  if (names !== undefined && names.length !== params.length) {
    throw argError('E_SHAPE', 'names', `${params.length} names (one per parameter)`, `${names.length}`, 'Pass one name per parameter, or none.');
  }
  const rows = params.map((chains, k) => summaryRow(chains, names?.[k] ?? `theta[${k}]`));
  return summaryOf(rows, params.map(allFinite), sampler);
}

/** One parameter's row of `summarize`, from its chains × draws. */
export function summaryRow(chains: Float64Array[], name: string): SummaryRow {
  return runSteps(summaryRowSteps(chains, name));
}

/**
 * `summaryRow` with yield points (see steps.ts). The pieces mcseMean, essBulk, essTail and
 * rankNormalizedRhat would each recompute (the sorted pooled draws, the rank-normalized split
 * chains) are computed once; every number is the one those functions give. With an even number of
 * finite draws per chain, the pooled draws are sorted once: the split chains' ranks are theirs (the
 * same draws, see splitScoresSteps) and the folded draws' order is merged from it (see
 * foldedOrderSteps), the same ranks as two more sorts would give.
 */
export function* summaryRowSteps(chains: Float64Array[], name: string): Steps<SummaryRow> {
  const m = chains.length;
  const n = chains[0].length;
  const flat = pool(chains);
  const order = yield* radixOrderSteps(flat);
  const sorted = yield* gatherSteps(flat, order);
  const finite = allFinite(chains);
  const split = splitChains(chains);
  const reuse = finite && n >= 2 && n % 2 === 0;
  const essMean = yield* essOfChainsSteps(split);
  let bulkZ: Float64Array[] | undefined;
  if (reuse) bulkZ = yield* splitScoresSteps(yield* ranksInOrderSteps(flat, order), m, n);
  else if (allFinite(split)) bulkZ = yield* rankNormalizeSteps(split);
  const essBulk = bulkZ ? yield* essOfChainsSteps(bulkZ) : NaN;
  let essTail = NaN;
  let rhat = NaN;
  if (finite) {
    essTail = Math.min(yield* essQuantileSteps(chains, sorted, 0.05), yield* essQuantileSteps(chains, sorted, 0.95));
    let tailZ: Float64Array[];
    if (reuse) {
      const folded = yield* foldedOrderSteps(sorted, order, quantileSorted(sorted, 0.5));
      tailZ = yield* splitScoresSteps(yield* ranksInOrderSteps(folded.folded, folded.order), m, n);
    } else {
      tailZ = yield* rankNormalizeSteps(splitChains(foldSorted(chains, sorted)));
    }
    rhat = Math.max(rhatOfChains(bulkZ!), rhatOfChains(tailZ));
  }
  return {
    name,
    mean: mean(flat),
    sd: Math.sqrt(sampleVariance(flat)),
    q5: finite ? quantileSorted(sorted, 0.05) : NaN,
    q50: finite ? quantileSorted(sorted, 0.5) : NaN,
    q95: finite ? quantileSorted(sorted, 0.95) : NaN,
    mcseMean: Math.sqrt(sampleVariance(flat) / essMean),
    essBulk,
    essTail,
    rhat,
  };
}

/**
 * `summarize`'s result from rows computed one by one (`summaryRow`), with the same warnings;
 * `finite[k]`: whether every draw of row k's quantity is finite (chains.allFinite).
 */
export function summaryOf(rows: SummaryRow[], finite: readonly boolean[], sampler?: SamplerInfo): Summary {
  return { rows, warnings: [...drawWarnings(rows, finite), ...samplerWarnings(sampler)] };
}

function drawWarnings(rows: SummaryRow[], finite: readonly boolean[]): SummaryWarning[] {
  const warnings: SummaryWarning[] = [];
  const nonfinite = rows.filter((_, k) => !finite[k]).map((r) => r.name);
  if (nonfinite.length > 0) {
    warnings.push({ code: 'nonfinite', names: nonfinite, message: `Non-finite draws in ${listNames(nonfinite)}: the sampler diverged or the target returned NaN/Infinity; check the model and its initialization.` });
  }
  const badRhat = rows.filter((r) => r.rhat > RHAT_THRESHOLD);
  if (badRhat.length > 0) {
    const worst = badRhat.reduce((a, b) => (b.rhat > a.rhat ? b : a));
    warnings.push({
      code: 'rhat',
      names: badRhat.map((r) => r.name),
      message: `R-hat > ${RHAT_THRESHOLD} for ${badRhat.length} of ${rows.length} parameters (${listNames(badRhat.map((r) => r.name))}; worst ${worst.name} = ${worst.rhat.toFixed(3)}): the chains have not mixed; run longer or reparameterize, and do not trust these estimates yet.`,
    });
  }
  const lowEss = rows.filter((r) => r.essBulk < ESS_THRESHOLD || r.essTail < ESS_THRESHOLD);
  if (lowEss.length > 0) {
    const worst = Math.min(...lowEss.map((r) => Math.min(r.essBulk, r.essTail)));
    warnings.push({
      code: 'ess',
      names: lowEss.map((r) => r.name),
      message: `Bulk or tail ESS < ${ESS_THRESHOLD} for ${lowEss.length} of ${rows.length} parameters (${listNames(lowEss.map((r) => r.name))}; lowest ${Math.floor(worst)}): posterior means and intervals are unreliable; draw more iterations.`,
    });
  }
  return warnings;
}

function samplerWarnings(info: SamplerInfo | undefined): SummaryWarning[] {
  const warnings: SummaryWarning[] = [];
  if (info?.divergent) {
    const d = countDivergences(info.divergent);
    const n = info.divergent.reduce((s, c) => s + c.length, 0);
    if (d.total > 0) {
      warnings.push({ code: 'divergences', names: [], message: `${d.total} of ${n} transitions diverged (per chain: ${d.perChain.join(', ')}): the draws may be biased; raise the target acceptance (smaller steps) or reparameterize.` });
    }
  }
  if (info?.treedepth) {
    const cap = info.maxTreedepth ?? 10;
    const t = countTreedepthHits(info.treedepth, cap);
    if (t.total > 0) {
      warnings.push({ code: 'treedepth', names: [], message: `${t.total} transitions hit the maximum tree depth ${cap} (per chain: ${t.perChain.join(', ')}): sampling is inefficient, not invalid; raise the depth or improve the scaling.` });
    }
  }
  if (info?.energy) {
    const e = ebfmi(info.energy);
    const low = e.map((v, c) => [v, c] as const).filter(([v]) => v < EBFMI_THRESHOLD);
    if (low.length > 0) {
      warnings.push({ code: 'ebfmi', names: [], message: `E-BFMI < ${EBFMI_THRESHOLD} in chain${low.length > 1 ? 's' : ''} ${low.map(([v, c]) => `${c} (${v.toFixed(2)})`).join(', ')}: momentum resampling explores the energy poorly; reparameterize or adapt a better mass matrix.` });
    }
  }
  return warnings;
}

/** A number in about 4 significant digits, NA for NaN. */
function fmt(v: number): string {
  if (Number.isNaN(v)) return 'NA';
  if (!Number.isFinite(v)) return v > 0 ? 'Inf' : '-Inf';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
  return a >= 1e4 ? v.toFixed(0) : v.toPrecision(4);
}

/** Formats summary rows as a plain-text table with aligned columns (for terminals and logs). */
export function formatSummary(rows: readonly SummaryRow[]): string {
  const header = ['name', 'mean', 'sd', 'q5', 'q50', 'q95', 'mcse_mean', 'ess_bulk', 'ess_tail', 'rhat'];
  const body = rows.map((r) => [
    r.name, fmt(r.mean), fmt(r.sd), fmt(r.q5), fmt(r.q50), fmt(r.q95), fmt(r.mcseMean),
    Number.isNaN(r.essBulk) ? 'NA' : String(Math.floor(r.essBulk)),
    Number.isNaN(r.essTail) ? 'NA' : String(Math.floor(r.essTail)),
    Number.isNaN(r.rhat) ? 'NA' : r.rhat.toFixed(3),
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...body.map((b) => b[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  return [line(header), ...body.map(line)].join('\n');
}

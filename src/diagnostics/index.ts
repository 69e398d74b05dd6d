// Convergence and sampler diagnostics (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021).
export type { Chains } from './chains.js';
export { splitRhat, rankNormalizedRhat, rankNormalizedRhatParts } from './rhat.js';
export { essBulk, essTail, essMean, essQuantile } from './ess.js';
export { mcseMean, mcseSd, mcseQuantile } from './mcse.js';
export { ebfmi, countDivergences, countTreedepthHits, type Counts, type PerChain } from './sampler.js';
export {
  summarize, formatSummary, RHAT_THRESHOLD, ESS_THRESHOLD, EBFMI_THRESHOLD,
  type Summary, type SummaryRow, type SummaryWarning, type SamplerInfo,
} from './summary.js';
export { normalCdf, normalQuantile } from './special.js';
export { chainSummary, runWarnings, PREDICTIVE_ESS_THRESHOLD, type ChainSummary } from './chain-summary.js';

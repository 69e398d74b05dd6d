/**
 * What a user reads about a Markov chain method's run from its posterior's info: the convergence of
 * the traced predictive f(x*) (R̂, bulk ESS) and the divergences, as one line, with a warning for
 * each number past its usual threshold. `bdl fit` and `bdl compare` print it; the report shows it
 * beside the method's row. Pure (the report's page script bundles it).
 */
import { RHAT_THRESHOLD } from './summary.js';

/** Bulk ESS of the traced predictive below this is a warning (for the few quantities traced, not per parameter). */
export const PREDICTIVE_ESS_THRESHOLD = 100;

export interface ChainSummary {
  line: string;
  warnings: string[];
}

/** The summary when the info carries R̂ and bulk ESS of the traced predictive (and the divergences, where the sampler counts them). */
export function chainSummary(info: Record<string, unknown> | undefined): ChainSummary | undefined {
  const rhat = info?.rhatPredictive;
  const ess = info?.essPredictive;
  const div = info?.divergences;
  if (typeof rhat !== 'number' || typeof ess !== 'number') return undefined;
  const warnings: string[] = [];
  if (rhat > RHAT_THRESHOLD) warnings.push(`R̂ ${rhat.toFixed(3)} > ${RHAT_THRESHOLD} on the traced predictive: the chains disagree; run longer (--warmup, --draws) or more chains.`);
  if (ess < PREDICTIVE_ESS_THRESHOLD) warnings.push(`bulk ESS ${ess.toFixed(0)} < ${PREDICTIVE_ESS_THRESHOLD} on the traced predictive: too few effective draws; run longer.`);
  if (typeof div === 'number' && div > 0) warnings.push(`${div} divergent transitions: the draws may miss part of the posterior.`);
  const line = `R̂ (predictive, worst) ${rhat.toFixed(3)}, bulk ESS (worst) ${ess.toFixed(0)}${typeof div === 'number' ? `, ${div} divergences` : ''}`;
  return { line, warnings };
}

/** The sampler's own warnings (info.warnings, e.g. swag-subspace's) followed by the chain summary's. */
export function runWarnings(info: Record<string, unknown> | undefined): string[] {
  const own = Array.isArray(info?.warnings) ? info.warnings.map(String) : [];
  return [...own, ...(chainSummary(info)?.warnings ?? [])];
}

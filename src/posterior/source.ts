/**
 * What a method contributes to a network posterior: a source of weight vectors (or dropout masks)
 * to average the network over. The predictive, its aleatoric/epistemic split, the checks on inputs
 * and outputs, and the file format are written once, in NetworkPosterior, over any source.
 */
import { argError, describe } from '../errors.js';
import type { Standardizer } from '../data/standardize.js';
import type { Mlp } from '../model/mlp.js';
import type { MlpSpec } from '../model/spec.js';
import type { PosteriorSample } from './network.js';
import { formatError, stateNumber, type PosteriorParts } from './parts.js';
import type { InputSupport } from './support.js';
import type { PredictOptions } from './types.js';

export interface WeightSource {
  /** 'point' (MAP, SWA), 'members' (ensembles), 'gaussian' (SWAG, VI), 'draws' (MCMC, SG-MCMC, SVGD), 'masks' (dropout). */
  readonly kind: 'point' | 'members' | 'gaussian' | 'draws' | 'masks';
  /** How many network evaluations a prediction with these options averages over (checked: ≥ 1). */
  count(opts: PredictOptions): number;
  /**
   * Runs `use` with `sample(s)`, the s-th of `count` samples for a prediction at `seed`, and settles
   * with what it settles with. Scratch the samples need (moments in the engine's arena) is released
   * only once `use` has settled, so `use` may await between samples; a caller that lets anything else
   * await with the same arena meanwhile holds it through `holdArena` (arena-hold.ts).
   */
  withSamples<R>(mlp: Mlp, seed: number, count: number, use: (sample: (s: number) => PosteriorSample) => Promise<R>): Promise<R>;
  /** n weight vectors from the posterior, when it has weights to draw. */
  sampleWeights?(mlp: Mlp, n: number, seed: number): Float32Array[];
  /** Heteroscedastic members: where the training inputs are (the variance reverts off them). */
  readonly support?: InputSupport | undefined;
  /** What a file keeps of the source: small JSON state and named arrays (nothing else). */
  toParts(): Pick<PosteriorParts, 'state' | 'arrays'>;
  /** Facts worth reporting. */
  info(spec: MlpSpec, standardizer: Standardizer | undefined): Record<string, unknown>;
}

/** Rebuilds a source from a decoded file (the sizes are already checked against the spec). */
export type SourceDecoder = (parts: PosteriorParts, weights: number) => WeightSource;

/** Target units per standardized unit (first target): noise σ in target units is √σ² times this. */
export function targetScale(s: Standardizer | undefined): number {
  return s?.yStd?.[0] ?? 1;
}

/** A noise σ in target units as a variance in standardized units (the inverse of noiseStd). */
export function noiseVariance(sigma: number, s: Standardizer | undefined): number {
  return (sigma / targetScale(s)) ** 2;
}

/** A noise variance in standardized units as σ in target units. */
export function noiseStd(noiseVar: number, s: Standardizer | undefined): number {
  return Math.sqrt(noiseVar) * targetScale(s);
}

/** A posterior's `info` entry for its noise: σ in target units for a gaussian likelihood, nothing else (a classifier has no noise). */
export function noiseInfo(spec: MlpSpec, noiseVar: number, s: Standardizer | undefined): { noiseStd?: number } {
  return spec.likelihood === 'gaussian' ? { noiseStd: noiseStd(noiseVar, s) } : {};
}

/**
 * The most samples one prediction averages (MC dropout's most passes, sources/masks.ts): a caller's
 * `samples`, a method's option and a file's default alike, so that none asks for billions of network
 * evaluations (the CLI's --samples has the same bound, cli/limits.ts).
 */
export const MAX_SAMPLES = 0x7fff;

/** A file's default sample count (its state "samples"): an integer in 1…MAX_SAMPLES. */
export function stateSamples(p: PosteriorParts): number {
  const S = stateNumber(p, 'samples', 'integer');
  if (S > MAX_SAMPLES) throw formatError(`${p.method}: state "samples" is ${S}, more than the ${MAX_SAMPLES} a prediction may average`);
  return S;
}

/** A count of samples: an integer ≥ 1 (`samples: 0` would average over nothing). */
export function sampleCount(value: unknown, name: string, fallback: number): number {
  const v = value ?? fallback;
  if (!(Number.isInteger(v) && (v as number) >= 1)) throw argError('E_ARG', name, 'an integer ≥ 1', describe(value), `Omit it for ${fallback}.`);
  return v as number;
}

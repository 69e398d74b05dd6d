import type { SampleChainsResult } from '../../src/index.js';

export interface Fixture {
  posterior: string;
  model: string;
  source: string;
  data: Record<string, unknown>;
  reference: {
    names: string[]; mean: number[]; sd: number[]; mcseMean: number[]; mcseSd: number[]; essBulk: number[];
    /** [i, j, r, MCSE of r] */
    correlations: [number, number, number, number][];
  };
}
export interface PosteriordbTarget {
  dim: number;
  names?: string[];
  logDensity(q: Float64Array, g: Float64Array): number;
  constrain(q: Float64Array): number[];
}
export interface Comparison {
  rows: { name: string; mean: number; sd: number; refMean: number; refSd: number; zMean: number; zSd: number; rhat: number; ess: number }[];
  correlations: { pair: string; ours: number; ref: number; z: number }[];
  rhatMax: number; essMin: number; divergences: number; zMean: number; zSd: number; zCor: number;
  failures: string[];
}
export const LIMITS: { z: number; rhat: number; divergences: number };
export function constrainedChains(result: SampleChainsResult, target: PosteriordbTarget): Float64Array[][];
export function correlation(a: Float64Array[], b: Float64Array[]): { r: number; mcse: number };
export function compare(result: SampleChainsResult, target: PosteriordbTarget, fixture: Fixture): Comparison;

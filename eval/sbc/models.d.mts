import type { SamplerRng } from '../../src/samplers/index.js';

export interface SbcModel {
  name: string;
  quantities: string[];
  simulate(rng: SamplerRng, priorScale?: number): { truth: number[]; data: Record<string, unknown> };
  source(data: Record<string, unknown>): string;
  ranked(q: Float64Array): number[];
}
export const hierarchical: SbcModel;
export const logistic: SbcModel;
export const MODELS: Record<'hierarchical' | 'logistic', SbcModel>;

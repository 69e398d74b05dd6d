import type { Pool, SampleChainsOptions } from '../../src/index.js';
import type { SbcModel } from './models.mjs';

export interface SbcRun {
  model: string;
  kernel: 'nuts' | 'hmc';
  L: number;
  quantities: string[];
  /** Per quantity, one rank (0..L) per replicate. */
  ranks: number[][];
  replicates: { ess: number; divergences: number; seconds: number }[];
}
export function runSbc(model: SbcModel, opts: {
  kernel?: 'nuts' | 'hmc'; replicates: number; L?: number; seed?: number; priorScale?: number; pool?: Pool;
  sample?: Omit<SampleChainsOptions, 'seed' | 'pool' | 'kernel'>; onReplicate?: (r: number) => void;
}): Promise<SbcRun>;
export function histogram(ranks: number[], L: number, bins: number): number[];
export function chiSquare(counts: number[]): { x2: number; df: number; p: number };
export function gammaQ(a: number, x: number): number;

import type { Fixture } from './check.mjs';

export function fixture(short: string): Fixture;
export function linearModel(X: ArrayLike<number>[], y: ArrayLike<number>, betaPrior: ([number, number] | null)[], sigmaPrior: { cauchy: number } | { normal: number } | null): {
  dim: number;
  logDensity(q: Float64Array, g: Float64Array): number;
  constrain(q: Float64Array): number[];
};
export function ones(n: number): Float64Array;

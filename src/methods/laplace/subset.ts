/**
 * Which parameters get a Gaussian: all of them, the last layer (the default), or a subnetwork chosen
 * by largest |θ|, by largest diagonal-Laplace variance, or given by the user (Daxberger et al. 2021).
 */
import { argError, describe } from '../../errors.js';
import type { Layout } from '../../model/spec.js';
import type { Subset, SubsetKind } from './types.js';

/** The subset of whole layers `layers` (ascending). */
export function layerSubset(layout: Layout, kind: SubsetKind, layers: number[]): Subset {
  const idx: number[] = [];
  const grp: number[] = [];
  layers.forEach((l, g) => {
    const ly = layout.layers[l];
    const n = (ly.fanIn + 1) * ly.fanOut;
    for (let i = 0; i < n; i++) {
      idx.push(ly.w + i);
      grp.push(g);
    }
  });
  return { kind, layers, indices: Int32Array.from(idx), group: Int32Array.from(grp) };
}

/** A subset from arbitrary θ indices (deduplicated, sorted); groups follow the layers touched. */
export function indexSubset(layout: Layout, indices: ArrayLike<number>, kind: SubsetKind = 'subnetwork'): Subset {
  const P = layout.size;
  const sorted = Array.from(new Set(Array.from(indices))).sort((a, b) => a - b);
  if (sorted.length === 0) throw argError('E_ARG', 'subnetwork', 'at least one parameter index', 'none', 'Choose a size ≥ 1 or pass indices.');
  for (const i of sorted) if (!Number.isInteger(i) || i < 0 || i >= P) throw argError('E_ARG', 'subnetwork.indices', `integers in 0..${P - 1}`, describe(i), 'Index into the flat θ = [W0, b0, W1, b1, …].');
  const layerOf = (i: number) => layout.layers.findIndex((ly) => i >= ly.w && i < ly.b + ly.fanOut);
  const layers = Array.from(new Set(sorted.map(layerOf))).sort((a, b) => a - b);
  return { kind, layers, indices: Int32Array.from(sorted), group: Int32Array.from(sorted, (i) => layers.indexOf(layerOf(i))) };
}

/** Indices of the `size` largest scores (ties broken by index, so the choice is deterministic). */
export function topIndices(score: ArrayLike<number>, size: number): number[] {
  if (!Number.isInteger(size) || size < 1 || size > score.length) throw argError('E_ARG', 'subnetwork.size', `an integer in 1..${score.length}`, describe(size), 'E.g. a few hundred to a few thousand.');
  const order = Array.from(score, (_, i) => i).sort((a, b) => score[b] - score[a] || a - b);
  return order.slice(0, size);
}

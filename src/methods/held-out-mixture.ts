/**
 * The σ of a sampled predictive (SWAG's draws, MC dropout's masks, VI's draws) from held-out rows:
 * the common σ² that maximizes the held-out rows' mixture log-likelihood under the predictive's
 * samples (tune/noise-search.ts `bestNoiseVariance`), exactly what that predictive scores test rows
 * with. A residual σ would count the samples' own spread twice. On a small set the rows are K disjoint
 * blocks of the seeded permutation early stopping holds out (fit.ts `heldOutRows`, common.ts
 * `noiseBlocks`), each held out of its own fit, pooled.
 */
import { subset, type Dataset } from '../data/dataset.js';
import { heldOutRows, type EarlyStopping } from '../train/fit.js';
import { bestNoiseVariance, mixtureLogLikAtNoise } from './tune/noise-search.js';

/** One block of held-out rows: its targets (m) and the predictive's S sample means of them (S rows of m). */
export interface HeldOutBlock {
  means: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** The σ² (target units²) maximizing the pooled blocks' mixture log-likelihood, and that mean log-likelihood per row; undefined when the samples fit every row exactly. */
export function pooledMixtureNoise(blocks: readonly HeldOutBlock[]): { variance: number; logLik: number } | undefined {
  // The blocks side by side: S rows (one per sample) of all K·m held-out rows.
  const m = blocks[0].y.length;
  const N = blocks.length * m;
  const S = blocks[0].means.length / m;
  const means = new Float64Array(S * N);
  const y = new Float64Array(N);
  blocks.forEach((b, j) => {
    for (let i = 0; i < m; i++) y[j * m + i] = b.y[i];
    for (let d = 0; d < S; d++) for (let i = 0; i < m; i++) means[d * N + j * m + i] = b.means[d * m + i];
  });
  const variance = bestNoiseVariance(means, y);
  return variance === undefined ? undefined : { variance, logLik: mixtureLogLikAtNoise(means, y, variance) };
}

/**
 * Early stopping on K disjoint held-out blocks at once: the stop rule (`patience` epochs without a
 * lower loss) run on the blocks' mean held-out curve, each curve from a fit of the whole budget that
 * held out its block of the same seeded permutation (`EarlyStopping.fold`) and scored it after every
 * epoch (K-fold cross-validation of the length); returns the 1-based epoch it keeps (`from`: the first
 * scored epoch). The curves are summed in block order. Why: a sampled gradient (MC dropout's masks)
 * makes one block's curve wander, and its minimum on m rows falls wherever the noise dips (MC dropout
 * on UCI energy, 69 rows: kept epochs of 903–1,964 of 2,000 where `--tune` ran 2,230;
 * eval/DEFAULTS-notes.md, round 6).
 */
export function meanCurveEpoch(curves: readonly (readonly number[])[], patience: number, from = 1): number {
  const sum = Float64Array.from(curves[0]);
  for (let k = 1; k < curves.length; k++) curves[k].forEach((l, i) => (sum[i] += l));
  let best = 0;
  for (let i = 1; i < sum.length && i - best < patience; i++) if (sum[i] < sum[best]) best = i;
  return best + from;
}

/**
 * Block k of the held-out rows of a fit early-stopped with `es` under (seed, stream): the k-th
 * disjoint block of round(fraction·n) rows of the seeded permutation (fit.ts `heldOutRows`), as rows of
 * `train` (the caller's units).
 */
export function heldOutBlock(train: Dataset, es: EarlyStopping, seed: number, stream: number, k: number): Dataset {
  return subset(train, heldOutRows(train.n, es.fraction, seed, stream, k)!.validation);
}

/**
 * The σ of a sampled predictive (SWAG's draws, MC dropout's masks, VI's draws) from held-out rows:
 * the common σ² that maximizes the held-out rows' mixture log-likelihood under the predictive's
 * samples (tune/noise-search.ts `bestNoiseVariance`), exactly what that predictive scores test rows
 * with. A residual σ would count the samples' own spread twice. On a small set the rows are K disjoint
 * blocks of the seeded permutation early stopping holds out (fit.ts `heldOutRows`, common.ts
 * `noiseBlocks`), each held out of its own fit, pooled.
 */
import { subset, type Dataset } from '../data/dataset.js';
import type { Mlp } from '../model/mlp.js';
import type { RegressionPredictive } from '../posterior/types.js';
import { fit, heldOutRows, type FitOptions, type FitResult } from '../train/fit.js';
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
 * The K held-out blocks of a network method that stopped early: block 0 is `first`'s own (it stopped
 * at epoch E on those rows); block k ≥ 1 is held out of a fit of exactly E epochs (`EarlyStopping.fold`),
 * scored after its last epoch, so its rows do not choose E. `data`: the rows `fit` trains on (the
 * method's units); `train`: the same rows in target units, whose blocks `predict` is given.
 * `fresh`: the options that hold state (an objective with its noise estimate), new for every fit.
 */
export async function crossFittedBlocks(
  mlp: Mlp,
  data: Dataset,
  train: Dataset,
  fo: FitOptions,
  first: FitResult,
  K: number,
  fresh: () => Partial<FitOptions>,
  predict: (r: FitResult, x: Dataset) => Promise<RegressionPredictive>,
): Promise<HeldOutBlock[]> {
  const es = fo.earlyStopping!;
  const E = first.bestEpoch!;
  const blocks: HeldOutBlock[] = [];
  for (let k = 0; k < K; k++) {
    // Scoring fits: no progress of their own (the run's progress is its training and refit).
    const r = k === 0 ? first : await fit(mlp, data, { ...fo, ...fresh(), epochs: E, earlyStopping: { ...es, fold: k, patience: E }, onProgress: undefined });
    const v = subset(train, heldOutRows(train.n, es.fraction, fo.seed ?? 0, fo.stream ?? 0, k)!.validation);
    const p = await predict(r, v);
    blocks.push({ means: p.members?.mean ?? p.mean, y: v.y });
  }
  return blocks;
}

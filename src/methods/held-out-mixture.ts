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
 * Early stopping on K disjoint held-out blocks at once: `first` ran S epochs holding out block 0
 * (the whole budget: its own stop would cut the curve short); K − 1 fits of S epochs each hold out
 * another block of the same seeded permutation (`EarlyStopping.fold`) and score it after every epoch;
 * the stop rule (`patience` epochs without a lower loss) then runs on the blocks' mean held-out curve
 * and its best epoch is kept (K-fold cross-validation of the length). Why: a sampled gradient (MC
 * dropout's masks) makes one block's curve wander, and its minimum on m rows falls wherever the noise
 * dips (MC dropout on UCI energy, 69 rows: kept epochs of 903–1,964 of 2,000 where `--tune` ran 2,230;
 * eval/DEFAULTS-notes.md, round 6). `first`'s own best epoch when K = 1.
 */
export async function crossFittedEpoch(mlp: Mlp, data: Dataset, fo: FitOptions, first: FitResult, K: number, patience: number, fresh: () => Partial<FitOptions>): Promise<number | undefined> {
  const es = fo.earlyStopping!;
  if (K < 2 || first.bestEpoch === undefined || !first.validationCurve) return first.bestEpoch;
  const S = first.losses.length;
  const sum = Float64Array.from(first.validationCurve);
  for (let k = 1; k < K; k++) {
    // Scoring fits: no progress of their own (the run's progress is its training and refit).
    const r = await fit(mlp, data, { ...fo, ...fresh(), epochs: S, earlyStopping: { ...es, fold: k, patience: S }, onProgress: undefined });
    r.validationCurve!.forEach((l, i) => (sum[i] += l));
  }
  let best = 0;
  for (let i = 1; i < sum.length && i - best < patience; i++) if (sum[i] < sum[best]) best = i;
  return best + (es.from ?? 1);
}

/**
 * The K held-out blocks of a network method that stopped early, each held out of a fit of E epochs:
 * block 0 is `first`'s own when E is the epoch it kept (it stopped there on those rows); every other
 * block is held out of a fit of exactly E epochs (`EarlyStopping.fold`), scored after its last epoch,
 * so its rows do not choose E. `data`: the rows `fit` trains on (the method's units); `train`: the same
 * rows in target units, whose blocks `predict` is given. `fresh`: the options that hold state (an
 * objective with its noise estimate), new for every fit.
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
  E = first.bestEpoch!,
): Promise<HeldOutBlock[]> {
  const es = fo.earlyStopping!;
  const blocks: HeldOutBlock[] = [];
  for (let k = 0; k < K; k++) {
    // Scoring fits: no progress of their own (the run's progress is its training and refit).
    const r = k === 0 && E === first.bestEpoch ? first : await fit(mlp, data, { ...fo, ...fresh(), epochs: E, earlyStopping: { ...es, fold: k, patience: E }, onProgress: undefined });
    const v = subset(train, heldOutRows(train.n, es.fraction, fo.seed ?? 0, fo.stream ?? 0, k)!.validation);
    const p = await predict(r, v);
    blocks.push({ means: p.members?.mean ?? p.mean, y: v.y });
  }
  return blocks;
}

/**
 * MC dropout (Gal & Ghahramani 2016): train with dropout, keep it on at test time and average T
 * stochastic passes (default 30). Rates per weight layer (`spec.dropout` semantics: a number applies
 * to the hidden layers' outputs; an array gives one rate per weight layer, index 0 = the inputs);
 * `inputDropout: true` also drops the inputs, as in the UCI setup of Gal's paper.
 *
 * Training masks come from the loop (key (seed, 0), counter = step); test masks (posterior/sources/
 * masks.ts) use a counter range the training steps never reach.
 */
import type { Dataset } from '../../data/dataset.js';
import { argError } from '../../errors.js';
import { taskOf, type TaskKind } from '../../model/spec.js';
import { NetworkPosterior } from '../../posterior/network-posterior.js';
import { MaskSource } from '../../posterior/sources/masks.js';
import type { TaskOf } from '../../posterior/types.js';
import { fit } from '../../train/fit.js';
import { adam, compose, weightDecay } from '../../train/optimizers.js';
import { engineFor, fitOptionsOf, specFor, withPatience, METHOD_OPTIONS, SAMPLED_PATIENCE } from '../common.js';
import { residualVariance } from '../map.js';
import { betaNllOf, heldOutNoiseVar, noiseFor, noiseObjective, predictiveNoiseVar, standardized, BETA_NLL, NOISE, PREDICTIVE_NOISE } from '../noise.js';
import { bool, int, list, num, union, type Infer } from '../../options/schema.js';
import { checkMemory, estimateNetwork } from '../memory.js';

export { TEST_COUNTER, type LearnedRates } from '../../posterior/sources/masks.js';

/** Test-time passes a posterior can make: each takes a stride of 2^16 mask counters above TEST_COUNTER (posterior/sources/masks.ts). */
const MAX_PASSES = 0x7fff;

export const MC_DROPOUT_OPTIONS = METHOD_OPTIONS.extend('trainMcDropout', {
  ...NOISE,
  ...PREDICTIVE_NOISE,
  ...BETA_NLL,
  /** A number for every hidden layer's output, or one rate per weight layer (index 0 = the inputs). */
  dropout: union(num({ gt: 0, lt: 1, help: '' }), list(num({ min: 0, lt: 1, help: '' }), { minItems: 1, help: '' }), { default: 0.05, help: 'drop rate of every hidden layer (or one per weight layer, from the API)' }),
  inputDropout: bool({ default: false, help: "drop the inputs too, at the same rate (Gal & Ghahramani's UCI networks); only with one rate" }),
  samples: int({ min: 1, max: MAX_PASSES, default: 30, help: 'stochastic passes at test time' }),
});
export type McDropoutOptions = Infer<typeof MC_DROPOUT_OPTIONS>;

/** The per-layer rates the options ask for (index 0 = the inputs). */
export function dropoutRates(nLayers: number, o: McDropoutOptions): number | number[] {
  const d = o.dropout ?? 0.05;
  if (Array.isArray(d)) {
    if (o.inputDropout) throw argError('E_ARG', 'inputDropout', 'a single dropout rate to extend to the inputs', 'a per-layer array', 'Put the input rate at index 0 of the array instead.');
    return [...d];
  }
  return o.inputDropout ? new Array(nLayers).fill(d) : d;
}

/** Trains a network with dropout and returns its MC-dropout posterior. */
export async function trainMcDropout<O extends McDropoutOptions>(train: Dataset, opts: O = {} as O): Promise<McDropoutPosterior<TaskOf<O>>> {
  MC_DROPOUT_OPTIONS.check(opts);
  checkMemory(estimateNetwork('mc-dropout', train, opts), opts.memoryBudget);
  const hidden = opts.hidden ?? [50];
  const spec = specFor(train, opts, { dropout: dropoutRates(hidden.length + 1, opts) });
  const samples = MC_DROPOUT_OPTIONS.value(opts, 'samples');
  const betaNll = betaNllOf(spec.likelihood, opts.betaNll);
  const { data, standardizer } = standardized(train, taskOf(spec) === 'regression');
  const noise = noiseFor(spec.likelihood, opts.noise, standardizer);
  const mlp = await engineFor(spec);
  const fo = withPatience(fitOptionsOf(opts, 0, data.n, true, standardizer), SAMPLED_PATIENCE);
  const r = await fit(mlp, data, {
    ...fo,
    standardize: false,
    objective: noiseObjective(mlp, noise, true, { betaNll }),
    optimizer: compose(weightDecay(fo.priorPrecision! / data.n), adam()),
  });
  noise?.update();
  // The floor is the training rows' residual of the same deterministic pass the held-out rows were
  // scored with (no masks): EM's estimate under masks also holds the dropout spread, which the
  // predictive adds again.
  const held = noise && !noise.fixed ? heldOutNoiseVar(r.validationLoss, spec.outputs, residualVariance(mlp, r.params, data)) : undefined;
  const source = new MaskSource(r.params, predictiveNoiseVar(spec.likelihood, opts.predictiveNoise, standardizer, held ?? noise?.variance ?? 1), samples);
  return new NetworkPosterior<MaskSource, TaskOf<O>>('mc-dropout', spec, standardizer, source, mlp);
}

/** MC dropout (or Concrete dropout at its learned rates): the network averaged over test-time masks. */
export type McDropoutPosterior<T extends TaskKind = TaskKind> = NetworkPosterior<MaskSource, T>;

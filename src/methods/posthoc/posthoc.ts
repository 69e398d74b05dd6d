/**
 * Post-hoc posteriors on a network trained elsewhere (an ImportedNetwork): Laplace at the imported
 * weights (any subset × structure of laplaceAt, prior precision by marginal likelihood on the user's
 * data, one scalar or one per layer; GLM or MC predictive) or MC dropout with the network's own rates.
 *
 * The network is used as its author trained it: no scaling of inputs or outputs, unless
 * `standardize` says it was trained on standardized data (then the training data's statistics are
 * applied on the way in and undone on the way out).
 */
import type { Dataset } from '../../data/dataset.js';
import { applyStandardizer, fitStandardizer, type Standardizer } from '../../data/standardize.js';
import { argError, BdlError, describe, isThenable } from '../../errors.js';
import type { ImportedNetwork } from '../../import/layers.js';
import type { Mlp } from '../../model/mlp.js';
import { taskOf } from '../../model/spec.js';
import { NetworkPosterior } from '../../posterior/network-posterior.js';
import { MAX_SAMPLES, noiseVariance } from '../../posterior/source.js';
import { MaskSource } from '../../posterior/sources/masks.js';
import type { Posterior } from '../../posterior/types.js';
import { checkRun, engineFor, METHOD_OPTIONS } from '../common.js';
import { LAPLACE_OPTIONS, laplaceAt, type LaplaceFitOptions, type LaplacePosterior } from '../laplace/index.js';
import { custom, enumOf, fieldError, int, num, schema, union, type Infer } from '../../options/schema.js';
import { NOISE_MAX } from '../noise.js';

const L = LAPLACE_OPTIONS.fields;
const isStandardize = (v: unknown): boolean => typeof v === 'boolean' || (v !== null && typeof v === 'object' && !Array.isArray(v));

/** posthoc's options, checked before any work; Laplace's fields are LAPLACE_OPTIONS's own. */
export const POSTHOC_OPTIONS = schema('posthoc', {
  method: enumOf(['auto', 'laplace', 'mc-dropout'], { default: 'auto', help: "'auto': dropout in the network → MC dropout, else last-layer Laplace" }),
  hessian: L.hessian,
  subset: L.subset,
  subnetwork: L.subnetwork,
  curvature: L.curvature,
  perLayer: L.perLayer,
  predictive: L.predictive,
  link: L.link,
  budget: L.budget,
  // 'grid' needs a validation split of data the network may have been trained on: not offered post hoc.
  priorPrecisionMode: union(enumOf(['marglik'], { help: '' }), num({ gt: 0, help: '' }), {
    default: 'marglik', flag: 'prior-precision', help: "the prior precision: 'marglik' (maximize the Laplace evidence on the training data) or a fixed number",
  }),
  noise: num({ gt: 0, max: NOISE_MAX, defaultText: 'the Laplace evidence, or the residuals for MC dropout', hint: 'Omit it to estimate σ from the data.', help: 'gaussian observation σ in target units' }),
  samples: int({ min: 1, max: MAX_SAMPLES, default: 30, help: 'MC dropout: stochastic passes per prediction' }),
  // Laplace's pass over the data is the long part post hoc: it reports rows and can be cancelled.
  signal: METHOD_OPTIONS.fields.signal,
  onProgress: METHOD_OPTIONS.fields.onProgress,
  standardize: custom<boolean | Standardizer>({
    expected: 'true, false, or a Standardizer', valid: isStandardize, default: false,
    help: "the network was trained on standardized data: true uses `train`'s column statistics (targets too for regression), or pass its author's Standardizer",
  }),
});
export type PosthocOptions = Infer<typeof POSTHOC_OPTIONS>;
export type PosthocMethod = NonNullable<PosthocOptions['method']>;

/** Which method 'auto' picks for a network, and why (the seed's decision tree). */
export function posthocBranch(net: ImportedNetwork, method: PosthocMethod = 'auto'): { method: 'laplace' | 'mc-dropout'; reason: string } {
  const rates = dropoutOf(net);
  if (method === 'laplace') return { method, reason: 'asked for (--method laplace): last-layer Laplace with the linearized predictive unless subset/hessian say otherwise' };
  if (method === 'mc-dropout') {
    if (rates.every((r) => r === 0)) throw new BdlError('E_ARG', `method: 'mc-dropout' needs dropout layers; this ${net.format} network has none. Use 'laplace' (or 'auto').`, 'method');
    return { method, reason: `asked for; dropout rates ${fmtRates(rates)} as imported` };
  }
  if (method !== 'auto') throw fieldError('posthocBranch: method', POSTHOC_OPTIONS.fields.method, describe(method), 'method');
  return rates.some((r) => r > 0)
    ? { method: 'mc-dropout', reason: `trained model with dropout (rates ${fmtRates(rates)}): MC dropout keeps those layers on at prediction time at no extra training` }
    : { method: 'laplace', reason: 'trained model without dropout: last-layer Laplace around the imported weights (post hoc, no retraining)' };
}

/** A posterior over an imported network, fitted on the user's training data (see the module comment). */
export async function posthoc(net: ImportedNetwork, train: Dataset, opts: PosthocOptions = {}): Promise<Posterior> {
  const n = net as Partial<ImportedNetwork> | null;
  if (isThenable(net) || n === null || typeof n !== 'object' || !(n.theta instanceof Float32Array) || n.spec === null || typeof n.spec !== 'object') {
    throw argError('E_ARG', 'net', 'an ImportedNetwork { spec, theta, output, format }', describe(net), 'Pass what importModel, fetchModel or importModelFile resolves to.');
  }
  opts = checkRun(POSTHOC_OPTIONS, train, opts);
  const spec = net.spec;
  checkData(net, train);
  const branch = posthocBranch(net, opts.method);
  const regression = taskOf(spec) === 'regression';
  const std = standardizerOf(opts.standardize, train, regression);
  const data = std ? applyStandardizer(std, train) : train;
  const mlp = await engineFor(spec);

  if (branch.method === 'mc-dropout') {
    const samples = POSTHOC_OPTIONS.value(opts, 'samples');
    let noiseVar = 1;
    if (spec.likelihood === 'gaussian') noiseVar = opts.noise !== undefined ? noiseVariance(opts.noise, std) : await residualNoise(mlp, net, data, samples);
    return new NetworkPosterior('mc-dropout', spec, std, new MaskSource(net.theta, noiseVar, samples), mlp);
  }
  const lo: LaplaceFitOptions = {
    hessian: opts.hessian,
    subset: opts.subset,
    subnetwork: opts.subnetwork,
    curvature: opts.curvature,
    perLayer: opts.perLayer,
    predictive: opts.predictive,
    link: opts.link,
    budget: opts.budget,
    priorPrecisionMode: opts.priorPrecisionMode ?? 'marglik',
    noiseVar: opts.noise !== undefined ? noiseVariance(opts.noise, std) : undefined,
    standardizer: std,
    signal: opts.signal,
    onProgress: opts.onProgress,
  };
  return (await laplaceAt(mlp, net.theta, data, lo)) as LaplacePosterior;
}

function checkData(net: ImportedNetwork, d: Dataset): void {
  const s = net.spec;
  if (!d || !(d.x instanceof Float32Array)) throw argError('E_ARG', 'train', 'a Dataset (makeDataset or parseDataset)', describe(d), 'Build one with makeDataset(x, y).');
  // Several independent sigmoids (multi-label) fit no predictive here: a bernoulli network gives one
  // probability. Refused now, not after a Laplace fit whose predictive would refuse it (or misread it).
  if (s.likelihood === 'bernoulli' && s.outputs !== 1) throw argError('E_ARG', 'net.spec.outputs', '1 output for a bernoulli (binary) network', `${s.outputs} (independent sigmoids: a multi-label network)`, 'Import a network with one sigmoid output, or a softmax classifier (one class per row).');
  if (d.inputs !== s.inputs) throw argError('E_SHAPE', 'train.inputs', `${s.inputs} columns (the imported network's input width)`, String(d.inputs), 'Pass the features the network was trained on, flattened row-major.');
  const targets = s.likelihood === 'categorical' ? 1 : s.outputs;
  if (d.targets !== targets) throw argError('E_SHAPE', 'train.targets', `${targets} target column(s) for a ${s.likelihood} network with ${s.outputs} output(s)`, String(d.targets), s.likelihood === 'categorical' ? 'Give one class index per row.' : 'Give one target per network output.');
  if (s.likelihood === 'categorical' || s.likelihood === 'bernoulli') {
    const K = s.likelihood === 'categorical' ? s.outputs : 2;
    for (let i = 0; i < d.y.length; i++) {
      const c = d.y[i];
      if (!Number.isInteger(c) || c < 0 || c >= K) throw argError('E_ARG', `train.y[${i}]`, `a class index in 0..${K - 1}`, describe(c), 'Encode classes as 0…K−1 in the order of the network outputs.');
    }
  }
}

function standardizerOf(s: PosthocOptions['standardize'], train: Dataset, regression: boolean): Standardizer | undefined {
  if (s === undefined || s === false) return undefined;
  if (s === true) return fitStandardizer(train, regression);
  if (typeof s === 'object' && s.xMean instanceof Float64Array && s.xMean.length === train.inputs) return s;
  throw argError('E_ARG', 'standardize', `true, false, or a Standardizer with ${train.inputs} input columns`, describe(s), 'Pass true to use the training data\'s statistics.');
}

/**
 * MC dropout's noise variance (network units) from the training data: the mean squared residual of
 * the MC-averaged mean less the mean epistemic variance the passes already spread, floored at a tenth
 * of the residual so the predictive never claims the training data are noiseless.
 */
async function residualNoise(mlp: Mlp, net: ImportedNetwork, data: Dataset, samples: number): Promise<number> {
  const probe = new NetworkPosterior('mc-dropout', net.spec, undefined, new MaskSource(net.theta, 0, samples), mlp);
  const p = await probe.predict(data.x);
  if (p.kind !== 'regression') return 1;
  let rss = 0;
  let epi = 0;
  for (let i = 0; i < p.mean.length; i++) {
    rss += (data.y[i] - p.mean[i]) ** 2;
    epi += p.epistemic[i];
  }
  const mse = rss / p.mean.length;
  return Math.max(mse - epi / p.mean.length, 0.1 * mse, 1e-12);
}

function dropoutOf(net: ImportedNetwork): number[] {
  const d = net.spec.dropout;
  const L = net.spec.hidden.length + 1;
  if (d === undefined) return new Array(L).fill(0);
  return Array.isArray(d) ? d : Array.from({ length: L }, (_, i) => (i === 0 ? 0 : d));
}

function fmtRates(r: number[]): string {
  return `[${r.map((v) => +v.toFixed(4)).join(', ')}]`;
}

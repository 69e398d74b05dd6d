/**
 * MAP: one network trained to the mode of the posterior (NLL + Gaussian prior). The deterministic
 * baseline: its predictive has aleatoric noise only (epistemic = 0). For the homoscedastic Gaussian
 * likelihood the noise variance is fitted at the mode (the mean squared training residual) unless given.
 */
import type { Dataset } from '../data/dataset.js';
import { applyStandardizer, type Standardizer } from '../data/standardize.js';
import type { Mlp } from '../model/mlp.js';
import type { MlpSpec } from '../model/spec.js';
import { mixturePredictive } from '../posterior/network.js';
import { encodePosterior, registerPosteriorFormat } from '../posterior/serialize.js';
import type { Posterior, PredictOptions, Predictive } from '../posterior/types.js';
import { fit } from '../train/fit.js';
import { engineFor, fitOptionsOf, specFor, type MethodOptions } from './common.js';
import { predictiveNoiseVar, type PredictiveNoiseOption } from './noise.js';
import { checkMemory, estimateNetwork } from './memory.js';

export interface MapOptions extends MethodOptions, PredictiveNoiseOption {
  /** Observation noise σ in target units for a gaussian likelihood; default: fitted at the mode. */
  noise?: number;
}

export async function trainMap(train: Dataset, opts: MapOptions = {}): Promise<Posterior> {
  checkMemory(estimateNetwork('map', train, opts), opts.memoryBudget);
  const spec = specFor(train, opts);
  const mlp = await engineFor(spec);
  const r = await fit(mlp, train, fitOptionsOf(opts, 0, train.n));
  let noiseVar = 1;
  if (spec.likelihood === 'gaussian') {
    const ys = r.standardizer?.yStd?.[0] ?? 1;
    noiseVar = opts.noise !== undefined ? (opts.noise / ys) ** 2 : residualVariance(mlp, r.params, applyStandardizer(r.standardizer!, train));
  }
  return new MapPosterior(spec, r.params, r.standardizer, predictiveNoiseVar(spec.likelihood, opts.predictiveNoise, r.standardizer, noiseVar), mlp);
}

/** Mean squared residual of the network on (standardized) data: the MLE of σ² at θ. */
export function residualVariance(mlp: Mlp, theta: Float32Array, data: Dataset): number {
  const f = mlp.forward(theta, data.x);
  let s = 0;
  for (let i = 0; i < data.y.length; i++) s += (f[i] - data.y[i]) ** 2;
  return Math.max(s / data.y.length, 1e-8);
}

export class MapPosterior implements Posterior {
  readonly method = 'map';
  constructor(
    readonly spec: MlpSpec,
    readonly theta: Float32Array,
    readonly standardizer: Standardizer | undefined,
    /** Noise variance in standardized units. */
    readonly noiseVar: number,
    private mlp?: Mlp,
  ) {}

  get info(): Record<string, unknown> {
    return { noiseStd: Math.sqrt(this.noiseVar) * (this.standardizer?.yStd?.[0] ?? 1) };
  }

  async predict(x: Float32Array, opts: PredictOptions = {}): Promise<Predictive> {
    this.mlp ??= await engineFor(this.spec);
    return mixturePredictive(this.mlp, this.standardizer, x, 1, () => ({ theta: this.theta }), { noiseVar: this.noiseVar, signal: opts.signal });
  }

  async sampleWeights(n: number): Promise<Float32Array[]> {
    return Array.from({ length: n }, () => this.theta.slice());
  }

  toBytes(): Uint8Array {
    return encodePosterior({ method: this.method, spec: this.spec, standardizer: this.standardizer, state: { noiseVar: this.noiseVar }, arrays: { theta: this.theta } });
  }
}

registerPosteriorFormat('map', async (p) => new MapPosterior(p.spec, p.arrays.theta as Float32Array, p.standardizer, p.state!.noiseVar as number));

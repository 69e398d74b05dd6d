/**
 * Ensemble members: M weight vectors, each with its own noise variance (homoscedastic members) or
 * its own variance head (heteroscedastic members, whose variance reverts off the training inputs:
 * support.ts). The predictive is their uniform mixture; `samples` and `seed` are not used.
 */
import type { Standardizer } from '../../data/standardize.js';
import type { MlpSpec } from '../../model/spec.js';
import { f32, f64, formatError, stateNumber } from '../parts.js';
import type { PosteriorParts } from '../parts.js';
import { targetScale, type WeightSource } from '../source.js';
import type { InputSupport } from '../support.js';

/** Heteroscedastic members off the data: where the training inputs are, and each member's level (M × outputs). */
export interface OffData {
  support: InputSupport;
  levels: Float64Array;
}

export class MembersSource implements WeightSource {
  readonly kind = 'members';
  constructor(
    readonly members: Float32Array[],
    /** Per-member noise variance, standardized units (unused for non-gaussian likelihoods). */
    readonly noiseVars: Float64Array,
    /** Heteroscedastic members: variance added to each member's predicted one (standardized units). */
    readonly varianceFloor = 0,
    readonly offData?: OffData,
  ) {}

  get support(): InputSupport | undefined {
    return this.offData?.support;
  }

  count(): number {
    return this.members.length;
  }

  withSamples<R>(mlp: { spec: MlpSpec }, _seed: number, _count: number, use: (sample: (s: number) => { theta: Float32Array }) => Promise<R>): Promise<R> {
    const T = mlp.spec.outputs;
    const level = this.offData?.levels;
    return use((s) => ({ theta: this.members[s], noiseVar: this.noiseVars[s], varianceFloor: this.varianceFloor, offDataVariance: level?.subarray(s * T, (s + 1) * T) }));
  }

  /** The members' weights, cycled when n exceeds M. */
  sampleWeights(_mlp: unknown, n: number): Float32Array[] {
    return Array.from({ length: n }, (_, i) => this.members[i % this.members.length].slice());
  }

  toParts() {
    const arrays: Record<string, Float32Array | Float64Array> = { noiseVars: this.noiseVars, varianceFloor: Float64Array.of(this.varianceFloor) };
    this.members.forEach((t, m) => (arrays[`theta${m}`] = t));
    const o = this.offData;
    if (o) Object.assign(arrays, { supportRows: o.support.rows, offDataLevels: o.levels, supportRange: Float64Array.of(o.support.near, o.support.far) });
    return { state: { members: this.members.length }, arrays };
  }

  info(spec: MlpSpec, s: Standardizer | undefined): Record<string, unknown> {
    const ys = targetScale(s);
    return { members: this.members.length, noiseStd: spec.likelihood === 'gaussian' ? Array.from(this.noiseVars, (v) => Math.sqrt(v) * ys) : undefined };
  }

  static fromParts(p: PosteriorParts, weights: number): MembersSource {
    const M = stateNumber(p, 'members', 'integer');
    // Each member is an array of the file: a count beyond its arrays is the file's fault, not a length to allocate.
    if (M > Object.keys(p.arrays).length) throw formatError(`ensemble: state "members" is ${M}, more than the file's ${Object.keys(p.arrays).length} arrays`);
    const members = Array.from({ length: M }, (_, m) => f32(p, `theta${m}`, weights));
    const noiseVars = f64(p, 'noiseVars', M, 'nonnegative');
    // Both arrays are optional in the format, so that every ensemble file ever written restores: absent, no floor and no off-data reversion.
    const floor = 'varianceFloor' in p.arrays ? f64(p, 'varianceFloor', 1, 'nonnegative')[0] : 0;
    let offData: OffData | undefined;
    if ('supportRows' in p.arrays) {
      const rows = f32(p, 'supportRows');
      const range = f64(p, 'supportRange', 2, 'nonnegative');
      if (rows.length === 0 || rows.length % p.spec.inputs !== 0) throw formatError(`ensemble: array "supportRows" is not whole rows of ${p.spec.inputs} inputs`);
      offData = { support: { rows, inputs: p.spec.inputs, near: range[0], far: range[1] }, levels: f64(p, 'offDataLevels', M * p.spec.outputs, 'nonnegative') };
    }
    return new MembersSource(members, noiseVars, floor, offData);
  }
}

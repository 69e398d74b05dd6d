/**
 * Adapts a counter-keyed uniform source into the samplers' generator: uniforms pass through, and
 * normals come from Box–Muller pairs so that they depend on nothing but the uniforms: log, cos and sin
 * are the engine-independent ones (random/exact-math.ts), so the normals are the same bits in every engine.
 */
import { Rng } from '../random/index.js';
import { cos, log, sin } from '../random/exact-math.js';
import type { RngFactory, SamplerRng } from './types.js';

/** Returns the uniform stream in (0, 1) of one counter of one chain (e.g. a Philox stream). */
export type UniformSource = (seed: number, chain: number, counter: number) => () => number;

const TWO_PI = 2 * Math.PI;

class BoxMuller implements SamplerRng {
  constructor(readonly uniform: () => number) {}

  normal(out: Float64Array): void {
    const n = out.length;
    for (let i = 0; i < n; i += 2) {
      const r = Math.sqrt(-2 * log(this.uniform()));
      const t = TWO_PI * this.uniform();
      out[i] = r * cos(t);
      // An odd length drops the last sine so every call draws whole pairs.
      if (i + 1 < n) out[i + 1] = r * sin(t);
    }
  }
}

/**
 * A sampler RNG factory over `source`, which must return uniforms strictly inside (0, 1) (log 0 would
 * give an infinite normal).
 */
export function rngFactoryFromUniforms(source: UniformSource): RngFactory {
  return (seed, chain, counter) => new BoxMuller(source(seed, chain, counter));
}

/** Counter word that keeps the samplers' Philox streams apart from the network's (init, dropout). */
const SAMPLER_TAG = 1;

/** The generators of one chain by counter; the one returned is valid until the next call. */
export type ChainStreams = (counter: number) => SamplerRng;

/**
 * The library's generator for one chain: Philox key (seed, chain), counter words (counter,
 * SAMPLER_TAG, 0). One generator is moved to each counter in turn, so a chain's inner loop allocates
 * no generator.
 */
export function philoxStreams(seed: number, chain: number): ChainStreams {
  const r = new Rng(seed, chain, [0, SAMPLER_TAG, 0]);
  const rng = new BoxMuller(() => r.uniform());
  return (counter) => {
    r.seek(counter, SAMPLER_TAG, 0);
    return rng;
  };
}

/** The library's generator as a factory: a fresh generator per call (philoxStreams's draws). */
export const philoxRng: RngFactory = (seed, chain, counter) => philoxStreams(seed, chain)(counter);

/** The streams of one chain under `factory`: philoxStreams for the library's generator, else one factory call per counter. */
export function chainStreams(factory: RngFactory, seed: number, chain: number): ChainStreams {
  return factory === philoxRng ? philoxStreams(seed, chain) : (counter) => factory(seed, chain, counter);
}

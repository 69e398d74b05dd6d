import { describe, expect, it } from 'vitest';
import { chainStreams, philoxRng, philoxStreams } from '../../src/samplers/rng.js';
import type { SamplerRng } from '../../src/samplers/types.js';

const draws = (r: SamplerRng) => {
  const n = new Float64Array(5);
  r.normal(n);
  return [r.uniform(), ...n, r.uniform()];
};

describe('the samplers’ generator', () => {
  it('philoxStreams moves one generator to each counter, with the draws of a fresh philoxRng there', () => {
    const at = philoxStreams(12, 3);
    const first = at(1);
    for (const counter of [1, 2, 1000, 0]) {
      const g = at(counter);
      expect(g).toBe(first); // one object, moved
      expect(draws(g)).toEqual(draws(philoxRng(12, 3, counter)));
    }
  });

  it('chainStreams calls a user factory once per counter and keeps its generators', () => {
    const calls: number[] = [];
    const factory = (seed: number, chain: number, counter: number): SamplerRng => {
      calls.push(counter);
      return philoxRng(seed, chain, counter);
    };
    const at = chainStreams(factory, 4, 1);
    const a = at(1);
    const b = at(2);
    expect(a).not.toBe(b);
    expect(calls).toEqual([1, 2]);
    expect(draws(a)).toEqual(draws(philoxRng(4, 1, 1)));
  });
});

// Concurrent predicts on one posterior (arena-hold.ts): SWAG and mean-field sources keep their
// moments in the engine's arena while the prediction yields, so overlapping calls are queued per
// arena. Started together they give exactly what they give one after the other, and a queued call
// whose signal is aborted leaves at once without disturbing the one that is running.
import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { Mlp } from '../../src/model/mlp.js';
import type { MlpSpec } from '../../src/model/spec.js';
import { NetworkPosterior } from '../../src/posterior/network-posterior.js';
import { MeanFieldSource } from '../../src/posterior/sources/mean-field.js';
import { SwagSource } from '../../src/posterior/sources/swag.js';
import type { ClassificationPredictive, Posterior } from '../../src/posterior/types.js';
import { Rng } from '../../src/random/index.js';

const spec: MlpSpec = { inputs: 100, hidden: [64], outputs: 10, activation: 'relu', likelihood: 'categorical' };

async function posteriors(): Promise<Record<string, NetworkPosterior>> {
  const mlp = await Mlp.create(spec);
  const P = mlp.size;
  const r = new Rng(1);
  const rank = 5;
  const member = (seed: number) => ({ mean: mlp.init(seed), sigma: new Float32Array(P).fill(0.01), dev: Float32Array.from({ length: rank * P }, () => 0.01 * r.normal()), rank, count: 20, noiseVar: 1 });
  const mu = mlp.init(3);
  const rho = new Float32Array(P).fill(-4);
  return {
    // MultiSWAG's two members: draws alternate between them.
    swag: new NetworkPosterior('multiswag', spec, undefined, new SwagSource([member(1), member(2)], { scale: 0.5, samples: 10, diagonal: false }), mlp),
    // Its own engine, created on first use by both calls at once.
    vi: new NetworkPosterior('vi', spec, undefined, new MeanFieldSource(mu, rho, 1, 20)),
  };
}

function rows(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n * spec.inputs }, () => r.normal());
}

const probsOf = async (p: Promise<unknown>) => ((await p) as ClassificationPredictive).probs;

/** Bit-for-bit equality of two arrays, as the first index where they differ (−1: none), which fails fast where a deep diff of 30,000 numbers would not. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('concurrent predicts on one posterior', () => {
  for (const name of ['swag', 'vi']) {
    it(`${name}: Promise.all of two predicts equals the two run one after the other, bit for bit`, async () => {
      const post: Posterior = (await posteriors())[name];
      const a = rows(3000, 4);
      const b = rows(2000, 5);
      // Long enough (hundreds of ms each) that both yield many times.
      const [pa, pb] = await Promise.all([probsOf(post.predict(a, { seed: 1 })), probsOf(post.predict(b, { seed: 2 }))]);
      const sa = await probsOf(post.predict(a, { seed: 1 }));
      const sb = await probsOf(post.predict(b, { seed: 2 }));
      expect(firstDifference(pa, sa)).toBe(-1);
      expect(firstDifference(pb, sb)).toBe(-1);
      // And against a fresh posterior (a fresh arena) that never ran anything concurrently.
      expect(firstDifference(await probsOf((await posteriors())[name].predict(b, { seed: 2 })), sb)).toBe(-1);
    });
  }

  it('two posteriors sharing one engine: overlapping predicts (one starting as another ends) equal sequential ones', async () => {
    // Mean-field keeps 4 weight vectors in the arena during a predict, MultiSWAG 14: had the first
    // call to end reset the stack under the second, the third would write over the second's moments.
    const mlp = await Mlp.create(spec);
    const { swag } = await posteriors();
    const vi = new NetworkPosterior('vi', spec, undefined, (await posteriors()).vi.source, mlp);
    const shared = new NetworkPosterior('multiswag', spec, undefined, swag.source, mlp);
    const a = rows(3000, 7);
    const b = rows(8000, 8);
    const c = rows(500, 9);
    // The first yields while the second starts on top of it, ends first, and the third starts then.
    const first = vi.predict(a, { seed: 1 });
    const second = shared.predict(b, { seed: 2 });
    const third = first.then(() => shared.predict(c, { seed: 3 }));
    const [pa, pb, pc] = await Promise.all([probsOf(first), probsOf(second), probsOf(third)]);
    expect(firstDifference(pa, await probsOf(vi.predict(a, { seed: 1 })))).toBe(-1);
    expect(firstDifference(pb, await probsOf(shared.predict(b, { seed: 2 })))).toBe(-1);
    expect(firstDifference(pc, await probsOf(shared.predict(c, { seed: 3 })))).toBe(-1);
  });

  it('a queued predict whose signal is aborted rejects at once; the running one is unaffected', async () => {
    const { swag } = await posteriors();
    // Long enough (a few hundred ms) that the abort lands while the first still runs.
    const a = rows(12_000, 6);
    const c = new AbortController();
    const t0 = performance.now();
    const first = probsOf(swag.predict(a, { seed: 3 }));
    const queued = swag.predict(a, { seed: 4, signal: c.signal }).then(
      () => undefined,
      (e: unknown) => e,
    );
    let rejectedAt = 0;
    let firstAt = 0;
    void queued.then(() => (rejectedAt = performance.now()));
    void first.then(() => (firstAt = performance.now()));
    setTimeout(() => c.abort(), 20);
    const err = await queued;
    expect(err).toBeInstanceOf(BdlError);
    expect((err as BdlError).code).toBe('E_ABORTED');
    const got = await first;
    expect(rejectedAt - t0).toBeLessThan(firstAt - t0);
    expect(firstDifference(got, await probsOf(swag.predict(a, { seed: 3 })))).toBe(-1);
    // The arena is free again: a later call runs at once.
    expect(firstDifference(await probsOf(swag.predict(a.subarray(0, 10 * spec.inputs), { seed: 3 })), got.subarray(0, 10 * spec.outputs))).toBe(-1);
  });
});

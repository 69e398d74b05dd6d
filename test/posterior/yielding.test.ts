// A network posterior's predict gives the thread back while it works (yielding.ts, network.ts): an
// abort fired from a timer lands mid-prediction and ends it with E_ABORTED long before it would have
// finished, an aborted signal stops it before any work, and the predictive it computes in blocks of
// rows is the one a single pass over all rows gives, bit for bit (dropout masks included).
import { describe, expect, it } from 'vitest';
import { Mlp } from '../../src/model/mlp.js';
import type { MlpSpec } from '../../src/model/spec.js';
import { classificationPredictive } from '../../src/posterior/aggregate.js';
import { NetworkPosterior } from '../../src/posterior/network-posterior.js';
import { mixturePredictive, type PosteriorSample } from '../../src/posterior/network.js';
import type { WeightSource } from '../../src/posterior/source.js';
import { MaskSource } from '../../src/posterior/sources/masks.js';
import { SwagSource } from '../../src/posterior/sources/swag.js';
import type { ClassificationPredictive } from '../../src/posterior/types.js';
import { Rng } from '../../src/random/index.js';
import { expectAbortFromTimer, rejection } from '../methods/helpers.js';

const spec: MlpSpec = { inputs: 100, hidden: [64], outputs: 10, activation: 'relu', likelihood: 'categorical' };

/** A SWAG posterior over `spec` with made-up moments (rank 5, 30 draws per prediction). */
async function swagPosterior(): Promise<NetworkPosterior> {
  const mlp = await Mlp.create(spec);
  const P = mlp.size;
  const r = new Rng(1);
  const rank = 5;
  const member = { mean: mlp.init(1), sigma: new Float32Array(P).fill(0.01), dev: Float32Array.from({ length: rank * P }, () => 0.01 * r.normal()), rank, count: 20, noiseVar: 1 };
  return new NetworkPosterior('swag', spec, undefined, new SwagSource([member], { scale: 0.5, samples: 30, diagonal: false }), mlp);
}

function rows(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n * spec.inputs }, () => r.normal());
}

describe('cancelling a network posterior’s predict', () => {
  it('an abort fired from a timer ends a multi-second predict with E_ABORTED within a few hundred ms', async () => {
    const post = await swagPosterior();
    // The time of 1/32 of the rows, for the time the whole prediction would take.
    const n = 32 * 1024;
    const x = rows(n, 2);
    const t = performance.now();
    await post.predict(x.subarray(0, (n / 32) * spec.inputs), { seed: 1 });
    const whole = 32 * (performance.now() - t);
    expect(whole).toBeGreaterThan(1000);

    await expectAbortFromTimer((signal) => post.predict(x, { seed: 1, signal }), whole);
  });

  it('an already-aborted signal is E_ABORTED before any work (the source is never asked for samples)', async () => {
    const post = await swagPosterior();
    let asked = 0;
    const source = post.source;
    const spy: WeightSource = Object.assign(Object.create(Object.getPrototypeOf(source)) as WeightSource, source, {
      withSamples: (...args: Parameters<WeightSource['withSamples']>) => {
        asked++;
        return source.withSamples(...args);
      },
    });
    const spied = new NetworkPosterior('swag', spec, undefined, spy, await post.engine());
    const c = new AbortController();
    c.abort();
    expect((await rejection(spied.predict(rows(4, 3), { signal: c.signal }))).code).toBe('E_ABORTED');
    expect(asked).toBe(0);
    await spied.predict(rows(4, 3));
    expect(asked).toBe(1);
  });
});

describe('a predictive computed in blocks of rows', () => {
  it('equals one forward pass over all rows per sample, bit for bit, dropout masks included (1,000 rows, not a multiple of the batch)', async () => {
    const dropped: MlpSpec = { ...spec, dropout: 0.2 };
    const mlp = await Mlp.create(dropped, { capacity: 64 });
    const theta = mlp.init(4);
    const post = new NetworkPosterior('mc-dropout', dropped, undefined, new MaskSource(theta, 1, 6), mlp);
    const x = rows(1000, 5);
    const got = (await post.predict(x, { seed: 7 })) as ClassificationPredictive;
    // The reference: each pass's masks over all rows in one call of the engine.
    const S = 6;
    const K = spec.outputs;
    const N = 1000;
    const probs = new Float32Array(S * N * K);
    await post.source.withSamples(mlp, 7, S, async (sample) => {
      for (let s = 0; s < S; s++) {
        const { masks } = sample(s) as PosteriorSample;
        const out = mlp.forward(theta, x, masks);
        for (let i = 0; i < N; i++) {
          let mx = -Infinity;
          for (let c = 0; c < K; c++) mx = Math.max(mx, out[i * K + c]);
          let z = 0;
          for (let c = 0; c < K; c++) z += Math.exp(out[i * K + c] - mx);
          for (let c = 0; c < K; c++) probs[(s * N + i) * K + c] = Math.exp(out[i * K + c] - mx) / z;
        }
      }
    });
    const want = classificationPredictive(probs, S, K);
    expect(got.probs).toEqual(want.probs);
    expect(got.entropy).toEqual(want.entropy);
    expect(got.mutualInformation).toEqual(want.mutualInformation);
    // And the synchronous mixture gives the same bits as the yielding one.
    const sync = await post.source.withSamples(mlp, 7, S, async (sample) => mixturePredictive(mlp, undefined, x, S, sample));
    expect((sync as ClassificationPredictive).probs).toEqual(got.probs);
  });
});

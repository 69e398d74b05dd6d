import { describe, expect, it } from 'vitest';
import type { MethodEntry } from '../../src/methods/registry.js';
import type { Posterior } from '../../src/posterior/types.js';
import { runSuite } from '../../src/report/run.js';
import { toyGapSuite } from '../../src/report/suites.js';

const suite = toyGapSuite(0, 20);

/** A posterior predicting y = 0 with noise variance 1 and epistemic variance x². */
const constant: MethodEntry = {
  summary: 'fixture',
  async train() {
    return {
      method: 'constant',
      spec: { inputs: 1, hidden: [], outputs: 1, activation: 'relu', likelihood: 'gaussian' },
      toBytes: () => new Uint8Array(),
      info: { weights: new Float32Array([1, 2]) },
      async predict(x: Float32Array) {
        const e = Float64Array.from(x, (v) => v * v);
        return { kind: 'regression', mean: new Float64Array(x.length), aleatoric: new Float64Array(x.length).fill(1), epistemic: e, variance: e.map((v) => v + 1) };
      },
    } as unknown as Posterior;
  },
};

describe('runSuite', () => {
  it('scores each method, draws its band on the grid, and keeps its info as plain JSON', async () => {
    const r = await runSuite(suite, { constant });
    const m = r.methods[0];
    let ss = 0;
    for (const y of suite.test.y) ss += y * y;
    expect(m.metrics!.rmse).toBeCloseTo(Math.sqrt(ss / suite.test.n), 6);
    expect(m.band!.mean).toHaveLength(161);
    expect(m.band!.epistemic[0]).toBeCloseTo(25, 4);
    expect(m.info).toEqual({ weights: [1, 2] });
    expect(r.trainPoints!.x).toHaveLength(20);
  });

  it('reports a method that throws, or outlives the time limit, as skipped and goes on', async () => {
    const refuses: MethodEntry = { summary: '', train: async () => { throw new Error('classification is not supported'); } };
    const slow: MethodEntry = {
      summary: '',
      async train(_d, o) {
        // An in-thread loop that reports progress but never yields to a timer.
        const t = performance.now();
        for (let epoch = 0; ; epoch++) {
          o.onProgress?.({ epoch, epochs: 1e9, loss: 0 });
          if ((o.signal as AbortSignal).aborted) throw new Error('cancelled');
          while (performance.now() - t < 20 * (epoch + 1));
        }
      },
    };
    const r = await runSuite(suite, { refuses, slow, constant }, { timeLimit: 0.2 });
    expect(r.methods.map((m) => m.skipped?.slice(0, 20))).toEqual(['classification is no', 'stopped at the 0.2 s', undefined]);
  });

  it('stops the whole run when the caller cancels', async () => {
    const c = new AbortController();
    c.abort();
    await expect(runSuite(suite, { constant }, { signal: c.signal })).rejects.toThrow(/cancelled/);
  });
});

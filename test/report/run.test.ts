import { describe, expect, it } from 'vitest';
import type { MethodEntry } from '../../src/methods/registry.js';
import { METHOD_OPTIONS } from '../../src/methods/common.js';
import { MCMC_OPTIONS } from '../../src/methods/mcmc/mcmc.js';
import type { Posterior } from '../../src/posterior/types.js';
import { IN_DISTRIBUTION, runSuite } from '../../src/report/run.js';
import { digitsSuite, toyGapSuite } from '../../src/report/suites.js';

const suite = toyGapSuite(0, 20);

/** A posterior predicting y = 0 with noise variance 1 and epistemic variance x². */
const constant: MethodEntry = {
  summary: 'fixture',
  options: MCMC_OPTIONS,
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
    const refuses: MethodEntry = { summary: '', options: METHOD_OPTIONS, train: async () => { throw new Error('classification is not supported'); } };
    const slow: MethodEntry = {
      summary: '',
      options: METHOD_OPTIONS,
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

  it('hands samplers the suite’s trace inputs (default the first 3 test rows) and says where they are', async () => {
    const seen: unknown[] = [];
    const spy: MethodEntry = { summary: '', options: MCMC_OPTIONS, train: async (d, o) => (seen.push(o.traceAt), constant.train(d, o)) };
    const r = await runSuite(suite, { spy });
    expect(Array.from(seen[0] as Float32Array)).toEqual([-2, 0, 4]);
    expect(r.probes).toBe('x* = -2, 0, 4');
    const r2 = await runSuite({ ...suite, probe: undefined }, { spy });
    expect(seen[1]).toEqual(suite.test.x.slice(0, 3));
    expect(r2.probes).toBe('the first 3 test inputs');
  });

  it('classification: keeps each test point’s top-class confidence and hit, and the OOD sets by name and key', async () => {
    const rows: string[] = [];
    for (let c = 0; c < 10; c++) for (let k = 0; k < 4; k++) rows.push([...Array(64).fill(c), c].join(','));
    const digits = digitsSuite(rows.join('\n'), { trainSize: 10, noiseImages: 3, corruption: null });
    // Always 0.6 on class 0, 0.1 on the others.
    const fixed: MethodEntry = {
      summary: 'fixture',
      options: METHOD_OPTIONS,
      async train() {
        return {
          method: 'fixed',
          info: {},
          async predict(x: Float32Array) {
            const n = x.length / 64;
            const probs = Float64Array.from({ length: n * 5 }, (_, i) => (i % 5 === 0 ? 0.6 : 0.1));
            return { kind: 'classification', probs, classes: 5, entropy: new Float64Array(n).fill(1.2), expectedEntropy: new Float64Array(n), mutualInformation: new Float64Array(n) };
          },
        } as unknown as Posterior;
      },
    };
    const r = await runSuite(digits, { fixed });
    const m = r.methods[0];
    expect(m.topClass!.confidence).toEqual(Array(10).fill(0.6));
    expect(m.topClass!.correct).toEqual(Array.from(digits.test.y, (y) => (y === 0 ? 1 : 0)));
    expect(r.oodSets).toEqual([{ name: 'held-out digits 5–9', key: 'auroc' }, { name: 'pixel noise', key: 'aurocNoise' }]);
    expect(Object.keys(m.scores!)).toEqual([IN_DISTRIBUTION, 'held-out digits 5–9', 'pixel noise']);
    // Equal scores everywhere: chance.
    expect(m.metrics!.auroc).toBe(0.5);
  });

  it('relays each method\'s progress under its name, and a cancel during one method starts no later one', async () => {
    const progress: string[] = [];
    const reporting: MethodEntry = { summary: '', options: METHOD_OPTIONS, train: async (d, o) => (o.onProgress?.({ epoch: 1, epochs: 1, loss: 0 }), constant.train(d, o)) };
    const r = await runSuite(suite, { first: reporting, second: reporting }, { onProgress: (s, m, p) => progress.push(`${s}/${m}:${p.epoch}/${p.epochs}`) });
    expect(r.methods.map((m) => m.method)).toEqual(['first', 'second']);
    expect(progress).toEqual(['toy-gap/first:1/1', 'toy-gap/second:1/1']);

    const c = new AbortController();
    const started: string[] = [];
    const cancels: MethodEntry = { summary: '', options: METHOD_OPTIONS, train: async (d, o) => (c.abort(), constant.train(d, o)) };
    const run = runSuite(suite, { cancels, after: constant }, { signal: c.signal, onMethodStart: (_s, m) => started.push(m) });
    await expect(run).rejects.toMatchObject({ code: 'E_ABORTED' });
    expect(started).toEqual(['cancels']);
  });

  it('stops the whole run when the caller cancels', async () => {
    const c = new AbortController();
    c.abort();
    await expect(runSuite(suite, { constant }, { signal: c.signal })).rejects.toThrow(/cancelled/);
  });
});

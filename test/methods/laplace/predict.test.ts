// The Laplace posterior's predict gives the thread back while it works (posterior.ts, predictive.ts):
// the GLM moments are computed one batch per step (each batch marking and resetting the arena), and
// that split gives the bits of one pass over all rows; an abort fired from a timer ends a long GLM
// predict with E_ABORTED, and an aborted signal stops either predictive before any work.
import { describe, expect, it } from 'vitest';
import { makeDataset, type Dataset } from '../../../src/data/dataset.js';
import { laplaceAt } from '../../../src/methods/laplace/laplace.js';
import { glmClassification, glmMomentsAt, sampledProbs } from '../../../src/methods/laplace/predictive.js';
import { indexSubset } from '../../../src/methods/laplace/subset.js';
import { Mlp } from '../../../src/model/mlp.js';
import { layoutOf, type MlpSpec } from '../../../src/model/spec.js';
import { classificationPredictive } from '../../../src/posterior/aggregate.js';
import type { ClassificationPredictive, RegressionPredictive } from '../../../src/posterior/types.js';
import { Rng } from '../../../src/random/index.js';
import { expectAbortFromTimer, rejection } from '../helpers.js';
import type { MethodProgress } from '../../../src/methods/common.js';
import { posteriorFromBytes } from '../../../src/posterior/restore.js';

function inputs(n: number, D: number, seed: number): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n * D }, () => r.normal());
}

function dataset(spec: MlpSpec, n: number, seed: number): Dataset {
  const r = new Rng(seed + 100);
  const x = inputs(n, spec.inputs, seed);
  const rowsOf = Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * spec.inputs, (i + 1) * spec.inputs)));
  const y = spec.likelihood === 'categorical' ? rowsOf.map((v) => (v[0] + 0.5 * v[1] > 0.5 ? 2 : v[2] > 0 ? 1 : 0)) : rowsOf.map((v) => Math.sin(v[0]) + 0.1 * r.normal());
  return makeDataset(rowsOf, y);
}

/** The first index where two arrays differ bit for bit (−1: none). */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** A full Laplace over all weights around an initial θ (no MAP fit needed for these checks), with the engine it lives in. */
async function fullLaplace(spec: MlpSpec, extra: Record<string, unknown> = {}) {
  const mlp = await Mlp.create(spec);
  const post = await laplaceAt(mlp, mlp.init(3), dataset(spec, 200, 1), { hessian: 'full', subset: 'all', priorPrecisionMode: 1, ...extra });
  return { mlp, post };
}

/** The GLM moments of all rows in one call (one arena mark, every batch in turn): the unsplit reference. */
function onePass(mlp: Mlp, post: Awaited<ReturnType<typeof fullLaplace>>['post'], x: Float32Array) {
  const spec = mlp.spec;
  const N = x.length / spec.inputs;
  const K = mlp.layout.outputWidth;
  const mean = new Float32Array(N * K);
  const cov = new Float64Array(N * K * K);
  const sub = indexSubset(layoutOf(spec), post.subsetIndices, 'all');
  glmMomentsAt(spec, mlp.arena, post.theta, sub, post.gaussian, x, 0, N, mean, cov);
  return { mean, cov, N, K };
}

const classifier: MlpSpec = { inputs: 4, hidden: [8], outputs: 3, activation: 'tanh', likelihood: 'categorical' };
const regressor: MlpSpec = { inputs: 22, hidden: [20], outputs: 1, activation: 'tanh', likelihood: 'gaussian' };

describe('Laplace GLM predict in batches', () => {
  it('classification, probit and MC links: 3,000 rows (11 batches of 256 and 184) give the bits of one pass', async () => {
    for (const link of ['probit', 'mc'] as const) {
      const { mlp, post } = await fullLaplace(classifier, { link });
      const x = inputs(3000, classifier.inputs, 9);
      const got = (await post.predict(x, { samples: 20, seed: 4 })) as ClassificationPredictive;
      const { mean, cov, N, K } = onePass(mlp, post, x);
      const want = link === 'mc' ? classificationPredictive(sampledProbs(mlp.arena, mean, cov, N, K, false, 20, 4), 20, K) : glmClassification(mlp.arena, mean, cov, N, K, false, 20, 4, link);
      for (const key of ['probs', 'entropy', 'expectedEntropy', 'mutualInformation'] as const) expect(firstDifference(got[key], want[key]), `${link} ${key}`).toBe(-1);
    }
  });

  it('regression: 3,000 rows give the means and variances of one pass', async () => {
    const { mlp, post } = await fullLaplace(regressor);
    const x = inputs(3000, regressor.inputs, 10);
    const got = (await post.predict(x)) as RegressionPredictive;
    const { mean, cov } = onePass(mlp, post, x);
    expect(firstDifference(got.mean, Float64Array.from(mean))).toBe(-1);
    expect(firstDifference(got.epistemic, cov)).toBe(-1);
  });
});

describe('cancelling a Laplace predict', () => {
  it('an abort fired from a timer ends a multi-second GLM predict with E_ABORTED within a few hundred ms', async () => {
    const { post } = await fullLaplace(regressor);
    const n = 25 * 2048;
    const x = inputs(n, regressor.inputs, 11);
    const t = performance.now();
    await post.predict(x.subarray(0, (n / 25) * regressor.inputs));
    const whole = 25 * (performance.now() - t);
    expect(whole).toBeGreaterThan(1000);

    await expectAbortFromTimer((signal) => post.predict(x, { signal }), whole);
  });

  /** A full Laplace over 2,001 weights, the time it took and two of its weight draws. */
  const WIDE: MlpSpec = { inputs: 10, hidden: [166], outputs: 1, activation: 'tanh', likelihood: 'gaussian' };
  async function wideReference() {
    const t = performance.now();
    const reference = (await fullLaplace(WIDE)).post;
    return { reference, whole: performance.now() - t, want: await reference.sampleWeights(2, 5) };
  }

  it("the fit builds the full Gaussian (2,001 weights) with progress in thousandths, and an abort fired from a timer ends it with the arena released", async () => {
    const { whole, want } = await wideReference();
    const shares: number[] = [];
    const { post } = await fullLaplace(WIDE, { onProgress: (p: MethodProgress) => p.phase === 'posterior' && shares.push(p.epoch / p.epochs) });
    expect(shares[0]).toBe(0);
    expect(shares.at(-1)).toBe(1);
    for (let i = 1; i < shares.length; i++) expect(shares[i]).toBeGreaterThanOrEqual(shares[i - 1]);
    const got = await post.sampleWeights(2, 5);
    for (let i = 0; i < 2; i++) expect(firstDifference(got[i], want[i])).toBe(-1);
    const mlp = await Mlp.create(WIDE);
    const used = mlp.arena.used;
    await expectAbortFromTimer((signal) => laplaceAt(mlp, mlp.init(3), dataset(WIDE, 200, 1), { hessian: 'full', subset: 'all', priorPrecisionMode: 1, signal }), whole);
    expect(mlp.arena.used).toBe(used);
  });

  it("a restored full Gaussian (2,001 weights) is factored in its first predict: an abort fired from a timer ends it, a later predict builds the same Gaussian", async () => {
    const { reference, whole, want } = await wideReference();
    const post = (await posteriorFromBytes(reference.toBytes())) as typeof reference;
    const x = inputs(10, WIDE.inputs, 13);
    await expectAbortFromTimer((signal) => post.predict(x, { signal }), whole);
    await post.predict(x);
    const got = await post.sampleWeights(2, 5);
    for (let i = 0; i < 2; i++) expect(firstDifference(got[i], want[i])).toBe(-1);
    // The getter (no yields) gives the same factor as the yielding build.
    const again = (await posteriorFromBytes(reference.toBytes())) as typeof reference;
    expect(firstDifference(again.gaussian.variances(), reference.gaussian.variances())).toBe(-1);
  });

  it("an already-aborted signal is E_ABORTED before any work, for the GLM and the 'mc' predictive", async () => {
    for (const predictive of ['glm', 'mc'] as const) {
      const { post } = await fullLaplace(classifier, { predictive });
      const c = new AbortController();
      c.abort();
      // "Before any work": neither the Gaussian (GLM) nor a weight draw ('mc') is asked for.
      let touched = 0;
      const gaussian = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(post), 'gaussian')!;
      Object.defineProperty(post, 'gaussian', { get() { touched++; return gaussian.get!.call(post); } });
      const draw = post.sampleWeights.bind(post);
      post.sampleWeights = (n: number, seed?: number) => { touched++; return draw(n, seed); };
      expect((await rejection(post.predict(inputs(2_000, classifier.inputs, 12), { signal: c.signal }))).code).toBe('E_ABORTED');
      expect(touched).toBe(0);
    }
  });
});

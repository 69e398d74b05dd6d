/**
 * Predictives of network posteriors: run the network once per posterior sample (a weight vector,
 * and dropout masks where the method uses them), turn each output into that sample's Gaussian or
 * class probabilities in original units, and aggregate the uniform mixture.
 */
import { BdlError, argError, describe } from '../errors.js';
import { toMatrix } from '../data/dataset.js';
import { signalOption } from '../signal.js';
import { standardizeX, type Standardizer } from '../data/standardize.js';
import type { MaskSource, Mlp } from '../model/mlp.js';
import type { MlpSpec } from '../model/spec.js';
import { formatBytes } from '../linalg/memory.js';
import { classificationSteps, regressionSteps } from './aggregate.js';
import { offDataWeight, revertVariance, type InputSupport } from './support.js';
import type { Inputs, Predictive } from './types.js';
import { rowsPerStep, runSteps, runYielding, type Steps } from './yielding.js';
import * as exact from '../random/exact-math.js';

export interface PosteriorSample {
  theta: Float32Array;
  masks?: MaskSource;
  /** This sample's own noise variance (e.g. an ensemble member's), overriding `MixtureOptions.noiseVar`. */
  noiseVar?: number;
  /** Heteroscedastic head only: a variance (standardized units) added to the predicted one. */
  varianceFloor?: number;
  /** Heteroscedastic head with `MixtureOptions.support`: per output, the level its variance reverts to off the data (support.ts). */
  offDataVariance?: Float64Array;
}

export interface MixtureOptions {
  /** Observation noise variance (standardized units) of the 'gaussian' likelihood. */
  noiseVar?: number;
  /** Minimum variance of the heteroscedastic head (default 1e-6, as in training). */
  minVar?: number;
  /** Heteroscedastic head: the training inputs, so that off the data its variance reverts (support.ts). */
  support?: InputSupport;
  signal?: AbortSignal;
}

/**
 * A user's test inputs as one flat Float32Array of rows × `inputs`: a Float32Array as given, or what
 * `makeDataset` takes (an array of rows, or `{ data, cols }`), copied. Every value must be finite.
 */
export function toInputs(x: Inputs, inputs: number): Float32Array {
  if (x instanceof Float32Array) return checkInputs(x, inputs);
  if (ArrayBuffer.isView(x) || !(Array.isArray(x) || (x && typeof x === 'object' && 'data' in x && 'cols' in x))) {
    throw argError('E_SHAPE', 'x', `a Float32Array of rows × ${inputs} inputs, an array of rows, or { data, cols }`, describe(x), 'Pass the test rows as makeDataset takes them.');
  }
  const m = toMatrix(x, 'x');
  if (m.cols !== inputs) throw argError('E_SHAPE', 'x', `rows of ${inputs} inputs (as the network was trained on)`, `rows of ${m.cols}`, 'Pass the same columns as the training inputs.');
  return m.data;
}

/** Bytes the per-sample outputs of one prediction may take (the CLI's limit too, cli/limits.ts). */
export const PREDICTIVE_LIMIT_BYTES = 2 * 1024 ** 3;

/**
 * Refuses, before any work, a prediction whose per-sample outputs — rows × samples × width f32 values
 * (the classes; a regression's means and variances twice the outputs) — would pass
 * PREDICTIVE_LIMIT_BYTES: E_MEMORY naming the size and the most samples that fit, instead of an
 * allocation of gigabytes that fails (or succeeds, and pages) after the call has started.
 */
export function checkPredictiveSize(spec: MlpSpec, rows: number, samples: number): void {
  const regression = spec.likelihood === 'gaussian' || spec.likelihood === 'heteroscedastic';
  const perSample = 4 * rows * (spec.likelihood === 'bernoulli' ? 2 : spec.outputs) * (regression ? 2 : 1);
  if (perSample * samples <= PREDICTIVE_LIMIT_BYTES) return;
  const fit = Math.floor(PREDICTIVE_LIMIT_BYTES / perSample);
  throw argError(
    'E_MEMORY',
    'samples',
    `at most ${formatBytes(PREDICTIVE_LIMIT_BYTES)} of per-sample outputs (${fit >= 1 ? `≤ ${fit} samples` : 'fewer rows'} for ${rows} test rows)`,
    `${samples} samples × ${rows} rows needing ${formatBytes(perSample * samples)}`,
    'Predict the rows in smaller batches, or with fewer samples.',
  );
}

/** Checks a user's test inputs: a non-empty Float32Array of whole rows. */
export function checkInputs(x: unknown, inputs: number): Float32Array {
  return runSteps(checkInputSteps(x, inputs));
}

/** `checkInputs` with a yield point after each block of values (a 60,000 × 785 table is ~50 ms to scan). */
function* checkInputSteps(x: unknown, inputs: number): Steps<Float32Array> {
  if (!(x instanceof Float32Array) || x.length === 0 || x.length % inputs !== 0) {
    throw argError('E_SHAPE', 'x', `a non-empty Float32Array of rows × ${inputs} inputs (row-major), or an array of rows`, describe(x), 'Flatten the test rows into one Float32Array, or pass number[][].');
  }
  const block = rowsPerStep(inputs) * inputs;
  for (let i0 = 0; i0 < x.length; i0 += block) {
    const i1 = Math.min(x.length, i0 + block);
    for (let i = i0; i < i1; i++) {
      if (!Number.isFinite(x[i])) throw argError('E_NONFINITE', `x[${Math.floor(i / inputs)}][${i % inputs}]`, 'a finite number', describe(x[i]), 'Impute or drop that row.');
    }
    if (i1 < x.length) yield;
  }
  return x;
}

/** The predictive of S samples given by `sample(s)`, at inputs x in original units, computed without yielding (posteriors' `predict` yields: mixturePredictiveYielding). */
export function mixturePredictive(
  mlp: Mlp,
  standardizer: Standardizer | undefined,
  x: Float32Array,
  S: number,
  sample: (s: number) => PosteriorSample,
  opts: MixtureOptions = {},
): Predictive {
  return runSteps(mixtureSteps(mlp, standardizer, x, S, sample, opts));
}

/**
 * `mixturePredictive` that gives the thread back every PREDICT_YIELD_MS of work (yielding.ts) and
 * stops with E_ABORTED at the first chunk after `opts.signal` is aborted; the same bits. It holds no
 * arena memory of its own between chunks; `sample` must stay valid across its awaits.
 */
export function mixturePredictiveYielding(
  mlp: Mlp,
  standardizer: Standardizer | undefined,
  x: Float32Array,
  S: number,
  sample: (s: number) => PosteriorSample,
  opts: MixtureOptions = {},
): Promise<Predictive> {
  return runYielding(mixtureSteps(mlp, standardizer, x, S, sample, opts), opts.signal, 'predict');
}

/**
 * The mixture as steps: the network runs over blocks of rows (whole multiples of the engine's batch
 * capacity from row 0, with the dropout counters a single pass gives them, so the same bits) with a
 * yield point after each block; then the aggregation, by blocks of rows as well.
 */
export function* mixtureSteps(
  mlp: Mlp,
  standardizer: Standardizer | undefined,
  x: Float32Array,
  S: number,
  sample: (s: number) => PosteriorSample,
  opts: MixtureOptions = {},
): Steps<Predictive> {
  const spec = mlp.spec;
  signalOption(opts.signal, 'signal');
  yield* checkInputSteps(x, spec.inputs);
  const D = spec.inputs;
  const N = x.length / D;
  const T = spec.outputs;
  const regression = spec.likelihood === 'gaussian' || spec.likelihood === 'heteroscedastic';
  if (spec.likelihood === 'bernoulli' && T !== 1) {
    throw new BdlError('E_ARG', `predict: a bernoulli likelihood with ${T} outputs (multi-label) has no single class predictive; use outputs: 1 or a categorical likelihood.`, 'spec.outputs');
  }
  const K = spec.likelihood === 'bernoulli' ? 2 : T;
  const W = mlp.layout.outputWidth;
  const rows = rowsPerStep(mlp.size + D + 4 * W, mlp.capacity);
  let xs = x;
  if (standardizer) {
    xs = new Float32Array(x.length);
    for (let r0 = 0; r0 < N; r0 += rows) {
      xs.set(standardizeX(standardizer, x.subarray(r0 * D, Math.min(N, r0 + rows) * D)), r0 * D);
      yield;
    }
  }
  let offData: Float64Array | undefined;
  if (spec.likelihood === 'heteroscedastic' && opts.support) {
    const support = opts.support;
    offData = new Float64Array(N);
    const near = rowsPerStep((support.rows.length / support.inputs) * D);
    for (let r0 = 0; r0 < N; r0 += near) {
      offData.set(offDataWeight(support, xs.subarray(r0 * D, Math.min(N, r0 + near) * D)), r0);
      yield;
    }
  }
  const means = regression ? new Float32Array(S * N * T) : undefined;
  const vars = regression ? new Float32Array(S * N * T) : undefined;
  const probs = regression ? undefined : new Float32Array(S * N * K);
  const yMean = standardizer?.yMean;
  const yStd = standardizer?.yStd;
  for (let s = 0; s < S; s++) {
    if (opts.signal?.aborted) throw new BdlError('E_ABORTED', `predict: cancelled at sample ${s} of ${S}.`);
    const { theta, masks, noiseVar, varianceFloor, offDataVariance } = sample(s);
    for (let r0 = 0; r0 < N; r0 += rows) {
      const r1 = Math.min(N, r0 + rows);
      // mlp.forward numbers its batches from the first row it is given: offset the mask counter to this block's first batch.
      const m = masks && { ...masks, counter: masks.counter + r0 / mlp.capacity };
      const out = mlp.forward(theta, xs.subarray(r0 * D, r1 * D), m);
      for (let i = r0; i < r1; i++) {
        const row = (i - r0) * W;
        if (regression) {
          for (let t = 0; t < T; t++) {
            const mu = out[row + t];
            let v: number;
            if (spec.likelihood === 'heteroscedastic') {
              v = softplus(out[row + T + t]) + (opts.minVar ?? 1e-6);
              if (offData && offDataVariance !== undefined) v = revertVariance(v, offDataVariance[t], offData[i]);
              v += varianceFloor ?? 0;
            } else v = noiseVar ?? opts.noiseVar ?? (spec.noise ?? 1) ** 2;
            const sd = yStd ? yStd[t] : 1;
            means![(s * N + i) * T + t] = mu * sd + (yMean ? yMean[t] : 0);
            vars![(s * N + i) * T + t] = v * sd * sd;
          }
        } else if (spec.likelihood === 'bernoulli') {
          const p = 1 / (1 + exact.exp(-out[row]));
          probs![(s * N + i) * 2] = 1 - p;
          probs![(s * N + i) * 2 + 1] = p;
        } else {
          let mx = -Infinity;
          for (let c = 0; c < K; c++) mx = Math.max(mx, out[row + c]);
          let z = 0;
          for (let c = 0; c < K; c++) z += exact.exp(out[row + c] - mx);
          for (let c = 0; c < K; c++) probs![(s * N + i) * K + c] = exact.exp(out[row + c] - mx) / z;
        }
      }
      yield;
    }
  }
  return regression ? yield* regressionSteps(means!, vars!, S) : yield* classificationSteps(probs!, S, K);
}

function softplus(x: number): number {
  return Math.max(x, 0) + exact.log1p(exact.exp(-Math.abs(x)));
}

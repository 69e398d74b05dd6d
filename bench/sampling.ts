/**
 * Sampling benchmark: NUTS on the Stan peer's BNN (../shared/peers/stan/bnn.stan: 8 inputs → 50 tanh
 * → 1, N(0, 1) priors on all 501 parameters, known σ = 0.5, N = 300 raw, unstandardized rows),
 * 4 chains × (1000 warmup + 1000 draws) on a pool of 2 workers, f(x*) kept at the 5 test inputs.
 * Reports gradient evaluations per second per chain (leapfrog steps / the chain's wall time, averaged
 * over chains), the minimum bulk ESS of f(x*), wall seconds, ESS per wall-second, and max R̂ of f(x*).
 */
import { parseTable, tableToDataset } from '../src/data/parse.js';
import type { MlpSpec } from '../src/model/spec.js';
import { createPool } from '../src/pool/pool.js';
import { relaxedSimdSupported, type WasmFlavor } from '../src/wasm/index.js';
import { sampleChains } from '../src/samplers/sample-chains.js';

export interface SamplingBench {
  grad_evals_per_s_per_chain: number;
  pred_ess_min: number;
  wall_s: number;
  pred_ess_per_s: number;
  rhat_max: number;
  divergences: number;
  mean_leapfrog_per_draw: number;
  step_size: number[];
  /** The wasm binary the workers ran: the one this runtime picks. */
  wasm: WasmFlavor;
}

export interface SamplingBenchOptions {
  /** Text of bnn_train.csv (8 inputs then y) and bnn_test.csv (8 inputs then f_true). */
  trainCsv: string;
  testCsv: string;
  workerUrl?: string | URL;
  poolSize?: number;
  chains?: number;
  warmup?: number;
  draws?: number;
  seed?: number;
  log?: (line: string) => void;
}

export async function benchSampling(o: SamplingBenchOptions): Promise<SamplingBench> {
  const train = tableToDataset(parseTable(o.trainCsv, { source: 'bnn_train.csv' }), -1, 'bnn_train.csv');
  const test = parseTable(o.testCsv, { source: 'bnn_test.csv' });
  const xTest = new Float32Array(test.rows * 8);
  for (let r = 0; r < test.rows; r++) for (let j = 0; j < 8; j++) xTest[r * 8 + j] = test.data[r * test.cols + j];
  const spec: MlpSpec = { inputs: 8, hidden: [50], outputs: 1, activation: 'tanh', likelihood: 'gaussian', noise: 0.5 };
  const pool = await createPool({ size: o.poolSize ?? 2, workerUrl: o.workerUrl });
  try {
    let last = 0;
    const r = await sampleChains(
      { type: 'bnn', spec, data: train, priorPrecision: 1, noiseVar: 0.25, xTest },
      {
        chains: o.chains ?? 4, warmup: o.warmup ?? 1000, draws: o.draws ?? 1000, seed: o.seed ?? 1, pool, returns: 'predictive',
        onProgress: (p) => {
          const now = performance.now();
          if (o.log && now - last > 10_000) {
            last = now;
            o.log(`chain ${p.chain}: ${p.iteration}/${p.total} ${p.phase} ε ${p.stepSize.toPrecision(3)} accept ${p.acceptance.toFixed(2)} div ${p.divergences}`);
          }
        },
      },
    );
    const d = r.predictiveDiagnostics!;
    const pred_ess_min = Math.min(...d.essBulk);
    const rate = r.gradEvals.map((g, c) => g / r.chainSeconds[c]);
    const leapfrog = r.results.reduce((s, c) => s + c.nLeapfrog.reduce((a, b) => a + b, 0), 0);
    return {
      grad_evals_per_s_per_chain: rate.reduce((a, b) => a + b, 0) / rate.length,
      pred_ess_min,
      wall_s: r.seconds,
      pred_ess_per_s: pred_ess_min / r.seconds,
      rhat_max: Math.max(...d.rhat),
      divergences: r.divergences.reduce((a, b) => a + b, 0),
      mean_leapfrog_per_draw: leapfrog / (r.chains * r.count),
      step_size: r.stepSize,
      wasm: relaxedSimdSupported() ? 'relaxed' : 'simd',
    };
  } finally {
    await pool.close();
  }
}

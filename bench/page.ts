/**
 * Browser entry of the benchmark (bundled by bench/run.mjs, served from 127.0.0.1): runs the same
 * suite with the best binary this browser validates and leaves the result on `window`.
 */
import { relaxedSimdSupported } from '../src/wasm/index.js';
import { runSuite, type RuntimeResult } from './suite.js';

declare global {
  interface Window {
    bdlBench?: { result?: RuntimeResult; error?: string; log: string[] };
  }
}

const state: NonNullable<Window['bdlBench']> = { log: [] };
window.bdlBench = state;
const params = new URLSearchParams(location.search);
runSuite({
  runtime: 'chromium',
  flavor: relaxedSimdSupported() ? 'relaxed' : 'simd',
  cpu: params.get('cpu') ?? `${navigator.hardwareConcurrency} logical cores`,
  tfjsWasmDir: '/tfjs/',
  log: (l) => state.log.push(l),
}).then(
  (r) => {
    state.result = r;
  },
  (e: unknown) => {
    state.error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
  },
);

// Vitest global setup: bundles the test-only worker entry (test/pool/fault-worker.ts) into
// test-output/fault-worker.js, for the Node and the browser projects alike.
import * as esbuild from 'esbuild';

export const FAULT_WORKER = 'test-output/fault-worker.js';

export default async function setup(): Promise<void> {
  await esbuild.build({
    entryPoints: ['test/pool/fault-worker.ts'],
    outfile: FAULT_WORKER,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    loader: { '.wasm': 'binary' },
    external: ['node:*'],
    logLevel: 'warning',
  });
}

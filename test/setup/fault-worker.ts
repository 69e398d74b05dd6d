// Vitest global setup: bundles the test-only entries into test-output/, for the Node and the browser
// projects alike: the worker thread entry with the 'fault' kind (test/pool/fault-worker.ts), and the
// queue worker process whose threads run it (test/queue/fault-queue-worker.ts).
import * as esbuild from 'esbuild';

export const FAULT_WORKER = 'test-output/fault-worker.js';
export const FAULT_QUEUE_WORKER = 'test-output/fault-queue-worker.js';

const common = { bundle: true, format: 'esm', target: 'es2022', loader: { '.wasm': 'binary' }, logLevel: 'warning' } as const;

export default async function setup(): Promise<void> {
  await Promise.all([
    esbuild.build({ ...common, entryPoints: ['test/pool/fault-worker.ts'], outfile: FAULT_WORKER, platform: 'neutral', mainFields: ['module', 'main'], external: ['node:*'] }),
    // Node only; its packages (BullMQ, ioredis, Comlink) resolve from the repository's node_modules.
    esbuild.build({ ...common, entryPoints: ['test/queue/fault-queue-worker.ts'], outfile: FAULT_QUEUE_WORKER, platform: 'node', packages: 'external' }),
  ]);
}

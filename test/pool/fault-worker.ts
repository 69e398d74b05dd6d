/**
 * The test-only worker entry: the package's task kinds plus 'fault' (./faults.ts). Built by
 * test/setup/fault-worker.ts into test-output/fault-worker.js; tests spawn it with createPool({ workerUrl }).
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { TASKS } from '../../src/orchestration/tasks.js';
import { registerTasks } from '../../src/pool/registry.js';
import { workerApi } from '../../src/pool/worker-api.js';
import { faultRunner } from './faults.js';

registerTasks({ ...TASKS, fault: faultRunner(TASKS) });
const g = globalThis as { process?: { versions?: { node?: string } }; WorkerGlobalScope?: unknown };
if (g.WorkerGlobalScope === undefined && typeof g.process?.versions?.node === 'string') {
  const specifier = 'node:worker_threads';
  const { parentPort } = (await import(/* @vite-ignore */ specifier)) as typeof import('node:worker_threads');
  Comlink.expose(workerApi(), nodeEndpoint(parentPort));
} else {
  Comlink.expose(workerApi(), globalThis as unknown as Comlink.Endpoint);
}

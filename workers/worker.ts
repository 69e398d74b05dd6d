/**
 * The worker entry, one source for Node worker_threads and browser module Web Workers. It runs the
 * same src/ code as the main thread and registers the built-in task kinds (src/orchestration/tasks.ts).
 *
 * No top-level await: consumer bundlers re-bundle this file as a worker chunk, and Vite's default
 * worker format (iife) refuses top-level await. Node's port comes from `process.getBuiltinModule`
 * (synchronous, Node ≥ 20.16), so the API is exposed before the first message arrives.
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { TASKS } from '../src/orchestration/tasks.js';
import { registerTasks } from '../src/pool/registry.js';
import { workerApi, type ErrorScope } from '../src/pool/worker-api.js';

registerTasks(TASKS);

type NodeProcess = { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown };
const g = globalThis as { process?: NodeProcess; WorkerGlobalScope?: unknown };
if (g.WorkerGlobalScope === undefined && typeof g.process?.versions?.node === 'string') {
  const threads = g.process.getBuiltinModule?.('node:worker_threads') as typeof import('node:worker_threads') | undefined;
  if (threads?.parentPort == null) throw new Error('bdl-wasm worker: needs Node ≥ 20.16 (process.getBuiltinModule) and a worker_threads parent.');
  Comlink.expose(workerApi(), nodeEndpoint(threads.parentPort));
} else {
  Comlink.expose(workerApi(globalThis as unknown as ErrorScope), globalThis as unknown as Comlink.Endpoint);
}

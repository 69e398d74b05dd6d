/**
 * The worker entry, one source for Node worker_threads and browser module Web Workers. It runs the
 * same src/ code as the main thread and registers the built-in task kinds (src/orchestration/tasks.ts).
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { TASKS } from '../src/orchestration/tasks.js';
import { registerTasks } from '../src/pool/registry.js';
import { workerApi } from '../src/pool/worker-api.js';

registerTasks(TASKS);

const g = globalThis as { process?: { versions?: { node?: string } }; WorkerGlobalScope?: unknown };
if (g.WorkerGlobalScope === undefined && typeof g.process?.versions?.node === 'string') {
  // Hidden from bundlers: a browser build must not try to resolve node:worker_threads.
  const specifier = 'node:worker_threads';
  const { parentPort } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as typeof import('node:worker_threads');
  Comlink.expose(workerApi(), nodeEndpoint(parentPort));
} else {
  Comlink.expose(workerApi(), globalThis as unknown as Comlink.Endpoint);
}

/**
 * The test-only worker entry: the package's task kinds plus 'fault' (./faults.ts). Built by
 * test/setup/fault-worker.ts into test-output/fault-worker.js; tests spawn it with createPool({ workerUrl }).
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { TASKS } from '../../src/orchestration/tasks.js';
import { registerTasks } from '../../src/pool/registry.js';
import { workerApi, type ErrorScope } from '../../src/pool/worker-api.js';
import type { TaskContext } from '../../src/pool/types.js';
import { faultRunner, type FaultOptions } from './faults.js';

const g = globalThis as { process?: { versions?: { node?: string }; env?: Record<string, string | undefined> }; WorkerGlobalScope?: unknown };
// BDL_TEST_CRASH_AT=N (queue tests, set on the process of test/queue/fault-queue-worker.ts): every task's first attempt
// ends its thread by process.exit once it reaches step N — a thread dying under a queue worker.
const crashAt = Number(g.process?.env?.BDL_TEST_CRASH_AT ?? NaN);
const fault = faultRunner(TASKS);
const crashing = (kind: string) => (ctx: TaskContext) =>
  fault({ ...ctx, task: { ...ctx.task, kind: 'fault', options: { kind, options: ctx.task.options, crashAt, crash: 'exit' } } } as TaskContext<unknown, FaultOptions>);
registerTasks({
  ...(Number.isInteger(crashAt) ? Object.fromEntries(Object.keys(TASKS).map((k) => [k, crashing(k)])) : TASKS),
  fault,
});
if (g.WorkerGlobalScope === undefined && typeof g.process?.versions?.node === 'string') {
  const specifier = 'node:worker_threads';
  const { parentPort } = (await import(/* @vite-ignore */ specifier)) as typeof import('node:worker_threads');
  Comlink.expose(workerApi(), nodeEndpoint(parentPort));
} else {
  // Browser tests of the two channels an uncaught error reaches the pool by. `?unreported`: the worker
  // does not post it on the job's port (as one built before it did), so only the Worker's error event
  // tells. `?swallowed`: the worker cancels the event, so only the job's port tells.
  const params = new URLSearchParams((globalThis as { location?: { search?: string } }).location?.search ?? '');
  Comlink.expose(workerApi(params.has('unreported') ? undefined : (globalThis as unknown as ErrorScope)), globalThis as unknown as Comlink.Endpoint);
  if (params.has('swallowed')) (globalThis as unknown as EventTarget).addEventListener('error', (e) => e.preventDefault());
}

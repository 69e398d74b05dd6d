/**
 * The demo's worker entry: the library's built-in task kinds plus the demo's 'band' kind, exposed
 * over Comlink to the page's pool (a browser module Worker).
 */
import * as Comlink from 'comlink';
import { TASKS } from '../src/orchestration/tasks.js';
import { registerTasks } from '../src/pool/registry.js';
import { workerApi } from '../src/pool/worker-api.js';
import { runBand } from './band.js';

registerTasks({ ...TASKS, band: runBand });
Comlink.expose(workerApi(), globalThis as unknown as Comlink.Endpoint);

/**
 * Executors: where the pool's jobs run. A worker executor wraps one Worker (Node worker_threads or
 * a browser module Worker); the in-thread executor runs jobs on the calling thread (pool size 0).
 * Both run a job through the same `executeJob`.
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { BdlError } from '../errors.js';
import { Arena } from '../wasm/arena.js';
import type { CompiledCore } from '../wasm/core.js';
import { executeJob, type Job, type JobOutcome } from './execute.js';
import { emptied, transferPort, type JobMessage, type WorkerApi } from './worker-api.js';
import type { ProgressEvent, TaskData } from './types.js';

/** In-thread jobs yield this often so abort events and the page stay responsive. */
const IN_THREAD_YIELD_MS = 20;

/** How long a browser worker's error event waits for the job's own report of it (see workerExecutor). */
export const FAULT_WAIT_MS = 1000;

/** Where a run's jobs report, on the main thread. */
export interface RunSink {
  progress(event: ProgressEvent): void;
  checkpoint(taskId: number, state: unknown, append: readonly unknown[] | undefined): void;
}

/** A run as executors see it. */
export interface RunLink {
  readonly id: number;
  readonly data: TaskData;
  readonly sink: RunSink;
}

export interface Executor {
  run(job: Job, key: number, run: RunLink): Promise<JobOutcome>;
  cancel(key: number): void;
  /** Forgets a finished run's data. */
  release(runId: number): void;
  terminate(): Promise<void>;
}

/** The runtime: Node (worker_threads) or a browser-like one (Web Workers). */
export function isNode(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } }; WorkerGlobalScope?: unknown; document?: unknown };
  return typeof g.process?.versions?.node === 'string' && g.document === undefined && g.WorkerGlobalScope === undefined;
}

/** Imports a Node builtin without letting browser bundlers try to resolve it. */
export function nodeImport<T>(name: string): Promise<T> {
  const specifier = `node:${name}`;
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<T>;
}

/**
 * Whether this runtime can start workers: Node's worker_threads, or a global Worker (browsers, Deno,
 * Bun). Edge runtimes (Cloudflare Workers, Vercel Edge) have neither: their isolates run one thread.
 */
export function workersAvailable(): boolean {
  return isNode() || typeof (globalThis as { Worker?: unknown }).Worker === 'function';
}

/** Default pool size: the cores this process may use, or 0 (in-thread) where no worker can start. */
export async function defaultWorkerCount(): Promise<number> {
  if (isNode()) {
    const os = await nodeImport<typeof import('node:os')>('os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  if (!workersAvailable()) return 0;
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

export function inThreadExecutor(core: CompiledCore): Executor {
  let cancelled = -1;
  let arena: Promise<Arena> | undefined;
  return {
    run(job, key, run) {
      return executeJob(job, {
        arena: async () => emptied(await (arena ??= Arena.create(core))),
        data: run.data,
        inWorker: false,
        stopped: () => cancelled === key,
        yieldEveryMs: IN_THREAD_YIELD_MS,
        progress: (e) => run.sink.progress(e),
        checkpoint: (s, append) => run.sink.checkpoint(job.taskId, s, append),
      });
    },
    cancel(key) {
      cancelled = key;
    },
    release() {},
    async terminate() {},
  };
}

/** What a spawned worker looks like to the pool, whatever the runtime. */
interface Spawned {
  readonly endpoint: Comlink.Endpoint;
  terminate(): Promise<void>;
  /** Node: keep the process alive only while the worker has work. */
  setBusy(busy: boolean): void;
  /**
   * Node: the next message already queued on a port, taken at once (receiveMessageOnPort). A
   * thread's exit or error is reported apart from its jobs' ports and can come before the messages
   * it posted just before dying; taking them first restarts its task from its true last checkpoint.
   */
  takeQueued?(port: MessagePort): unknown;
}

/**
 * Spawns a worker, sends it the compiled core and waits until it is ready. `onDeath` is called
 * once if the worker later dies on its own (exit, uncaught error, out of memory).
 */
export async function workerExecutor(
  core: CompiledCore,
  shared: boolean,
  workerUrl: string | URL | undefined,
  onDeath: (reason: string) => void,
): Promise<Executor> {
  // The job in flight: ending it settles its promise and closes its port (see JobMessage).
  let current: ((out: JobOutcome) => void) | undefined;
  const endCurrent = (message: string) => current?.({ ok: false, code: 'E_WORKER', message });
  // Handles what the job in flight had posted but not yet delivered (see Spawned.takeQueued).
  let drainCurrent: (() => void) | undefined;
  let dead: string | undefined;
  let rejectStart: ((e: Error) => void) | undefined;
  let ending = false;
  const die = (reason: string) => {
    if (dead !== undefined || ending) return;
    dead = reason;
    if (rejectStart !== undefined) rejectStart(startError(workerUrl, reason));
    else {
      drainCurrent?.();
      endCurrent(`its worker died (${reason})`);
      onDeath(reason);
    }
  };
  // A browser worker's error event travels apart from its jobs' ports, so it can overtake checkpoints
  // posted before the error; the job's own port brings the same news behind them (a `fault`, see
  // workerApi). With a job in flight the event therefore ends the worker only if that message has not
  // come within FAULT_WAIT_MS: a worker that can no longer post, or one that does not report.
  const errorEvent = (reason: string) => {
    if (current === undefined) die(reason);
    else setTimeout(() => die(reason), FAULT_WAIT_MS);
  };
  const w = isNode() ? await spawnNode(workerUrl, die) : spawnBrowser(workerUrl, errorEvent);
  // Held until terminate() releases it: Comlink releases an endpoint when the last proxy of it is
  // collected, and the worker then stops answering (comlink#692; test/pool/gc.node.test.ts).
  const remote = Comlink.wrap<WorkerApi>(w.endpoint);
  const control = shared ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
  if (control !== undefined) control[0] = -1;
  const started = new Promise<void>((resolve, reject) => {
    rejectStart = reject;
    remote.init(core, control).then(resolve, reject);
  });
  try {
    await started;
  } catch (e) {
    ending = true;
    await w.terminate();
    throw e instanceof BdlError ? e : startError(workerUrl, (e as Error).message);
  }
  rejectStart = undefined;
  w.setBusy(false);
  const sent = new Set<number>();
  return {
    run(job, key, run) {
      w.setBusy(true);
      const { port1, port2 } = new MessageChannel();
      return new Promise<JobOutcome>((resolve) => {
        const end = (out: JobOutcome) => {
          if (current !== end) return;
          current = undefined;
          drainCurrent = undefined;
          port1.onmessage = null;
          port1.close();
          port2.close();
          w.setBusy(false);
          resolve(out);
        };
        const receive = (m: JobMessage) => {
          if (m.type === 'progress') run.sink.progress(m.event);
          else if (m.type === 'checkpoint') run.sink.checkpoint(job.taskId, m.state, m.append);
          else if (m.type === 'fault') die(`uncaught error: ${m.message}`);
          else end(m.outcome);
        };
        current = end;
        drainCurrent = () => {
          for (let m = w.takeQueued?.(port1); m !== undefined && current === end; m = w.takeQueued?.(port1)) receive(m as JobMessage);
        };
        port1.onmessage = (e: MessageEvent<JobMessage>) => receive(e.data);
        if (!sent.has(run.id) && Object.keys(run.data).length > 0) {
          sent.add(run.id);
          remote.putData(run.id, run.data).catch(() => {});
        }
        // A task that cannot be structured-cloned fails here, before anything reaches the worker.
        remote.run(job, run.id, transferPort(port2), key).catch((e: Error) => end({ ok: false, code: 'E_WORKER', message: `worker call failed: ${e?.message ?? e}` }));
      });
    },
    cancel(key) {
      if (control !== undefined) Atomics.store(control, 0, key);
      else remote.cancel(key).catch(() => {});
    },
    release(runId) {
      if (sent.delete(runId) && dead === undefined) remote.dropData(runId).catch(() => {});
    },
    async terminate() {
      ending = true;
      endCurrent('its worker was terminated');
      remote[Comlink.releaseProxy]();
      await w.terminate();
    },
  };
}

/** Why no worker started from `workerUrl`, naming the script and the way out. */
function startError(workerUrl: string | URL | undefined, reason: string): BdlError {
  const which = workerUrl === undefined ? 'the bundled worker.js' : String(workerUrl);
  return new BdlError(
    'E_WORKER',
    `createPool: no worker started from ${which} (${reason}). Pass workerUrl as the URL of the package's dist/worker.js (a file: URL or absolute path in Node), omit it for the bundled one, or use { size: 0 } to run in-thread.`,
    'workerUrl',
  );
}

async function spawnNode(workerUrl: string | URL | undefined, die: (reason: string) => void): Promise<Spawned> {
  const { Worker, receiveMessageOnPort } = await nodeImport<typeof import('node:worker_threads')>('worker_threads');
  let w = workerUrl === undefined ? bundlerNodeWorker(Worker) : undefined;
  if (w === undefined) {
    const url = workerUrl ?? (await bundledWorkerUrl());
    try {
      w = newNodeWorker(Worker, url);
    } catch (e) {
      throw startError(workerUrl, (e as Error).message);
    }
  }
  w.on('error', (e: Error) => die(`uncaught error: ${e.message}`));
  w.on('exit', (code: number) => die(`exited with code ${code}`));
  return {
    endpoint: nodeEndpoint(w),
    async terminate() {
      await w.terminate();
    },
    setBusy(busy) {
      if (busy) w.ref();
      else w.unref();
    },
    takeQueued(port) {
      return receiveMessageOnPort(port as unknown as import('node:worker_threads').MessagePort)?.message;
    },
  };
}

/**
 * Workers inherit the process's flags, but refuse some (--input-type of `node -e`, per-process V8
 * flags): drop those and keep the rest (e.g. --experimental-wasm-relaxed-simd).
 */
function newNodeWorker(Worker: typeof import('node:worker_threads').Worker, url: string | URL): import('node:worker_threads').Worker {
  let execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  try {
    return new Worker(url, { execArgv });
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    const refused = (e as Error).message;
    execArgv = execArgv.filter((a) => !refused.includes(a.split('=')[0]));
    return new Worker(url, { execArgv });
  }
}

/**
 * The worker a bundler built for Node from the literal pattern (see literalWorker), if one did:
 * webpack's `target: 'node'` turns it into a worker_threads Worker on the worker chunk it wrote beside
 * the app, which is there wherever the app is deployed (the path to bdl-wasm's own worker.js that it
 * writes in for import.meta.url is the build machine's). Unbundled, Node has no global Worker and the
 * literal throws before it does anything; runtimes that have one (Deno, Bun) use the file path.
 */
function bundlerNodeWorker(NodeWorker: typeof import('node:worker_threads').Worker): import('node:worker_threads').Worker | undefined {
  if ('Worker' in globalThis) return undefined;
  let w: unknown;
  try {
    w = literalWorker();
  } catch (e) {
    if (e instanceof ReferenceError) return undefined;
    throw startError(undefined, (e as Error).message);
  }
  if (w instanceof NodeWorker) return w;
  void (w as { terminate?: () => unknown }).terminate?.();
  return undefined;
}

/**
 * The one place the worker is spawned by the literal `new Worker(new URL('./worker.js',
 * import.meta.url), { type: 'module' })`: consumer bundlers (Vite, webpack) find it and bundle the
 * worker entry, and rewrite it to spawn that bundle.
 */
function literalWorker(): Worker {
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
}

/** dist/worker.js beside this bundle; a clear error when running from unbuilt sources. */
async function bundledWorkerUrl(): Promise<URL> {
  // Through a variable: bundlers would take the literal for a browser asset to emit (this path is Node's).
  const base: unknown = import.meta.url;
  if (typeof base !== 'string' || base === '') {
    throw new BdlError(
      'E_WORKER',
      "worker script: this copy of bdl-wasm has no import.meta.url to find its worker.js beside (a CommonJS bundle, such as esbuild's default output for Node). Keep bdl-wasm external to the bundle (esbuild --packages=external), or bundle as ES modules with the worker as a second entry (esbuild app.js worker=bdl-wasm/worker --bundle --platform=node --format=esm), or pass createPool({ workerUrl }).",
      'workerUrl',
    );
  }
  const url = new URL('./worker.js', base);
  const fs = await nodeImport<typeof import('node:fs')>('fs');
  const { fileURLToPath } = await nodeImport<typeof import('node:url')>('url');
  if (url.protocol === 'file:' && !fs.existsSync(fileURLToPath(url))) {
    throw new BdlError(
      'E_WORKER',
      `worker script: expected ${url.href}, found no such file. An app bundled for Node needs bdl-wasm's worker beside its bundle (esbuild app.js worker=bdl-wasm/worker --bundle --platform=node --format=esm; webpack does it itself), or bdl-wasm kept external (esbuild --packages=external); from this repository's sources, run npm run build first; or pass createPool({ workerUrl }).`,
      'workerUrl',
    );
  }
  return url;
}

function spawnBrowser(workerUrl: string | URL | undefined, onError: (reason: string) => void): Spawned {
  let w: Worker;
  try {
    w = workerUrl === undefined ? literalWorker() : new Worker(workerUrl, { type: 'module' });
  } catch (e) {
    throw startError(workerUrl, (e as Error).message);
  }
  w.addEventListener('error', (e) => {
    e.preventDefault();
    onError(e.message ? `uncaught error: ${e.message}` : workerLoadHint(workerUrl));
  });
  return {
    endpoint: w,
    async terminate() {
      w.terminate();
    },
    setBusy() {},
  };
}

/**
 * Why a browser worker died without a message: its script did not load. Names the URL tried and the
 * fix. The base goes through a variable so bundlers do not take this `new URL` for an asset to emit.
 */
function workerLoadHint(workerUrl: string | URL | undefined): string {
  const base = import.meta.url;
  const tried = String(workerUrl ?? new URL('./worker.js', base));
  return (
    `the worker script ${tried} failed to load (missing, not JavaScript, or it threw). ` +
    (workerUrl === undefined
      ? "Bundlers that do not follow new Worker(new URL(...)) (esbuild) need bdl-wasm's worker as a second entry beside your bundle: " +
        'esbuild app.js worker=bdl-wasm/worker --bundle --format=esm --outdir=OUT; or pass createPool({ workerUrl }).'
      : 'Check that createPool({ workerUrl }) points at a built bdl-wasm worker (bdl-wasm/worker) served as JavaScript.')
  );
}

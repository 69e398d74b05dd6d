// A real Redis (Debian's redis-server on a free loopback port, in a temporary directory) and real
// `bdl worker` processes (the built dist/cli.js) for the queue tests. Every child process has a
// deadline after which it is killed, and its exit is awaited and reported.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Lib from '../../src/index.js';
import type * as Queue from '../../src/queue/index.js';

const REDIS = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
/** Why the queue tests skip, or undefined when Redis is here. */
export const redisMissing = existsSync(REDIS) ? undefined : `no redis-server at ${REDIS} (install Debian's redis-server, or set REDIS_SERVER): skipping the queue tests`;
if (redisMissing) console.log(redisMissing);

export const lib = (await import(/* @vite-ignore */ new URL('../../dist/index.js', import.meta.url).href)) as typeof Lib;
export const queue = (await import(/* @vite-ignore */ new URL('../../dist/queue.js', import.meta.url).href)) as typeof Queue;
export const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/** The package's version (package.json): what jobs carry and workers check. */
export const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
/** The test-only thread entry (test/pool/fault-worker.ts, built by the global setup). */
export const faultWorker = fileURLToPath(new URL('../../test-output/fault-worker.js', import.meta.url));
/** A queue worker process whose threads run {@link faultWorker} (test/queue/fault-queue-worker.ts, built by the global setup). */
const faultQueueWorker = fileURLToPath(new URL('../../test-output/fault-queue-worker.js', import.meta.url));

/** The outcome of a child process. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child with a deadline: killed (SIGKILL) if still running after `deadlineMs`. */
export function watch(child: ChildProcess, deadlineMs: number): Promise<Exit> {
  const t = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
  return new Promise((resolve) => child.once('exit', (code, signal) => (clearTimeout(t), resolve({ code, signal }))));
}

/** Runs the built `bdl ...args` in `cwd` with a deadline; resolves its exit code, stdout and stderr. */
export function runBdl(cwd: string, deadlineMs: number, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runBdlOn([], cwd, deadlineMs, ...args);
}

/** {@link runBdl} with `node` flags given to Node itself, before the script (`--experimental-wasm-relaxed-simd`). */
export async function runBdlOn(node: string[], cwd: string, deadlineMs: number, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...node, cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b) => (stdout += b));
  child.stderr!.on('data', (b) => (stderr += b));
  const exit = await watch(child, deadlineMs);
  return { code: exit.code, stdout, stderr };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface RedisServer {
  readonly url: string;
  /** Stops the server (SIGTERM: it writes its append-only file first) and awaits its exit. */
  stop(): Promise<Exit>;
  /** Starts it again on the same port and directory. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

/** Starts redis-server on a free loopback port; `appendonly` turns persistence on, `requirepass` sets a password. */
export async function startRedis(opts: { appendonly?: boolean; requirepass?: string } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bdl-redis-'));
  let proc: ChildProcess | undefined;
  let exit: Promise<Exit> | undefined;
  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--appendonly', opts.appendonly ? 'yes' : 'no', ...(opts.requirepass ? ['--requirepass', opts.requirepass] : [])];
    proc = spawn(REDIS, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    exit = watch(proc, 600_000);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${out}`)), 10_000);
      proc!.stdout!.on('data', (b: Buffer) => {
        out += b;
        if (out.includes('Ready to accept connections')) (clearTimeout(t), resolve());
      });
      void exit!.then((e) => (clearTimeout(t), reject(new Error(`redis-server exited (${e.code ?? e.signal}):\n${out}`))));
    });
  };
  await start();
  const stop = async () => {
    proc!.kill('SIGTERM');
    return exit!;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    async dispose() {
      if (proc!.exitCode === null && proc!.signalCode === null) await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Everything it wrote to stderr (its log). */
  log(): string;
  /** Resolves when it exits. */
  readonly exit: Promise<Exit>;
  /** SIGTERM, then its exit. */
  stop(): Promise<Exit>;
}

/** A test's teardown: the caller's pool closed, then its worker stopped (its exit returned), then Redis. */
export async function shutDown(pool: { close(): Promise<void> }, worker: WorkerProcess, redis: RedisServer): Promise<Exit> {
  await pool.close();
  const exit = await worker.stop();
  await redis.dispose();
  return exit;
}

/**
 * Starts `bdl worker --redis url` (one thread, lock of 2 s, stalled check every 1 s, unless `extra`
 * gives its own: a flag may be given once) and waits until it serves. `node` flags go to Node
 * itself, before the script (`--experimental-wasm-relaxed-simd`, `--import` of a preload).
 */
export function startWorker(url: string, extra: string[] = [], node: string[] = []): Promise<WorkerProcess> {
  const defaults = [['--concurrency', '1'], ['--lock-duration', '2000'], ['--stalled-interval', '1000']].filter(([flag]) => !extra.includes(flag)).flat();
  return serve([...node, cli, 'worker', '--redis', url, ...defaults, ...extra]);
}

/**
 * Starts a queue worker like {@link startWorker}'s whose thread runs the test-only entry: every task's
 * first attempt ends the thread by process.exit once it reaches step `crashAt`.
 */
export function startFaultWorker(url: string, crashAt: number): Promise<WorkerProcess> {
  return serve([faultQueueWorker, url, faultWorker], { BDL_TEST_CRASH_AT: String(crashAt) });
}

/** Runs `node ...args` (`env` added to ours) and waits until it logs that it serves. */
async function serve(args: string[], env: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  const exit = watch(child, 600_000);
  let err = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`bdl worker did not start within 30 s:\n${err}`)), 30_000);
    child.stderr!.on('data', (b: Buffer) => {
      err += b;
      if (err.includes('thread(s) on queue')) (clearTimeout(t), resolve());
    });
    void exit.then((e) => (clearTimeout(t), reject(new Error(`bdl worker exited (${e.code ?? e.signal}):\n${err}`))));
  });
  return {
    child,
    log: () => err,
    exit,
    stop() {
      child.kill('SIGTERM');
      return exit;
    },
  };
}

/** Every job count of the queue (all zero: nothing left behind). */
export async function jobCounts(url: string, name = 'bdl'): Promise<Record<string, number>> {
  const { Queue } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const conn = new Redis(url, { maxRetriesPerRequest: null });
  conn.on('error', () => {});
  const q = new Queue(name, { connection: conn });
  try {
    return await q.getJobCounts();
  } finally {
    await q.close();
    await conn.quit();
  }
}

/** redis-cli against the test server (for raw keys). */
export function redisCli(url: string, ...args: string[]): string {
  const port = new URL(url).port;
  return spawnSync('redis-cli', ['-p', port, ...args], { encoding: 'utf8', timeout: 10_000 }).stdout;
}

/** Waits until `ok` holds, checking every 50 ms; throws, naming `what`, after `ms`. */
export async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const t0 = performance.now();
  while (!(await ok())) {
    if (performance.now() - t0 > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether the queue holds no job in any state (nothing left behind). */
export async function queueEmpty(url: string, name = 'bdl'): Promise<boolean> {
  return Object.values(await jobCounts(url, name)).every((n) => n === 0);
}

/**
 * `bdl worker --redis URL`: serves the queue backend of the pool until stopped (SIGTERM or Ctrl-C
 * re-queue the running jobs, which resume from their checkpoints elsewhere). Also the one place the
 * other commands open a queue pool for `--redis`: the queue entry (and BullMQ) are imported only
 * when a Redis URL is given, so the rest of the command line never loads them.
 */
import { cpus } from 'node:os';
import { BdlError } from '../errors.js';
import type { Pool } from '../pool/types.js';
import { helpText, numberFlag, parseArgs, type FlagSpec } from './args.js';

export const WORKER_FLAGS: Record<string, FlagSpec> = {
  redis: { type: 'string', help: 'Redis URL, redis://[user:password@]host:port[/db] (rediss:// for TLS); default $BDL_REDIS_URL' },
  concurrency: { type: 'string', help: 'jobs at once, one wasm thread each (default: one per core)' },
  'allow-target': { type: 'string', help: 'comma-separated module paths of user log-densities this worker may run (default: none)' },
  queue: { type: 'string', help: 'queue name', default: 'bdl' },
  'lock-duration': { type: 'string', help: 'ms without a lock renewal after which a worker is presumed dead and its job retried', default: '30000' },
  'stalled-interval': { type: 'string', help: 'ms between checks for jobs of dead workers', default: '30000' },
  'progress-ms': { type: 'string', help: 'least ms between two progress reports of a job (raise it for hundreds of workers)', default: '100' },
  quiet: { type: 'boolean', help: 'no log lines' },
  debug: { type: 'boolean', help: 'print stack traces' },
  help: { type: 'boolean', help: 'this text' },
};

export async function workerCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const { flags } = parseArgs(argv, WORKER_FLAGS, 'worker');
  if (flags.help) {
    process.stdout.write(helpText('worker', 'run queued tasks (ensemble members, chains, …) from Redis until stopped', WORKER_FLAGS));
    return;
  }
  const url = redisUrl(flags.redis) ?? failNoRedis();
  const { createQueueWorker } = await import('../queue/index.js');
  const log = flags.quiet ? undefined : (line: string) => process.stderr.write(`bdl worker: ${line}\n`);
  const worker = await createQueueWorker({
    connection: url,
    queue: String(flags.queue),
    concurrency: numberFlag(flags, 'concurrency', { integer: true, min: 1 }) ?? cpus().length,
    allowTargets: typeof flags['allow-target'] === 'string' ? flags['allow-target'].split(',').filter((s) => s !== '') : [],
    lockDuration: numberFlag(flags, 'lock-duration', { integer: true, min: 1 }),
    stalledInterval: numberFlag(flags, 'stalled-interval', { integer: true, min: 1 }),
    progressInterval: numberFlag(flags, 'progress-ms', { integer: true, min: 1 }),
    log,
  });
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      signal.removeEventListener('abort', stop);
      log?.('stopping: running jobs go back to the queue');
      done();
    };
    process.once('SIGTERM', stop);
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop);
  });
  await worker.close();
  log?.('stopped');
}

/** `--redis` or $BDL_REDIS_URL (keeps a password out of the process list). */
function redisUrl(flag: string | boolean | undefined): string | undefined {
  const v = typeof flag === 'string' && flag !== '' ? flag : process.env.BDL_REDIS_URL;
  return v === undefined || v === '' ? undefined : v;
}

function failNoRedis(): never {
  throw new BdlError('E_ARG', '--redis: expected a Redis URL such as redis://127.0.0.1:6379 (or $BDL_REDIS_URL), found none.', 'redis');
}

/** The `--redis` flag every pool-using command takes. */
export const REDIS_FLAG: FlagSpec = { type: 'string', help: 'run the pool tasks on `bdl worker` processes through this Redis, redis://[:password@]host:port (default: local workers)' };

/**
 * Runs `f` with a queue pool on `--redis` (closed after), or with `undefined` — the command's own
 * local pool — when the flag is absent ($BDL_REDIS_URL is the worker's alone: a caller never goes
 * remote without asking).
 */
export async function withRedisPool<T>(flag: string | boolean | undefined, f: (pool: Pool | undefined) => Promise<T>): Promise<T> {
  if (typeof flag !== 'string' || flag === '') return f(undefined);
  const url = flag;
  const { createQueuePool } = await import('../queue/index.js');
  const pool = await createQueuePool({ connection: url });
  if (pool.size === 0) process.stderr.write('bdl: no `bdl worker` is connected to this queue yet; tasks wait until one starts\n');
  try {
    return await f(pool);
  } finally {
    await pool.close();
  }
}

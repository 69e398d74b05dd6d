/**
 * `bdl worker --redis URL`: serves the queue backend of the pool until stopped (SIGTERM or Ctrl-C
 * re-queue the running jobs, which resume from their checkpoints elsewhere). Also the one place the
 * other commands open a queue pool for `--redis`: the queue entry (and BullMQ) are imported only
 * when a Redis URL is given, so the rest of the command line never loads them.
 */
import { cpus } from 'node:os';
import { bool, int, schema, text, type Field } from '../options/schema.js';
import type { Pool } from '../pool/types.js';
import { compileCore } from '../wasm/load.js';
import { DEBUG_FIELD, flagsOf, HELP_FIELD, helpLines, optionsOf, parseFlags, UsageError, type Usage } from './args.js';

/**
 * A queue name flag, refused as it is parsed (createQueuePool's and createQueueWorker's rule, repeated
 * here because the queue entry, with BullMQ, loads only once a run starts).
 */
function queueName(o: { default?: string; help: string }): Field<string> {
  const valid = (v: unknown): v is string => typeof v === 'string' && /^[\w.-]+$/.test(v);
  return { ...text(o), expected: 'a name of letters, digits, _ . -', valid, fromText: (s) => (valid(s) ? s : undefined) };
}

const USAGE: Usage = { command: 'worker', line: 'usage: bdl worker --redis redis://host:port [--concurrency N] [--allow-target a.mjs,b.mjs]   (bdl worker --help)' };

/** The worker's options (createQueueWorker's, as flags). */
export const WORKER_OPTIONS = schema('bdl worker', {
  redis: text({ help: 'Redis URL, redis://[user:password@]host:port[/db] (rediss:// for TLS); default $BDL_REDIS_URL' }),
  concurrency: int({ min: 1, defaultText: 'one per core', help: 'jobs at once, one wasm thread each' }),
  allowTarget: text({ help: 'comma-separated module paths of user log-densities this worker may run (default: none)' }),
  queue: queueName({ default: 'bdl', help: 'queue name' }),
  lockDuration: int({ min: 1, default: 30_000, help: 'ms without a lock renewal after which a worker is presumed dead and its job retried' }),
  stalledInterval: int({ min: 1, default: 30_000, help: 'ms between checks for jobs of dead workers' }),
  progressMs: int({ min: 1, default: 100, help: 'least ms between two progress reports of a job (raise it for hundreds of workers)' }),
  checkpointMs: int({ min: 0, default: 1000, help: 'least ms between two checkpoint writes of a job to Redis (0: every checkpoint); a dead worker costs at most about this much redone work' }),
  stopTimeout: int({ min: 1, default: 5000, help: "ms a stopping worker (SIGTERM, SIGHUP, Ctrl-C) waits to hand its running jobs back before it exits anyway (Redis not answering: BullMQ's stalled check recovers them later)" }),
  quiet: bool({ default: false, help: 'no log lines' }),
});
const COMMAND_FIELDS = {
  debug: DEBUG_FIELD,
  help: HELP_FIELD,
};
const TABLE = { ...flagsOf(WORKER_OPTIONS.fields, 'worker'), ...flagsOf(COMMAND_FIELDS, 'command') };

export async function workerCommand(argv: string[], signal: AbortSignal): Promise<void> {
  const flags = parseFlags(argv, TABLE, USAGE);
  if (flags.get('help')) {
    process.stdout.write(`bdl worker — run queued tasks (ensemble members, chains, …) from Redis until stopped\n\n${USAGE.line}\n${helpLines(TABLE, ['worker', 'command'])}\n`);
    return;
  }
  const o = WORKER_OPTIONS.parse(optionsOf(flags, TABLE, ['worker']));
  const w = WORKER_OPTIONS;
  const url = redisUrl(o.redis);
  if (url === undefined) throw new UsageError('bdl worker: --redis: expected a Redis URL such as redis://127.0.0.1:6379 (or $BDL_REDIS_URL), found none.', USAGE, 'redis');
  const { createQueueWorker } = await import('../queue/index.js');
  const log = w.value(o, 'quiet') ? undefined : (line: string) => process.stderr.write(`bdl worker: ${line}\n`);
  // Listening from before the start: a signal while it connects (it logs its startup line first) stops it too.
  // SIGHUP (a closed terminal, a session logout) stops it as SIGTERM does: its running jobs go back
  // to the queue at once instead of waiting for their locks to expire.
  let stop = () => {};
  const unlisten = () => {
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    signal.removeEventListener('abort', stop);
  };
  const stopped = new Promise<void>((done) => {
    stop = () => {
      unlisten();
      log?.('stopping: running jobs go back to the queue');
      done();
    };
  });
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  signal.addEventListener('abort', stop);
  if (signal.aborted) stop();
  const worker = await createQueueWorker({
    connection: url,
    queue: w.value(o, 'queue'),
    concurrency: o.concurrency ?? cpus().length,
    allowTargets: (o.allowTarget ?? '').split(',').filter((s) => s !== ''),
    lockDuration: w.value(o, 'lockDuration'),
    stalledInterval: w.value(o, 'stalledInterval'),
    progressInterval: w.value(o, 'progressMs'),
    checkpointInterval: w.value(o, 'checkpointMs'),
    stopTimeout: w.value(o, 'stopTimeout'),
    log,
    // The callers' connect deadline (createQueuePool's): a bad URL or password fails, never hangs.
    startTimeout: 10_000,
    signal,
  }).catch((e: unknown) => {
    unlisten();
    throw e;
  });
  await stopped;
  await worker.close();
  log?.('stopped');
}

/** `--redis` or $BDL_REDIS_URL (keeps a password out of the process list). */
function redisUrl(flag: string | undefined): string | undefined {
  const v = flag !== undefined && flag !== '' ? flag : process.env.BDL_REDIS_URL;
  return v === undefined || v === '' ? undefined : v;
}

/** The `--redis` flag every pool-using command takes. */
export const REDIS_FIELD = text({ help: 'run the pool tasks on `bdl worker` processes through this Redis, redis://[:password@]host:port (default: local workers)' });

/** The `--queue` flag beside `--redis`: the workers' `--queue`. */
export const QUEUE_FIELD = queueName({ help: "with --redis: the queue's name, as the workers' --queue (default: bdl)" });

/** The `--withdraw-ms` flag beside `--redis`: how long a cancel waits for a lost Redis to withdraw the run's jobs. */
export const WITHDRAW_FIELD = int({ min: 0, max: 600_000, help: "with --redis: how long Ctrl-C waits for a lost connection to Redis to come back and withdraw the run's tasks, in ms (0: not at all; workers drop them once the run's lease lapses) (default: 3000)" });

/** The three queue flags of a pool-using command (fit, sample, compare). */
export const QUEUE_FIELDS = { redis: REDIS_FIELD, queue: QUEUE_FIELD, withdrawMs: WITHDRAW_FIELD };

/** The queue flags of a pool-using command, as parsed. */
export interface RedisFlags {
  redis?: unknown;
  queue?: unknown;
  withdrawMs?: unknown;
}

/**
 * Runs `f` with a queue pool on `--redis`, `--queue` and `--withdraw-ms` (closed after), or with
 * `undefined` — the command's own local pool — when `--redis` is absent ($BDL_REDIS_URL is the
 * worker's alone: a caller never goes remote without asking).
 */
export async function withRedisPool<T>(flags: RedisFlags, f: (pool: Pool | undefined) => Promise<T>): Promise<T> {
  const { redis: flag, queue, withdrawMs } = flags;
  if (typeof flag !== 'string' || flag === '') return f(undefined);
  const url = flag;
  const { createQueuePool } = await import('../queue/index.js');
  // A notice may land while a progress bar holds the terminal's line: it starts on a line of its own.
  const log = (line: string) => process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}bdl: ${line}\n`);
  // The core this run computes with here (--core, else the runtime's best): its jobs name it.
  const pool = await createQueuePool({ connection: url, log, core: await compileCore(), ...(typeof queue === 'string' && { queue }), ...(typeof withdrawMs === 'number' && { withdrawMs }) });
  if (pool.size === 0) process.stderr.write('bdl: no `bdl worker` is connected to this queue yet; tasks wait until one starts\n');
  try {
    return await f(pool);
  } finally {
    await pool.close();
  }
}

/**
 * A job's checkpoints in Redis, as the local pool keeps them: the last state, plus a list of every
 * item the job's checkpoints appended (a chain's kept draws), each stored once, in order. A retry
 * gets the state and the whole list back (`resume`, `resumeLog`).
 *
 * Each attempt claims the job's checkpoints with a fresh token, and a write lands only while its
 * attempt holds the claim (one Lua script: append, state and expiry together or not at all). So
 * the state and the log always agree, and an attempt the queue presumed dead (its lock expired)
 * cannot interleave its pieces with those of the attempt that replaced it.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { argError } from '../errors.js';
import { decodeValue, encodeValue } from './codec.js';
import { KEY_TTL_S, type queueKeys } from './connection.js';

// KEYS: state, log, owner. ARGV: token, ttl. Returns { state or false, log items }.
const CLAIM = `
redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[2])
return { redis.call('GET', KEYS[1]), redis.call('LRANGE', KEYS[2], 0, -1) }`;

// KEYS: state, log, owner. ARGV: token, ttl, state[, appended items]. Returns 1 if written, 0 if not the owner.
const WRITE = `
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return 0 end
if ARGV[4] then redis.call('RPUSH', KEYS[2], ARGV[4]) end
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[2])
return 1`;

type Keys = ReturnType<typeof queueKeys>;

/** The Redis keys of one job's checkpoints (state, log, owner), for reading and deleting. */
export function checkpointKeys(keys: Keys, jobId: string): [string, string, string] {
  return [keys.checkpoint(jobId), keys.checkpointLog(jobId), keys.checkpointOwner(jobId)];
}

/** Deletes the checkpoints (and stored results, and refusal records) of these jobs. */
export async function deleteCheckpoints(redis: Redis, keys: Keys, jobIds: readonly string[]): Promise<void> {
  if (jobIds.length > 0) await redis.del(...jobIds.flatMap((id) => [...checkpointKeys(keys, id), keys.result(id), keys.refusals(id)]));
}

/** Redis's default proto-max-bulk-len (512 MB), assumed when the server does not say (CONFIG forbidden). */
const DEFAULT_BULK_LIMIT = 512 * 2 ** 20;
/** Redis refuses a proto-max-bulk-len below 1 MB: a smaller value always fits, and needs no question to the server. */
const MIN_BULK_LIMIT = 2 ** 20;

const mb = (n: number) => `${(n / 2 ** 20).toFixed(n < 10 * 2 ** 20 ? 2 : 0)} MB`;

/**
 * Refuses (E_MEMORY, before sending) a value larger than the server's proto-max-bulk-len: Redis
 * would drop the connection mid-command, and a retry would only fail the same way. `argument`
 * names the value, `found` ends its description, `hint` says what to do.
 */
export async function checkBulkSize(redis: Redis, argument: string, size: number, found: string, hint: string): Promise<void> {
  if (size <= MIN_BULK_LIMIT) return;
  const given = await redis.config('GET', 'proto-max-bulk-len').then((r) => Number((r as string[])[1]), () => NaN);
  const limit = Number.isFinite(given) && given > 0 ? given : DEFAULT_BULK_LIMIT;
  if (size <= limit) return;
  throw argError(
    'E_MEMORY', argument, `at most ${mb(limit)} (${limit} bytes: this Redis server's proto-max-bulk-len${Number.isFinite(given) ? '' : ', assumed: the server would not say'})`,
    `${mb(size)} (${size} bytes) ${found}`, hint,
  );
}

/**
 * Refuses (E_MEMORY) a run whose data or largest job (its JSON, `job` bytes) Redis could not take
 * in one value, before the caller stores anything: the server would drop the connection
 * mid-command ("ERR Protocol error: invalid bulk length").
 */
export async function checkRunSize(redis: Redis, data: number, job: number): Promise<void> {
  const hint = 'Raise proto-max-bulk-len on the Redis server (512 MB by default), or run without --redis (the local pool has no such limit).';
  await checkBulkSize(redis, 'data', data, "of the run's data (stored in one Redis value)", hint);
  await checkBulkSize(redis, 'tasks', job, 'for the largest task description (one job, as JSON)', hint);
}

const checkResultSize = (redis: Redis, jobId: string, size: number) => checkBulkSize(
  redis, 'result', size, `for job ${jobId}`,
  'Return less per task: keep fewer samples per task (fewer draws, or thin them: --keep in bdl fit, --thin in bdl sample); or raise proto-max-bulk-len on the server; or run without --redis (the local pool has no such limit).',
);

/** Stores a finished job's result and drops its checkpoints, in one transaction; a result too large for Redis is E_MEMORY. */
export async function storeResult(redis: Redis, keys: Keys, jobId: string, bytes: Buffer): Promise<void> {
  await checkResultSize(redis, jobId, bytes.length);
  const replies = await redis.multi().set(keys.result(jobId), bytes, 'EX', KEY_TTL_S).del(...checkpointKeys(keys, jobId), keys.refusals(jobId)).exec();
  const failed = replies === null ? new Error('the transaction was aborted') : replies.find(([e]) => e)?.[0];
  if (failed) throw failed;
}

/** One attempt's hold on a job's checkpoints. */
export interface CheckpointClaim {
  /** The last checkpoint's state (undefined: none). */
  readonly resume: unknown;
  /** Every item earlier attempts' checkpoints appended, in order. */
  readonly resumeLog: unknown[];
  /**
   * Queues a checkpoint write behind the earlier ones, or, within `minIntervalMs` of the last
   * queued write, holds it: a later write (or `settled`) carries its state and items. A failed
   * write (Redis away) loses nothing: its items go with the next write, so the log never skips a piece.
   */
  write(state: unknown, append: readonly unknown[] | undefined): void;
  /** Resolves when every queued write has been tried; `flush` (default true) first queues a held one. */
  settled(opts?: { flush?: boolean }): Promise<void>;
}

export interface ClaimOptions {
  /**
   * Least ms between two checkpoint writes (default 0: every checkpoint is written). Each write
   * sends the state and the items since the last one through Redis; a task that checkpoints more
   * often than this (a chain: every 250 ms) is written at this pace, and a crash loses at most
   * about this much of its work. The first write comes this long after the claim.
   */
  readonly minIntervalMs?: number;
}

/** Claims a job's checkpoints for a new attempt and reads what earlier attempts left. */
export async function claimCheckpoints(redis: Redis, keys: Keys, jobId: string, opts: ClaimOptions = {}): Promise<CheckpointClaim> {
  const minIntervalMs = opts.minIntervalMs ?? 0;
  const ks = checkpointKeys(keys, jobId);
  const token = randomUUID();
  const [state, items] = (await redis.callBuffer('EVAL', CLAIM, 3, ...ks, token, KEY_TTL_S)) as [Buffer | null, Buffer[]];
  const resume = state ? decodeValue(state) : undefined;
  // Items from before a state are meaningless without it (cannot happen: they are written together).
  const resumeLog = state ? items.flatMap((b) => decodeValue(b) as unknown[]) : [];
  // Appends not yet in Redis, oldest first, each with the number of the checkpoint that made it.
  const unsent: Array<{ n: number; items: readonly unknown[] }> = [];
  let made = 0;
  let writes: Promise<void> = Promise.resolve();
  // The newest checkpoint not yet queued, and when the last write was queued.
  let held: { n: number; state: unknown } | undefined;
  let lastQueued = performance.now();

  const queueHeld = (): void => {
    const { n, state: s } = held!;
    held = undefined;
    lastQueued = performance.now();
    writes = writes.then(async () => {
      // This write's state goes with every item up to its own checkpoint, never a later one.
      const upTo = unsent.findIndex((u) => u.n > n);
      const batch = unsent.slice(0, upTo < 0 ? unsent.length : upTo);
      const appended = batch.flatMap((u) => u.items);
      try {
        const args: (string | number | Buffer)[] = [token, KEY_TTL_S, encodeValue(s)];
        if (appended.length > 0) args.push(encodeValue(appended));
        await redis.eval(WRITE, 3, ...ks, ...args);
        unsent.splice(0, batch.length);
      } catch {
        // Kept in `unsent` for the next write.
      }
    });
  };

  return {
    resume,
    resumeLog,
    write(s, append) {
      const n = ++made;
      unsent.push({ n, items: append ?? [] });
      held = { n, state: s };
      if (performance.now() - lastQueued >= minIntervalMs) queueHeld();
    },
    settled({ flush = true } = {}) {
      if (flush && held !== undefined) queueHeld();
      return writes;
    },
  };
}

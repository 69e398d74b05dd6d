/**
 * Redis connections and the queue's key names. A connection is a `redis://` or `rediss://` URL
 * (password, user, database and TLS carried by the URL) or ioredis options (for `tls: { ca, … }`
 * and everything else ioredis takes); both go to ioredis unchanged.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { argError, describe } from '../errors.js';
import { custom, required } from '../options/schema.js';

/** Where the queue lives: a URL, or ioredis options (host, port, password, tls, …). */
export type QueueConnection = string | RedisOptions;

/** The `connection` option of the queue pool and worker; a refused URL is shown without its password. */
export const CONNECTION = required(custom<QueueConnection>({
  expected: 'a redis:// or rediss:// URL, or ioredis options',
  valid: (v) => (typeof v === 'string' && /^rediss?:\/\//.test(v) && parses(v)) || (v !== null && typeof v === 'object' && !Array.isArray(v)),
  show: (v) => describe(typeof v === 'string' ? redactUrl(v) : v),
  hint: 'E.g. redis://127.0.0.1:6379 (rediss:// for TLS), or { host, port, password, tls }.',
  help: 'the Redis server',
}));

/** Whether a URL parses with a numeric port when it has one (ioredis would throw a bare "Invalid URL" TypeError). */
function parses(url: string): boolean {
  try {
    const u = new URL(url);
    return u.port === '' || /^\d+$/.test(u.port);
  } catch {
    return false;
  }
}

/** The queue's own keys beside BullMQ's (which live under `bull:<queue>:`). */
export function queueKeys(queue: string) {
  const base = `bdl:${queue}`;
  return {
    data: (hash: string) => `${base}:data:${hash}`,
    checkpoint: (jobId: string) => `${base}:ckpt:${jobId}`,
    /** The items a job's checkpoints appended (a list, oldest first). */
    checkpointLog: (jobId: string) => `${base}:ckptlog:${jobId}`,
    /** The token of the attempt allowed to write the job's checkpoints. */
    checkpointOwner: (jobId: string) => `${base}:ckptowner:${jobId}`,
    /** A finished job's result, as `encodeValue` bytes: binary, so neither BullMQ's job hash nor its event stream carries it. */
    result: (jobId: string) => `${base}:result:${jobId}`,
    cancelled: (runId: string) => `${base}:cancel:${runId}`,
    /** A run's lease: held by its caller while it waits (lease.ts); a worker runs the run's jobs only while it exists. */
    lease: (runId: string) => `${base}:lease:${runId}`,
    /** The workers' heartbeats: a sorted set of worker names, each scored with the time its last beat holds until (liveness.ts). */
    workers: `${base}:workers`,
    /** Which workers refused a job and why (a hash: worker name → reason), and how often it was handed back. */
    refusals: (jobId: string) => `${base}:refused:${jobId}`,
    /** Pub/sub channel carrying the id of each cancelled run. */
    cancelChannel: `${base}:cancel`,
  };
}

/** Kept data, checkpoints, results and cancel marks expire after a day: a crashed caller leaves nothing forever. */
export const KEY_TTL_S = 86_400;

/**
 * Opens an ioredis client on a connection its caller's options checked (CONNECTION); BullMQ needs
 * `maxRetriesPerRequest: null` on the connections it blocks on.
 */
export function openRedis(connection: QueueConnection, name: string): Redis {
  const base: RedisOptions = { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false };
  return quiet(typeof connection === 'string' ? new Redis(connection, base) : new Redis({ ...base, ...connection }));
}

/**
 * Refuses a database index the server does not have (E_ARG). ioredis selects the URL's `/db` (or
 * `db` option) on connecting and, when the server refuses it, only emits an error and stays on db 0,
 * so a mistyped index would silently share db 0 with other users of the server.
 */
export async function checkDatabase(redis: Redis, connection: QueueConnection): Promise<void> {
  const db = redis.options.db ?? 0;
  if (db === 0) return;
  try {
    await redis.select(db);
  } catch (e) {
    const message = (e as Error).message;
    if (!/out of range|invalid db|DB index/i.test(message)) throw e;
    // CONFIG may be renamed or forbidden (managed servers, ACLs): the server's answer is then named instead.
    const databases = await redis.config('GET', 'databases').then((r) => Number((r as string[])[1]), () => NaN);
    const has = Number.isInteger(databases) ? `this server has ${databases} (0 to ${databases - 1})` : `this server refused it (${message})`;
    throw argError(
      'E_ARG', 'connection', `a database index the server has (${has})`, `db ${db} in ${describeConnection(connection)}`,
      'Use an index the server has in the URL (redis://host:port/N), or raise `databases` in its redis.conf.',
    );
  }
}

/** Connection errors reach callers through failed commands and deadlines; ioredis reconnects by itself. */
function quiet(r: Redis): Redis {
  r.on('error', () => {});
  return r;
}

/** The URL with its password replaced, for logs and error messages (any scheme: a mistyped one too). */
export function redactUrl(url: string): string {
  // Greedy up to the last '@' before the path: a password holding '@' (redis://:a@b@host) is hidden whole;
  // ioredis also reads a password from the query (?password=…).
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^/]*@/i, '$1***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/** A connection described for a log line, never with its password. */
export function describeConnection(connection: QueueConnection): string {
  if (typeof connection === 'string') return redactUrl(connection);
  return `${connection.tls ? 'rediss' : 'redis'}://${connection.host ?? '127.0.0.1'}:${connection.port ?? 6379}`;
}

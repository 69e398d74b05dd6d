/**
 * Redis connections and the queue's key names. A connection is a `redis://` or `rediss://` URL
 * (password, user, database and TLS carried by the URL) or ioredis options (for `tls: { ca, … }`
 * and everything else ioredis takes); both go to ioredis unchanged.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { describe } from '../errors.js';
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

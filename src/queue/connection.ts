/**
 * Redis connections and the queue's key names. A connection is a `redis://` or `rediss://` URL
 * (password, user, database and TLS carried by the URL) or ioredis options (for `tls: { ca, … }`
 * and everything else ioredis takes); both go to ioredis unchanged.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { argError, describe } from '../errors.js';

/** Where the queue lives: a URL, or ioredis options (host, port, password, tls, …). */
export type QueueConnection = string | RedisOptions;

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
    cancelled: (runId: string) => `${base}:cancel:${runId}`,
    /** Pub/sub channel carrying the id of each cancelled run. */
    cancelChannel: `${base}:cancel`,
  };
}

/** Kept data, checkpoints and cancel marks expire after a day: a crashed caller leaves nothing forever. */
export const KEY_TTL_S = 86_400;

/** Opens an ioredis client; BullMQ needs `maxRetriesPerRequest: null` on the connections it blocks on. */
export function openRedis(connection: QueueConnection, name: string): Redis {
  const base: RedisOptions = { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false };
  if (typeof connection === 'string') {
    if (!/^rediss?:\/\//.test(connection)) {
      throw argError('E_ARG', 'connection', 'a redis:// or rediss:// URL (or ioredis options)', describe(redactUrl(connection)), 'E.g. redis://127.0.0.1:6379; rediss:// for TLS.');
    }
    return quiet(new Redis(connection, base));
  }
  if (connection === null || typeof connection !== 'object') {
    throw argError('E_ARG', 'connection', 'a redis:// URL or ioredis options', describe(connection), 'E.g. { host, port, password, tls }.');
  }
  return quiet(new Redis({ ...base, ...connection }));
}

/** Connection errors reach callers through failed commands and deadlines; ioredis reconnects by itself. */
function quiet(r: Redis): Redis {
  r.on('error', () => {});
  return r;
}

/** The URL with its password replaced, for logs and error messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*:)[^@]*@/, '$1***@');
}

/** A connection described for a log line, never with its password. */
export function describeConnection(connection: QueueConnection): string {
  if (typeof connection === 'string') return redactUrl(connection);
  return `${connection.tls ? 'rediss' : 'redis'}://${connection.host ?? '127.0.0.1'}:${connection.port ?? 6379}`;
}

/** The run data a queue worker keeps in memory (its `cacheSize` most recent data sets), each fetched once and checked against its hash. */
import type { Redis } from 'ioredis';
import { argError } from '../errors.js';
import type { TaskData } from '../pool/types.js';
import { decodeData, sha256 } from './codec.js';

/** Run data by hash: fetched once, checked against its hash, kept for the next jobs of the run. */
export function dataCache(redis: Redis, keyOf: (hash: string) => string, capacity: number, evicted: (id: number) => void) {
  const entries = new Map<string, Promise<{ id: number; data: TaskData }>>();
  let ids = 0;
  return {
    get(hash: string): Promise<{ id: number; data: TaskData }> {
      let e = entries.get(hash);
      if (e === undefined) {
        e = (async () => {
          const bytes = await redis.getBuffer(keyOf(hash));
          if (bytes === null) {
            throw argError(
              'E_FORMAT', 'job.data', `the run's data stored under ${hash.slice(0, 12)}…`, 'no such key: it expired or was never stored',
              "A caller keeps its run's data alive while it waits; it expires a day after the caller stopped (or lost Redis), or goes when Redis evicts it (maxmemory-policy). Run again from the caller.",
            );
          }
          const actual = sha256(bytes);
          if (actual !== hash) throw argError('E_FORMAT', 'job.data', `bytes hashing to ${hash.slice(0, 12)}…`, `bytes hashing to ${actual.slice(0, 12)}…`, 'The stored data does not match its hash: refused.');
          return { id: ++ids, data: decodeData(bytes) };
        })();
        e.catch(() => entries.delete(hash));
      } else {
        entries.delete(hash);
      }
      entries.set(hash, e);
      while (entries.size > capacity) {
        const [oldest, p] = entries.entries().next().value!;
        entries.delete(oldest);
        void p.then((x) => evicted(x.id), () => {});
      }
      return e;
    },
  };
}

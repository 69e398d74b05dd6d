// A job's checkpoints in Redis (a real server): the state and the appended log read back as the
// local pool hands them to a retry, a write that failed goes with the next one, and an attempt that
// lost its claim (presumed dead) cannot touch the log of the attempt that replaced it.
import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { checkpointKeys, claimCheckpoints, deleteCheckpoints, storeResult } from '../../src/queue/checkpoints.js';
import { decodeValue, encodeValue } from '../../src/queue/codec.js';
import { queueKeys } from '../../src/queue/connection.js';
import { redisMissing, startRedis } from './servers.js';

const keys = queueKeys('ckpt-test');

describe.skipIf(redisMissing)('queue checkpoints', () => {
  it('state and log: each piece stored once, in order; a failed write is carried by the next; a superseded attempt is ignored', async () => {
    const server = await startRedis();
    const redis = new Redis(server.url, { maxRetriesPerRequest: 0 });
    redis.on('error', () => {});
    try {
      const first = await claimCheckpoints(redis, keys, 'j-0');
      expect(first.resume).toBeUndefined();
      expect(first.resumeLog).toEqual([]);
      first.write({ at: 1 }, [Float64Array.of(1, -0), Float64Array.of(2)]);
      first.write({ at: 2 }, undefined);
      first.write({ at: 3 }, [Float64Array.of(NaN)]);
      await first.settled();
      // One list element per write that appended: the history is never re-sent.
      expect(await redis.llen(keys.checkpointLog('j-0'))).toBe(2);

      const second = await claimCheckpoints(redis, keys, 'j-0');
      expect(second.resume).toEqual({ at: 3 });
      expect(second.resumeLog).toEqual([Float64Array.of(1, -0), Float64Array.of(2), Float64Array.of(NaN)]);
      expect(Object.is((second.resumeLog[0] as Float64Array)[1], -0)).toBe(true);
      // The first attempt, presumed dead but still running, no longer writes.
      first.write({ at: 99 }, [Float64Array.of(99)]);
      await first.settled();
      // A write while Redis refuses it: its piece goes with the next write, after the earlier ones.
      second.write({ at: 4 }, [Float64Array.of(4)]);
      redis.disconnect();
      second.write({ at: 5 }, [Float64Array.of(5)]);
      await second.settled();
      await redis.connect();
      second.write({ at: 6 }, [Float64Array.of(6)]);
      await second.settled();

      const third = await claimCheckpoints(redis, keys, 'j-0');
      expect(third.resume).toEqual({ at: 6 });
      expect(third.resumeLog.map((a) => [...(a as Float64Array)])).toEqual([[1, -0], [2], [NaN], [4], [5], [6]]);
      for (const k of checkpointKeys(keys, 'j-0')) expect(await redis.ttl(k)).toBeGreaterThan(0);

      await deleteCheckpoints(redis, keys, ['j-0']);
      expect(await redis.exists(...checkpointKeys(keys, 'j-0'))).toBe(0);
    } finally {
      redis.disconnect();
      await server.dispose();
    }
  }, 60_000);

  it('within minIntervalMs of the last write a checkpoint is held: the next due write (or a flush) carries its items; a finished job drops it', async () => {
    const server = await startRedis();
    const redis = new Redis(server.url, { maxRetriesPerRequest: 0 });
    try {
      const claim = await claimCheckpoints(redis, keys, 'j-2', { minIntervalMs: 60_000 });
      claim.write({ at: 1 }, [Float64Array.of(1)]);
      claim.write({ at: 2 }, [Float64Array.of(2)]);
      await claim.settled({ flush: false });
      expect(await redis.exists(...checkpointKeys(keys, 'j-2'))).toBe(1); // the claim's owner key only
      claim.write({ at: 3 }, [Float64Array.of(3)]);
      await claim.settled();
      expect(await redis.llen(keys.checkpointLog('j-2'))).toBe(1); // one write for the three checkpoints
      const next = await claimCheckpoints(redis, keys, 'j-2');
      expect(next.resume).toEqual({ at: 3 });
      expect(next.resumeLog.map((a) => [...(a as Float64Array)])).toEqual([[1], [2], [3]]);
      await deleteCheckpoints(redis, keys, ['j-2']);
    } finally {
      redis.disconnect();
      await server.dispose();
    }
  }, 60_000);

  it('a result is stored binary under its own key with an expiry, and the checkpoints go with it', async () => {
    const server = await startRedis();
    const redis = new Redis(server.url, { maxRetriesPerRequest: 0 });
    try {
      const claim = await claimCheckpoints(redis, keys, 'j-1');
      claim.write({ at: 1 }, [Float64Array.of(1)]);
      await claim.settled();
      const value = { draws: Float64Array.of(1, -0, NaN, 2 ** -1074), n: 3 };
      await storeResult(redis, keys, 'j-1', encodeValue(value));
      expect(await redis.exists(...checkpointKeys(keys, 'j-1'))).toBe(0);
      const back = decodeValue((await redis.getBuffer(keys.result('j-1')))!) as typeof value;
      expect(back.n).toBe(3);
      expect(new Uint8Array(back.draws.buffer)).toEqual(new Uint8Array(value.draws.buffer));
      expect(await redis.ttl(keys.result('j-1'))).toBeGreaterThan(0);
      await deleteCheckpoints(redis, keys, ['j-1']);
      expect(await redis.exists(keys.result('j-1'))).toBe(0);
    } finally {
      redis.disconnect();
      await server.dispose();
    }
  }, 60_000);
});

/**
 * Which `bdl worker`s are alive, by heartbeat. Each worker writes its name into one sorted set of
 * the queue every HEARTBEAT_MS, scored with the time (Redis's own clock: workers' clocks may
 * disagree) until which it vouches for itself; readers keep the names whose score is still ahead.
 *
 * Redis's client list alone cannot say this: the connection of a worker whose machine died, or
 * whose network is cut, or whose process is frozen (SIGSTOP), stays listed until TCP gives up on it
 * (minutes: the server's tcp-keepalive), so a caller waiting on such a worker waited its full 15 s
 * bound, and a queue whose only worker was such a one never looked empty. A heartbeat stops with
 * the process's event loop, whatever happened to its socket. The client list, where the server lets
 * it be read, only narrows the heartbeats down (see liveWorkerNames): a killed process's connection
 * is closed by its operating system at once, before its last beat is out of date.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/** How often a worker beats. Its main thread computes nothing (tasks run on its threads), so beats are on time. */
export const HEARTBEAT_MS = 1000;
/**
 * How long one beat vouches for its worker: three beats. A worker whose last beat is older is
 * dead (killed, frozen, cut off); a live one would have to miss two beats running to be taken for
 * dead, and each misjudgment is benign (a cancel stops waiting on its job, which the cancel mark
 * stops anyway; the caller's no-worker notice; a refusal deciding without it).
 */
export const HEARTBEAT_TTL_MS = 3 * HEARTBEAT_MS;

// Redis's time in ms, in Lua (TIME: seconds and microseconds, as strings).
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: the set. ARGV: name, ttl ms. Records this beat, and lets the set itself go once no worker
// has beaten for a ttl (a queue left alone leaves nothing). Every worker runs it every second, so it
// does no more: the beats that ran out are dropped by the readers, which are few.
const BEAT = `${NOW}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

// KEYS: the set. Drops the beats that ran out; returns the names whose last beat still holds.
const BEATING = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. string.format('%d', now))
return redis.call('ZRANGEBYSCORE', KEYS[1], string.format('%d', now), '+inf')`;

/** One heartbeat write: `name` is alive for `ttlMs` more (Redis's clock). */
export async function beat(redis: Redis, key: string, name: string, ttlMs = HEARTBEAT_TTL_MS): Promise<void> {
  await redis.eval(BEAT, 1, key, name, ttlMs);
}

/** Withdraws `name` at once (a worker that stops cleanly is not left looking alive for a ttl). */
export async function unbeat(redis: Redis, key: string, name: string): Promise<void> {
  await redis.zrem(key, name);
}

/** The names whose heartbeat holds. */
async function beatingWorkers(redis: Redis, key: string): Promise<Set<string>> {
  return new Set((await redis.eval(BEATING, 1, key)) as string[]);
}

/**
 * The names of the queue's live workers (the caller's count of them, a cancel waiting for a worker
 * to stop its job, a job refused until every live worker has refused it): a fresh heartbeat, and,
 * when Redis's client list can be read, an open connection. A worker's name is what BullMQ
 * records as the `processedBy` of each job it takes, so a job's holder can be told alive or dead.
 *
 * The heartbeat catches a frozen process or a dead machine (whose connection lingers in the client
 * list); the client list catches a killed process at once (its connection closes before its last
 * beat runs out). A server that forbids CLIENT LIST (managed servers, ACLs) leaves the heartbeat.
 */
export async function liveWorkerNames(redis: Redis, key: string, queue: Queue): Promise<Set<string>> {
  const [beating, connected] = await Promise.all([beatingWorkers(redis, key), connectedWorkerNames(queue).catch(() => undefined)]);
  return connected === undefined ? beating : new Set([...beating].filter((n) => connected.has(n)));
}

/** The names BullMQ's workers gave their connections, from Redis's client list (one CLIENT LIST, O(clients)). */
async function connectedWorkerNames(queue: Queue): Promise<Set<string>> {
  const ws = await queue.getWorkers();
  const raw = ws.map((w) => (w as { rawname?: string }).rawname ?? '');
  return new Set(raw.filter((r) => r.includes(':w:')).map((r) => r.slice(r.indexOf(':w:') + 3)));
}

/** Deadlines on Redis: the connections wait for it for ever (BullMQ needs that), so every wait that must end is raced here. */
import type { Redis } from 'ioredis';

/** A promise's deadline passed (withTimeout). */
export class DeadlineError extends Error {}

/** `p`, or a DeadlineError once `ms` have passed (`p` is left to settle on its own, its rejection handled). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  p.catch(() => {});
  return Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new DeadlineError(`${what} within ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
}

/** Resolves true once the client is connected and ready, or false after `ms`. */
export function untilReady(redis: Redis, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(t);
      redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const t = setTimeout(() => done(false), ms);
    redis.on('ready', onReady);
  });
}

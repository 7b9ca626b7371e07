import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A lock one process of the installation holds at a time (SET NX with an expiry, so a crashed
 * holder frees it). Resolves with its release, or null when someone else holds it. Release deletes
 * only this holder's lock: after an expiry another process may hold the key.
 */
export async function tryRedisLock(redis: Redis, key: string, ttlMs: number): Promise<(() => Promise<void>) | null> {
  const owner = randomUUID();
  if ((await redis.set(key, owner, 'PX', ttlMs, 'NX')) !== 'OK') return null;
  return async () => {
    await redis.eval(RELEASE, 1, key, owner).catch(() => undefined);
  };
}

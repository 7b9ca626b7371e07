import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';

export type DependencyState = 'up' | 'down';

export interface DependencyHealth {
  postgres: DependencyState;
  redis: DependencyState;
  /** Why a dependency is down, for the person reading /readyz. */
  reasons: Partial<Record<'postgres' | 'redis', string>>;
}

const CHECK_TIMEOUT_MS = 1_000;

/**
 * Whether Postgres and Redis answer right now. A gateway serves calls through outages of either
 * (cached config and principals, traces journaled and spooled, non-destructive calls without
 * Redis), so this is reported, not a reason to leave the load balancer: readiness failing on a
 * shared dependency would take every replica out at once.
 */
export async function checkDependencies(db: DataSource, redis: Redis, subscriber: Redis): Promise<DependencyHealth> {
  const [postgres, ping] = await Promise.all([probe(() => db.query('SELECT 1')), probe(() => redis.ping())]);
  // The subscriber carries config changes and the session bus: without it this replica goes stale.
  const cache = ping ?? (subscriber.status === 'ready' ? null : `subscriber connection ${subscriber.status}`);
  return {
    postgres: postgres === null ? 'up' : 'down',
    redis: cache === null ? 'up' : 'down',
    reasons: { ...(postgres ? { postgres } : {}), ...(cache ? { redis: cache } : {}) },
  };
}

/** null when the check answered in time, else why not. */
async function probe(check: () => Promise<unknown>): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().then(() => null), timeout]);
  } catch (error) {
    return (error as Error).message;
  } finally {
    clearTimeout(timer);
  }
}

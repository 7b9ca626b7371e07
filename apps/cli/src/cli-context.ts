import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { baseEnvSchema, loadEnvConfig } from '@gatehouse/core';
import { createDataSource } from '@gatehouse/database';
import { publishConfigChange } from '@gatehouse/proxy';
import { announceSecretChange } from '@gatehouse/vault';

export const cliEnv = () => loadEnvConfig(baseEnvSchema.extend({ GATEHOUSE_ACTOR: z.string().optional() }));

/** Opens Postgres for one command and always closes it. */
export async function withDatabase<T>(fn: (db: DataSource) => Promise<T>): Promise<T> {
  const db = createDataSource({ url: cliEnv().DATABASE_URL, poolSize: 2, applicationName: 'gatehouse-cli' });
  await db.initialize();
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

/** Tells running gateways to drop cached config; a Redis outage only delays it (cache TTL). */
export async function announceConfigChange(tenantIds: string[], reason: string): Promise<void> {
  await withRedis(async (redis) => {
    for (const tenantId of tenantIds) await publishConfigChange(redis, { tenantId, reason });
  }, 'they pick the change up within 60 s');
}

/** Tells running gateways a tenant's secrets changed, so none keeps a cached old value. */
export async function announceSecretsChanged(tenantId: string): Promise<void> {
  await withRedis((redis) => announceSecretChange(redis, tenantId), 'their cached values expire within 30 s');
}

async function withRedis(fn: (redis: Redis) => Promise<void>, fallback: string): Promise<void> {
  const redis = new Redis(cliEnv().REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    await redis.connect();
    await fn(redis);
  } catch (error) {
    process.stderr.write(`warning: could not notify gateways over Redis (${(error as Error).message}); ${fallback}\n`);
  } finally {
    redis.disconnect();
  }
}

export function actor(): string {
  return cliEnv().GATEHOUSE_ACTOR ?? `cli:${process.env.USER ?? 'unknown'}`;
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { inject } from 'vitest';
import { createDataSource, migrate } from '@gatehouse/database';
import { loadGatewayConfig, startGateway, type RunningGateway } from '@gatehouse/gateway';
import { applyConfig, parseConfig } from '@gatehouse/config';
import { issuePersonalAccessToken } from '@gatehouse/identity';
import { Tenant, TenantScope, User } from '@gatehouse/tenancy';
import type { DataSource } from 'typeorm';
import { Redis } from 'ioredis';
import { publishConfigChange } from '@gatehouse/proxy';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

export const quietLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function uniqueSlug(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function openTestDatabase(): Promise<DataSource> {
  const db = createDataSource({ url: inject('databaseUrl'), poolSize: 4 });
  await db.initialize();
  return db;
}

/**
 * A migrated database of its own, for a test that breaks its database on purpose (an outage) and
 * must not take the other test files' shared database down with it. Drop it with `dropDatabase`.
 */
export async function createIsolatedDatabase(label: string): Promise<string> {
  const url = new URL(inject('databaseUrl'));
  url.pathname = `/${url.pathname.slice(1)}_${label}_${randomBytes(3).toString('hex')}`;
  await migrate(url.toString());
  return url.toString();
}

/** `createIsolatedDatabase` with a data source open on it (close it with `destroy()` before dropping). */
export async function openIsolatedDatabase(label: string, poolSize = 2): Promise<{ url: string; db: DataSource }> {
  const url = await createIsolatedDatabase(label);
  const db = createDataSource({ url, poolSize });
  await db.initialize();
  return { url, db };
}

export async function startTestGateway(env: Record<string, string> = {}): Promise<RunningGateway> {
  const config = loadGatewayConfig({
    DATABASE_URL: inject('databaseUrl'),
    REDIS_URL: inject('redisUrl'),
    GATEWAY_PORT: '0',
    TRACE_SPOOL_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-spool-')),
    ...env,
  });
  return startGateway(config, { logger: quietLogger });
}

/** Applies config and announces it over Redis, as `gatehouse apply` does. */
export async function applyYaml(db: DataSource, yaml: string, options: { approveDrift?: boolean } = {}) {
  const result = await applyConfig(db, parseConfig(yaml, 'test.yaml'), { actor: 'test', ...options });
  const redis = new Redis(inject('redisUrl'));
  try {
    for (const tenantId of result.tenantIds) await publishConfigChange(redis, { tenantId, reason: 'test apply' });
  } finally {
    redis.disconnect();
  }
  return result;
}

export async function issueToken(db: DataSource, tenantSlug: string, email: string, lifetimeMs?: number): Promise<string> {
  const tenant = await db.getRepository(Tenant).findOneOrFail({ where: { slug: tenantSlug } });
  const user = await new TenantScope(db.manager, tenant.id).findOne(User, { email });
  if (!user) throw new Error(`no user ${email} in ${tenantSlug}`);
  return (await issuePersonalAccessToken(db.manager, { tenantId: tenant.id, userId: user.id, lifetimeMs })).token;
}

export type Era = 'legacy' | 'modern';

/** A real SDK client to `/mcp/{tenant}/{profile}`, speaking the 2025 (legacy) or 2026-07-28 (modern) era. */
export async function connectClient(
  gatewayUrl: string,
  tenant: string,
  profile: string,
  token: string,
  era: Era = 'legacy',
): Promise<Client> {
  const client = new Client(
    { name: `e2e-${era}`, version: '9.9.9' },
    { versionNegotiation: era === 'modern' ? { mode: { pin: '2026-07-28' } } : { mode: 'legacy' } },
  );
  const transport = new StreamableHTTPClientTransport(new URL(`${gatewayUrl}/mcp/${tenant}/${profile}`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

/** Waits until the trace pipeline has flushed everything recorded so far. */
export async function flushTraces(gateway: RunningGateway): Promise<void> {
  await gateway.traces.flush();
}

/** Every row of every table as JSON text: what "nowhere at rest" is checked against. */
export async function everyRowAsText(db: DataSource): Promise<string> {
  const tables: Array<{ table_name: string }> = await db.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
  );
  const dumps = await Promise.all(tables.map(({ table_name }) => db.query(`SELECT row_to_json(t)::text AS row FROM "${table_name}" t`)));
  return dumps
    .flat()
    .map((r: { row: string }) => r.row)
    .join('\n');
}

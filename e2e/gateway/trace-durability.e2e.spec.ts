import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DataSource } from 'typeorm';
import type { Client } from '@modelcontextprotocol/client';
import { startDemoHttpServer, type DemoHttpServer } from '@gatehouse/demo-servers';
import type { RunningGateway } from '@gatehouse/gateway';
import { Tenant } from '@gatehouse/tenancy';
import { Redis } from 'ioredis';
import { publishConfigChange } from '@gatehouse/proxy';
import { dropDatabase } from '@gatehouse/database';
import { applyYaml, connectClient, openIsolatedDatabase, issueToken, startTestGateway, uniqueSlug } from '../support/test-gateway';

/**
 * A real outage of the trace store: the test database stops accepting connections and the
 * gateway's live connections are terminated, while clients keep calling. Calls must go on, and
 * once Postgres accepts connections again every trace must be there, exactly once.
 */
describe('trace durability under a Postgres outage', () => {
  let db: DataSource;
  // ALTER DATABASE ... ALLOW_CONNECTIONS must come from a connection to another database.
  let admin: DataSource;
  let gateway: RunningGateway;
  let upstream: DemoHttpServer;
  let client: Client;
  const tenant = uniqueSlug('durable');
  // Its own database: the outage below must not reach the other test files' shared one.
  let dbUrl: string;
  let dbName: string;

  beforeAll(async () => {
    ({ url: dbUrl, db } = await openIsolatedDatabase('outage'));
    dbName = new URL(dbUrl).pathname.slice(1);
    const adminUrl = new URL(dbUrl);
    adminUrl.pathname = '/postgres';
    admin = await new DataSource({ type: 'postgres', url: adminUrl.toString(), extra: { max: 1 } }).initialize();
    upstream = await startDemoHttpServer('codehost');
    await applyYaml(db, `
tenants:
  - slug: ${tenant}
    name: Durable
    servers: [{ name: codehost, transport: http, url: "${upstream.url}" }]
    profiles: [{ slug: main, tools: [{ server: codehost, tool: list_repositories }] }]
    groups: [{ idpGroup: all, profiles: [main] }]
    users: [{ email: u@${tenant}.test, groups: [all] }]
`);
    gateway = await startTestGateway({ DATABASE_URL: dbUrl });
    client = await connectClient(gateway.url, tenant, 'main', await issueToken(db, tenant, `u@${tenant}.test`));
  });
  afterAll(async () => {
    await admin?.query(`ALTER DATABASE "${dbName}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin?.destroy();
    await client?.close();
    await gateway?.close();
    await upstream?.close();
    await db?.destroy();
    if (dbUrl) await dropDatabase(dbUrl);
  });

  it('keeps serving calls and loses no trace while Postgres refuses connections', { timeout: 90_000 }, async () => {
    const tenantId = (await db.getRepository(Tenant).findOneOrFail({ where: { slug: tenant } })).id;
    const call = () => client.callTool({ name: 'list_repositories', arguments: {} });
    for (let i = 0; i < 20; i++) expect((await call()).isError).toBeFalsy();

    // The outage: no new connections to this database, and the gateway's are cut.
    await admin.query(`ALTER DATABASE "${dbName}" ALLOW_CONNECTIONS false`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'gatehouse-gateway'`, [dbName]);
    // A config change of this tenant mid-outage forces fresh lookups: last-known-good must answer.
    const redis = new Redis(inject('redisUrl'));
    await publishConfigChange(redis, { tenantId, reason: 'test' });
    redis.disconnect();
    await new Promise((r) => setTimeout(r, 100));
    const during = await Promise.all(Array.from({ length: 150 }, call));
    expect(during.every((r) => !r.isError)).toBe(true);
    await gateway.traces.flush();
    expect(gateway.traces.getStats().spooled).toBeGreaterThan(0);

    await admin.query(`ALTER DATABASE "${dbName}" ALLOW_CONNECTIONS true`);
    for (let i = 0; i < 30; i++) expect((await call()).isError).toBeFalsy();
    await expect
      .poll(async () => (await db.query('SELECT count(*)::int AS c FROM traces WHERE tenant_id = $1', [tenantId]))[0].c, { timeout: 40_000, interval: 250 }) // the replay retries with backoff (up to 30 s)
      .toBe(200);
    const [{ distinct }] = await db.query('SELECT count(DISTINCT id)::int AS distinct FROM traces WHERE tenant_id = $1', [tenantId]);
    expect(distinct).toBe(200);
  });
});

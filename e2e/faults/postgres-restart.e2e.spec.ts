import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { Redis } from 'ioredis';
import type { Client } from '@modelcontextprotocol/client';
import { startDemoHttpServer, type DemoHttpServer } from '@gatehouse/demo-servers';
import type { RunningGateway } from '@gatehouse/gateway';
import { dropDatabase } from '@gatehouse/database';
import { publishConfigChange } from '@gatehouse/proxy';
import { Tenant } from '@gatehouse/tenancy';
import { applyYaml, connectClient, openIsolatedDatabase, issueToken, startTestGateway, uniqueSlug } from '../support/test-gateway';
import { startSeverableProxy, targetOf, type SeverableProxy } from './support/severable-proxy';
import { keepCalling, sleep } from './support/call-load';

/**
 * Postgres restarted under load. The gateway reaches Postgres through a TCP proxy the test severs
 * (every connection reset, the port refusing) and restores, while clients of both eras keep
 * calling. The machine's Postgres is shared with other test files and is never touched.
 */
describe('fault: Postgres restarts under load', () => {
  let dbUrl: string;
  let db: DataSource; // the test's own view of the database, never through the proxy
  let proxy: SeverableProxy;
  let upstream: DemoHttpServer;
  let gateway: RunningGateway;
  const tenant = uniqueSlug('pgrestart');
  const clients: Record<string, Client> = {};
  let tenantId: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    ({ url: dbUrl, db } = await openIsolatedDatabase('pgrestart'));
    upstream = await startDemoHttpServer('codehost');
    await applyYaml(
      db,
      `
tenants:
  - slug: ${tenant}
    name: Postgres restart
    servers: [{ name: codehost, transport: http, url: "${upstream.url}" }]
    profiles: [{ slug: main, tools: [{ server: codehost, tool: list_repositories }] }]
    groups: [{ idpGroup: all, profiles: [main] }]
    users: [{ email: a@${tenant}.test, groups: [all] }, { email: b@${tenant}.test, groups: [all] }, { email: late@${tenant}.test, groups: [all] }]
`,
    );
    tenantId = (await db.getRepository(Tenant).findOneOrFail({ where: { slug: tenant } })).id;
    proxy = await startSeverableProxy(targetOf(dbUrl));
    gateway = await startTestGateway({ DATABASE_URL: proxy.via(dbUrl) });
    tokens.a = await issueToken(db, tenant, `a@${tenant}.test`);
    tokens.b = await issueToken(db, tenant, `b@${tenant}.test`);
    clients.legacyA = await connectClient(gateway.url, tenant, 'main', tokens.a, 'legacy');
    clients.modernA = await connectClient(gateway.url, tenant, 'main', tokens.a, 'modern');
    clients.legacyB = await connectClient(gateway.url, tenant, 'main', tokens.b, 'legacy');
  });
  afterAll(async () => {
    for (const client of Object.values(clients)) await client.close().catch(() => undefined);
    await gateway?.close();
    await proxy?.close();
    await upstream?.close();
    await db?.destroy();
    if (dbUrl) await dropDatabase(dbUrl);
  });

  it('keeps every call of connected clients succeeding through the restart and loses no trace', { timeout: 60_000 }, async () => {
    const tracesBefore = await traceCount();
    const load = keepCalling(clients, { name: 'list_repositories', arguments: {} });
    await sleep(1_000);

    await proxy.sever();
    const severedAt = Date.now();
    // A config change mid-outage makes every cache look again: principals and endpoints must fall
    // back to what they last knew instead of failing calls.
    const redis = new Redis(inject('redisUrl'));
    await publishConfigChange(redis, { tenantId, reason: 'fault test' });
    redis.disconnect();
    // A client that opens a new session during the outage, with a token the gateway has seen.
    const reconnecting = await connectClient(gateway.url, tenant, 'main', tokens.b!, 'legacy');
    expect((await reconnecting.callTool({ name: 'list_repositories', arguments: {} })).isError).toBeFalsy();
    // It serves, so it stays in the load balancer (an outage of the shared database must not take
    // every replica out at once); the outage shows in /readyz's body and in /metrics.
    const readyDuring = await fetch(`${gateway.url}/readyz`);
    expect(readyDuring.status).toBe(200);
    expect(await readyDuring.json()).toMatchObject({ status: 'degraded', dependencies: { postgres: 'down', redis: 'up' } });
    expect(await (await fetch(`${gateway.url}/metrics`)).text()).toContain('gatehouse_dependency_up{dependency="postgres"} 0');
    await sleep(3_000);
    await proxy.restore();
    const restoredAt = Date.now();

    await sleep(2_000);
    await load.stop();
    await reconnecting.close();

    const calls = load.outcomes;
    const during = calls.filter((c) => c.endedAt >= severedAt && c.startedAt <= restoredAt);
    const failed = calls.filter((c) => c.error);
    console.info(
      `[fault:postgres] ${calls.length} calls (${during.length} overlapping the ${restoredAt - severedAt} ms outage), ${failed.length} failed, ` +
        `slowest ${Math.max(...calls.map((c) => c.endedAt - c.startedAt))} ms; traces spooled ${gateway.traces.getStats().spooled}`,
    );
    expect(during.length).toBeGreaterThan(20);
    expect(failed).toEqual([]);
    // The outage really reached the trace pipeline: traces went to the disk spool, not to Postgres.
    expect(gateway.traces.getStats().spooled).toBeGreaterThan(0);

    // Every call is in Postgres exactly once (the spool replays with backoff, up to a few seconds).
    const expected = tracesBefore + calls.length + 1; // + the reconnecting client's call
    await expect.poll(traceCount, { timeout: 30_000, interval: 250 }).toBe(expected);
    const [{ distinct }] = await db.query('SELECT count(DISTINCT id)::int AS distinct FROM traces WHERE tenant_id = $1', [tenantId]);
    expect(distinct).toBe(expected);
    // And the gateway's own pool is healthy again.
    const after = await fetch(`${gateway.url}/readyz`);
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ status: 'ready', dependencies: { postgres: 'up', redis: 'up' } });
    expect(await (await fetch(`${gateway.url}/metrics`)).text()).toContain('gatehouse_dependency_up{dependency="postgres"} 1');
  });

  it(
    'refuses a token it has never seen only while Postgres is down, and accepts it the moment it is back',
    { timeout: 30_000 },
    async () => {
      const fresh = await issueToken(db, tenant, `late@${tenant}.test`);
      await proxy.sever();
      try {
        const refused = await connectClient(gateway.url, tenant, 'main', fresh, 'legacy').catch((e: unknown) => e);
        expect(String(refused)).toMatch(/cannot reach its database to check this token; try again shortly/);
      } finally {
        await proxy.restore();
      }
      // The first attempt after the restore succeeds: no negative cache, no broken pool connection.
      const client = await connectClient(gateway.url, tenant, 'main', fresh, 'modern');
      expect((await client.callTool({ name: 'list_repositories', arguments: {} })).isError).toBeFalsy();
      await client.close();
    },
  );

  async function traceCount(): Promise<number> {
    return (await db.query('SELECT count(*)::int AS c FROM traces WHERE tenant_id = $1', [tenantId]))[0].c;
  }
});

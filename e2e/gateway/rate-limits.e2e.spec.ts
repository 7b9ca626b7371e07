import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { Client } from '@modelcontextprotocol/client';
import { startDemoHttpServer, type DemoHttpServer } from '@gatehouse/demo-servers';
import type { RunningGateway } from '@gatehouse/gateway';
import { Trace } from '@gatehouse/audit';
import { parseConfig } from '@gatehouse/config';
import { applyYaml, connectClient, issueToken, openTestDatabase, startTestGateway, uniqueSlug } from '../support/test-gateway';

const yaml = (slug: string, url: string, limits: string) => `
tenants:
  - slug: ${slug}
    name: ${slug}
    limits:${limits}
    servers: [{ name: codehost, transport: http, url: "${url}" }]
    profiles:
      - slug: coding
        tools:
          - { server: codehost, tool: list_repositories }
          - { server: codehost, tool: clone_repository, approval: never }
    groups: [{ idpGroup: devs, role: member, profiles: [coding] }]
    users:
      - { email: dev@${slug}.test, groups: [devs] }
      - { email: dev2@${slug}.test, groups: [devs] }
`;

type Outcome =
  | { isError?: boolean; content: Array<{ text?: string }> }
  | { error: { code?: number; message: string; data?: { retryAfterSeconds?: number } } };
const attempt = (client: Client, name: string, args: Record<string, unknown> = {}): Promise<Outcome> =>
  client.callTool({ name, arguments: args }).then(
    (r) => r as Outcome,
    (error: { code?: number; message: string; data?: { retryAfterSeconds?: number } }) => ({ error }),
  );
const refused = (o: Outcome) => 'error' in o;

describe('rate limits: Redis token buckets per tenant, user and tool, shared by every gateway', () => {
  let db: DataSource;
  let upstream: DemoHttpServer;
  let gateways: RunningGateway[];
  const acme = uniqueSlug('acme');
  const globex = uniqueSlug('globex');
  const clients: Record<string, Client[]> = {};

  beforeAll(async () => {
    db = await openTestDatabase();
    upstream = await startDemoHttpServer('codehost');
    await applyYaml(db, yaml(acme, upstream.url, ` { user: 4/min, tools: [{ server: codehost, tool: clone_repository, perUser: 1/h }] }`));
    await applyYaml(db, yaml(globex, upstream.url, ` { tenant: 3/min }`));
    gateways = [await startTestGateway(), await startTestGateway()];
    for (const [tenant, who] of [
      [acme, 'dev'],
      [acme, 'dev2'],
      [globex, 'dev'],
      [globex, 'dev2'],
    ] as const) {
      const token = await issueToken(db, tenant, `${who}@${tenant}.test`);
      clients[`${tenant}/${who}`] = await Promise.all(gateways.map((g) => connectClient(g.url, tenant, 'coding', token)));
    }
  });
  afterAll(async () => {
    for (const list of Object.values(clients)) for (const c of list) await c.close();
    for (const g of gateways ?? []) await g.close();
    await upstream?.close();
    await db?.destroy();
  });

  it('limits each user across gateways, says when to retry, leaves other users alone, and traces the refusal', async () => {
    const dev = clients[`${acme}/dev`]!;
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push(await attempt(dev[i % 2]!, 'list_repositories'));
    expect(outcomes.slice(0, 4).every((o) => !refused(o))).toBe(true); // 4/min, spent on two gateways
    const limited = outcomes[4] as { error: { code: number; message: string; data: { code: string; retryAfterSeconds: number } } };
    expect(limited.error.code).toBe(-32029);
    expect(limited.error.message).toMatch(/Rate limit reached for you \(4 calls per minute\); retry in \d+ s\./);
    expect(limited.error.data).toMatchObject({ code: 'rate_limited' });
    expect(limited.error.data.retryAfterSeconds).toBeGreaterThanOrEqual(10);
    expect(limited.error.data.retryAfterSeconds).toBeLessThanOrEqual(15);
    expect(refused(await attempt(clients[`${acme}/dev2`]![0]!, 'list_repositories'))).toBe(false);

    await Promise.all(gateways.map((g) => g.traces.flush()));
    const denied = await db.getRepository(Trace).find({ where: { userEmail: `dev@${acme}.test`, errorCode: 'rate_limited' } });
    expect(denied).toHaveLength(1);
    expect(denied[0]!.status).toBe('denied');
  });

  it('applies a per-tool quota per user, and a tenant-wide limit to everyone together', async () => {
    const dev2 = clients[`${acme}/dev2`]![1]!;
    expect(refused(await attempt(dev2, 'clone_repository', { name: 'web-storefront', steps: 1 }))).toBe(false);
    const again = await attempt(dev2, 'clone_repository', { name: 'web-storefront', steps: 1 });
    expect(refused(again)).toBe(true);
    expect((again as { error: { message: string } }).error.message).toContain(
      'Rate limit reached for you on clone_repository (1 call per hour)',
    );

    // globex: 3/min for the whole tenant, whoever calls, whichever gateway.
    const calls = [
      await attempt(clients[`${globex}/dev`]![0]!, 'list_repositories'),
      await attempt(clients[`${globex}/dev2`]![1]!, 'list_repositories'),
      await attempt(clients[`${globex}/dev`]![1]!, 'list_repositories'),
      await attempt(clients[`${globex}/dev2`]![0]!, 'list_repositories'),
    ];
    expect(calls.map(refused)).toEqual([false, false, false, true]);
    expect((calls[3] as { error: { message: string } }).error.message).toContain(
      'Rate limit reached for this organisation (3 calls per minute)',
    );
  });

  it('refuses a malformed rate with the file and line', () => {
    expect(() => parseConfig(yaml('bad', 'http://127.0.0.1:1/mcp', ' { user: lots }'), 'bad.yaml')).toThrow(
      /bad\.yaml:\d+:\d+.*"lots" is not a rate like 60\/min/s,
    );
  });
});

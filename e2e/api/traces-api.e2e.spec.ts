import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { startDemoHttpServer, type DemoHttpServer } from '@gatehouse/demo-servers';
import type { RunningGateway } from '@gatehouse/gateway';
import type { RunningApi } from '@gatehouse/api';
import { startTestApi } from '../support/test-api';
import { applyYaml, connectClient, issueToken, openTestDatabase, startTestGateway, uniqueSlug } from '../support/test-gateway';

const yaml = (slug: string, url: string) => `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers: [{ name: codehost, transport: http, url: "${url}" }]
    profiles: [{ slug: coding, tools: [{ server: codehost, tool: list_repositories }] }]
    groups:
      - { idpGroup: devs, role: member, profiles: [coding] }
      - { idpGroup: sec, role: admin, profiles: [coding] }
    users:
      - { email: alice@${slug}.test, groups: [devs] }
      - { email: bob@${slug}.test, groups: [devs] }
      - { email: admin@${slug}.test, groups: [sec] }
`;

describe('GET /api/tenants/{tenant}/traces', () => {
  let db: DataSource;
  let upstream: DemoHttpServer;
  let gateway: RunningGateway;
  let api: RunningApi;
  const acme = uniqueSlug('acme');
  const globex = uniqueSlug('globex');
  const tokens: Record<string, string> = {};
  const get = (path: string, token?: string) => fetch(`${api.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    db = await openTestDatabase();
    upstream = await startDemoHttpServer('codehost');
    await applyYaml(db, yaml(acme, upstream.url));
    await applyYaml(db, yaml(globex, upstream.url));
    for (const who of ['alice', 'bob', 'admin']) tokens[who] = await issueToken(db, acme, `${who}@${acme}.test`);
    tokens.globexAdmin = await issueToken(db, globex, `admin@${globex}.test`);
    gateway = await startTestGateway();
    api = await startTestApi();
    for (const who of ['alice', 'alice', 'bob']) {
      const client = await connectClient(gateway.url, acme, 'coding', tokens[who]!);
      await client.callTool({ name: 'list_repositories', arguments: { owner: who } });
      await client.close();
    }
    await gateway.traces.flush();
  });
  afterAll(async () => {
    await api?.close();
    await gateway?.close();
    await upstream?.close();
    await db?.destroy();
  });

  it('lets an admin read every trace of the tenant, filtered and paginated', async () => {
    const all = await (await get(`/api/tenants/${acme}/traces`, tokens.admin)).json();
    expect(all.items).toHaveLength(3);
    const page = await (await get(`/api/tenants/${acme}/traces?limit=2`, tokens.admin)).json();
    expect(page.items).toHaveLength(2);
    const next = await (await get(`/api/tenants/${acme}/traces?limit=2&cursor=${page.nextCursor}`, tokens.admin)).json();
    expect(next.items).toHaveLength(1);
    const text = await (await get(`/api/tenants/${acme}/traces?q=bob`, tokens.admin)).json();
    expect(text.items.map((t: { userEmail: string }) => t.userEmail)).toEqual([`bob@${acme}.test`]);
    // A user by e-mail address (any case) or by id.
    const byEmail = await (await get(`/api/tenants/${acme}/traces?user=ALICE@${acme}.test`, tokens.admin)).json();
    expect(byEmail.items).toHaveLength(2);
    const byId = await (await get(`/api/tenants/${acme}/traces?user=${byEmail.items[0].userId}`, tokens.admin)).json();
    expect(byId.items.map((t: { id: string }) => t.id)).toEqual(byEmail.items.map((t: { id: string }) => t.id));
  });

  it('reads one trace by id with the same visibility, and the same 404 for anything else', async () => {
    const all = (await (await get(`/api/tenants/${acme}/traces`, tokens.admin)).json()).items as Array<{ id: string; userEmail: string }>;
    const bobs = all.find((t) => t.userEmail === `bob@${acme}.test`)!;
    const one = await get(`/api/tenants/${acme}/traces/${bobs.id}`, tokens.admin);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ id: bobs.id, userEmail: `bob@${acme}.test`, arguments: { owner: 'bob' } });
    expect((await get(`/api/tenants/${acme}/traces/${bobs.id}`, tokens.bob)).status).toBe(200);
    for (const [path, token] of [
      [`/api/tenants/${acme}/traces/${bobs.id}`, tokens.alice], // a member, someone else's call
      [`/api/tenants/${globex}/traces/${bobs.id}`, tokens.globexAdmin], // another tenant
      [`/api/tenants/${acme}/traces/00000000-0000-4000-8000-000000000000`, tokens.admin],
      [`/api/tenants/${acme}/traces/not-a-uuid`, tokens.admin],
    ] as const) {
      const res = await get(path, token);
      expect(res.status, path).toBe(404);
      expect((await res.json()).error.code).toBe('not_found');
    }
  });

  it('shows a member only their own traces, whatever they ask for', async () => {
    const mine = await (await get(`/api/tenants/${acme}/traces?user=bob@${acme}.test`, tokens.alice)).json();
    expect(mine.items).toHaveLength(2);
    expect(mine.items.every((t: { userEmail: string }) => t.userEmail === `alice@${acme}.test`)).toBe(true);
  });

  it("never shows one tenant's traces to another tenant's token", async () => {
    const res = await get(`/api/tenants/${acme}/traces`, tokens.globexAdmin);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('tenant_not_found');
    const own = await (await get(`/api/tenants/${globex}/traces`, tokens.globexAdmin)).json();
    expect(own.items).toHaveLength(0);
  });

  it('limits a search to a time range with since (inclusive) and until (exclusive)', async () => {
    const all = (await (await get(`/api/tenants/${acme}/traces`, tokens.admin)).json()).items as Array<{ id: string; createdAt: string }>;
    const [newest, middle, oldest] = all as [(typeof all)[0], (typeof all)[0], (typeof all)[0]];
    const range = (since: string, until: string) =>
      get(`/api/tenants/${acme}/traces?since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`, tokens.admin);
    const between = await (await range(middle.createdAt, newest.createdAt)).json();
    expect(between.items.map((t: { id: string }) => t.id)).toEqual([middle.id]);
    const everything = await (await range(oldest.createdAt, new Date(Date.parse(newest.createdAt) + 1).toISOString())).json();
    expect(everything.items).toHaveLength(3);
    const past = await (await get(`/api/tenants/${acme}/traces?until=1h`, tokens.admin)).json();
    expect(past.items).toHaveLength(0);
  });

  it('rejects missing tokens and bad filters with clear errors', async () => {
    const missing = await get(`/api/tenants/${acme}/traces`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const bad = await get(`/api/tenants/${acme}/traces?status=maybe`, tokens.admin);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('validation_failed');
    const cursor = await get(`/api/tenants/${acme}/traces?cursor=nope`, tokens.admin);
    expect(cursor.status).toBe(400);
    const until = await get(`/api/tenants/${acme}/traces?until=next-tuesday`, tokens.admin);
    expect(until.status).toBe(400);
    expect((await until.json()).error).toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('invalid time "next-tuesday"'),
    });
    const inverted = await get(`/api/tenants/${acme}/traces?since=1h&until=2h`, tokens.admin);
    expect(inverted.status).toBe(400);
    expect((await inverted.json()).error.message).toMatch(/^since \(.+\) must be before until \(.+\)$/);
  });
});

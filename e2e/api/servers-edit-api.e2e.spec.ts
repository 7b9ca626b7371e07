import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { Redis } from 'ioredis';
import { parse as parseYaml } from 'yaml';
import type { RunningGateway } from '@gatehouse/gateway';
import { loadApiConfig, startApi, type RunningApi } from '@gatehouse/api';
import { subscribeConfigChanges, type ConfigChange } from '@gatehouse/proxy';
import { Tenant } from '@gatehouse/tenancy';
import { applyYaml, connectClient, issueToken, openTestDatabase, startTestGateway, uniqueSlug } from '../support/test-gateway';
import { startTestApi, apiCaller } from '../support/test-api';
import { startControllableUpstream } from '../support/controllable-upstream';

const yaml = (slug: string, upstream: string) => `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers:
      - { name: ctl, transport: http, url: "${upstream}" }
      - { name: kb, transport: http, url: "http://127.0.0.1:9/mcp" }
      - { name: limited, transport: http, url: "http://127.0.0.1:9/mcp" }
    profiles:
      - { slug: main, tools: [{ server: ctl, tool: weather }] }
      - { slug: docs, tools: [], resources: [kb] }
    limits: { tools: [{ server: limited, tool: search, perUser: 5/min }] }
    groups:
      - { idpGroup: it, role: admin, profiles: [main] }
      - { idpGroup: leads, role: approver, profiles: [main] }
      - { idpGroup: agents, role: member, profiles: [main] }
    users:
      - { email: admin@${slug}.test, groups: [it] }
      - { email: lead@${slug}.test, groups: [leads] }
      - { email: agent@${slug}.test, groups: [agents] }
`;

interface AuditItem {
  action: string;
  actor: string;
  targetType: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

describe('admin API: adding, replacing and removing MCP servers through the apply path', () => {
  let db: DataSource;
  let api: RunningApi;
  let gateway: RunningGateway;
  let upstream: Awaited<ReturnType<typeof startControllableUpstream>>;
  let subscriber: Redis;
  const announced: ConfigChange[] = [];
  const acme = uniqueSlug('acme');
  const globex = uniqueSlug('globex');
  const tokens: Record<string, string> = {};
  const literal = 'sk_live_4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c';

  const call = apiCaller(() => api.url);
  const asAdmin = (method: string, path: string, body?: unknown) => call(method, `/api/tenants/${acme}${path}`, tokens.admin!, body);
  const audit = async (): Promise<AuditItem[]> =>
    ((await (await asAdmin('GET', '/audit?limit=500')).json()).items as AuditItem[]).filter((e) => e.targetType === 'server');
  const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

  beforeAll(async () => {
    db = await openTestDatabase();
    upstream = await startControllableUpstream();
    await applyYaml(db, yaml(acme, upstream.url));
    await applyYaml(db, yaml(globex, upstream.url));
    for (const who of ['admin', 'lead', 'agent']) tokens[who] = await issueToken(db, acme, `${who}@${acme}.test`);
    tokens.globexAdmin = await issueToken(db, globex, `admin@${globex}.test`);
    api = await startTestApi();
    gateway = await startTestGateway({ GATEWAY_STATUS_REPORT_MS: '300' });
    subscriber = new Redis(inject('redisUrl'));
    await subscribeConfigChanges(subscriber, (change) => announced.push(change));
  });
  afterAll(async () => {
    subscriber?.disconnect();
    await gateway?.close();
    await api?.close();
    await upstream?.close();
    await db?.destroy();
  });

  it('adds an http server, answers with the YAML to commit, audits it with secret references only, and tells the gateways', async () => {
    const acmeId = (await db.getRepository(Tenant).findOneByOrFail({ slug: acme })).id;
    const res = await asAdmin('PUT', '/servers/crm', {
      transport: 'http',
      url: 'http://127.0.0.1:9/mcp',
      headers: { Authorization: 'Bearer ${secret:crm-token}', 'X-Api-Key': literal },
      timeoutMs: 5000,
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ changed: true, literalCredentials: ['headers.X-Api-Key'] });
    expect(body.server).toEqual({
      name: 'crm',
      transport: 'http',
      url: 'http://127.0.0.1:9/mcp',
      headers: { Authorization: 'Bearer ${secret:crm-token}', 'X-Api-Key': literal },
      timeoutMs: 5000,
    });
    // The fragment is a config file `gatehouse apply` accepts, with every server of the tenant.
    const fragment = parseYaml(body.yaml);
    expect(fragment.tenants[0].slug).toBe(acme);
    expect(fragment.tenants[0].servers.map((s: { name: string }) => s.name)).toEqual(['crm', 'ctl', 'kb', 'limited']);
    expect(fragment.tenants[0].servers[0].headers.Authorization).toBe('Bearer ${secret:crm-token}');

    const listed = await (await asAdmin('GET', '/servers')).json();
    expect(listed.config.find((s: { name: string }) => s.name === 'crm')).toEqual(body.server);
    expect(listed.items.map((s: { name: string }) => s.name)).toContain('crm');
    expect(listed.stdioAllowed).toBe(false);

    const [entry] = (await audit()).filter((e) => e.action === 'server.create');
    expect(entry).toMatchObject({ actor: `admin@${acme}.test`, before: null });
    expect(entry!.after!.headers).toEqual({ Authorization: 'Bearer ${secret:crm-token}', 'X-Api-Key': '[redacted]' });
    expect(JSON.stringify(await audit())).not.toContain(literal);
    await expect.poll(() => announced.filter((c) => c.tenantId === acmeId).length, { timeout: 2000 }).toBeGreaterThan(0);
  });

  it('replaces a server (audited before and after), and a second identical PUT changes nothing', async () => {
    const next = { transport: 'sse', url: 'http://127.0.0.1:9/sse', headers: { Authorization: 'Bearer ${secret:crm-token}' } };
    const res = await asAdmin('PUT', '/servers/crm', next);
    expect(res.status).toBe(200);
    const body = await res.json();
    // A replacement, not a merge: the literal header and the timeout are gone.
    expect(body.server).toEqual({ name: 'crm', ...next });
    expect(body.literalCredentials).toEqual([]);
    const updates = (await audit()).filter((e) => e.action === 'server.update');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.before).toMatchObject({ transport: 'http', timeoutMs: 5000, headers: { 'X-Api-Key': '[redacted]' } });
    expect(updates[0]!.after).toMatchObject({ transport: 'sse', url: 'http://127.0.0.1:9/sse', timeoutMs: 60000 });

    const again = await (await asAdmin('PUT', '/servers/crm', next)).json();
    expect(again.changed).toBe(false);
    expect((await audit()).filter((e) => e.action === 'server.update')).toHaveLength(1);
  });

  it('lets admins adding the same server at the same moment all succeed, with one server and one create in the audit log', async () => {
    const server = { transport: 'http', url: 'http://127.0.0.1:9/race', timeoutMs: 3000 };
    const answers = await Promise.all(Array.from({ length: 5 }, () => asAdmin('PUT', '/servers/raced', server)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const changed = await Promise.all(answers.map(async (r) => (await r.json()).changed));
    expect(changed.filter(Boolean)).toHaveLength(1); // the others found it already there, as they asked
    const listed = await (await asAdmin('GET', '/servers')).json();
    expect(listed.config.filter((s: { name: string }) => s.name === 'raced')).toHaveLength(1);
    expect((await audit()).filter((e) => e.action === 'server.create' && e.after?.url === server.url)).toHaveLength(1);
    expect((await asAdmin('DELETE', '/servers/raced')).status).toBe(200);
  });

  it('tests the connection of a server added a moment ago, through a gateway', async () => {
    expect((await asAdmin('PUT', '/servers/fresh', { transport: 'http', url: upstream.url })).status).toBe(200);
    const probe = await (await asAdmin('POST', '/servers/fresh/test')).json();
    expect(probe).toMatchObject({ ok: true, error: null });
    expect(probe.tools.map((t: { name: string }) => t.name)).toContain('weather');
  });

  it('answers bad input with a 400 naming the field, as gatehouse apply would', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['bad-url', { transport: 'http', url: 'not a url' }, /server\.url: /],
      ['bad-transport', { transport: 'websocket', url: 'http://127.0.0.1:9/mcp' }, /server\.transport: .*"http"/],
      ['no-url', { transport: 'http' }, /server\.url: http servers need a url/],
      ['no-command', { transport: 'stdio' }, /server\.command: stdio servers need a command/],
      ['short-timeout', { transport: 'http', url: 'http://127.0.0.1:9/mcp', timeoutMs: 5 }, /server\.timeoutMs: /],
      ['extra', { transport: 'http', url: 'http://127.0.0.1:9/mcp', colour: 'blue' }, /colour/],
      [
        'bad-oauth',
        {
          transport: 'http',
          url: 'http://127.0.0.1:9/mcp',
          oauth: { tokenUrl: 'http://127.0.0.1:9/t', clientId: 'x', clientSecret: 'plain' },
        },
        /secret:NAME/,
      ],
      ['bad name!', { transport: 'http', url: 'http://127.0.0.1:9/mcp' }, /server\.name: /],
      ['renamed', { name: 'other', transport: 'http', url: 'http://127.0.0.1:9/mcp' }, /name: the body says "other"/],
      ['array', [], /JSON object/],
    ];
    for (const [name, body, message] of cases) {
      const res = await asAdmin('PUT', `/servers/${encodeURIComponent(name)}`, body);
      expect(res.status, name).toBe(400);
      const error = await errorOf(res);
      expect(error.code, name).toBe('validation_failed');
      expect(error.message, name).toMatch(message);
    }
    const names = (await (await asAdmin('GET', '/servers')).json()).config.map((s: { name: string }) => s.name);
    expect(names).toEqual(['crm', 'ctl', 'fresh', 'kb', 'limited']);
  });

  it('refuses stdio servers unless the operator allows them, pointing at gatehouse apply', async () => {
    const stdio = { transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] };
    const creates = async () => (await audit()).filter((e) => e.action === 'server.create' && e.actor !== 'test').length;
    const createsBefore = await creates();
    const refused = await asAdmin('PUT', '/servers/everything', stdio);
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).message).toMatch(/API_ALLOW_STDIO_FROM_CONSOLE.*gatehouse apply/);
    // Turning an existing http server into a stdio one is the same thing.
    expect((await asAdmin('PUT', '/servers/crm', stdio)).status).toBe(403);
    expect(await creates()).toBe(createsBefore); // refused, so nothing was written

    const permissive = await startApi(
      loadApiConfig({
        DATABASE_URL: inject('databaseUrl'),
        REDIS_URL: inject('redisUrl'),
        API_PORT: '0',
        LOG_LEVEL: 'silent',
        API_ALLOW_STDIO_FROM_CONSOLE: 'true',
      }),
    );
    try {
      const res = await fetch(`${permissive.url}/api/tenants/${acme}/servers/everything`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...stdio, env: { TOKEN: '${secret:everything-token}' } }),
      });
      expect(res.status).toBe(200);
      expect((await res.json()).server).toMatchObject({ name: 'everything', transport: 'stdio', command: 'npx' });
    } finally {
      await permissive.close();
    }
  });

  it('refuses to remove a server still in use, naming what uses it, then removes an unused one', async () => {
    for (const [name, what] of [
      ['ctl', /profile\(s\) "main"/],
      ['kb', /profile\(s\) "docs"/],
      ['limited', /call limits/],
    ] as const) {
      const res = await asAdmin('DELETE', `/servers/${name}`);
      expect(res.status, name).toBe(409);
      const error = await errorOf(res);
      expect(error.code).toBe('conflict');
      expect(error.message).toMatch(what);
    }
    const removed = await asAdmin('DELETE', '/servers/crm');
    expect(removed.status).toBe(200);
    expect(parseYaml((await removed.json()).yaml).tenants[0].servers.map((s: { name: string }) => s.name)).not.toContain('crm');
    const [entry] = (await audit()).filter((e) => e.action === 'server.delete');
    expect(entry).toMatchObject({ after: null, before: { transport: 'sse', url: 'http://127.0.0.1:9/sse' } });
    expect((await asAdmin('DELETE', '/servers/crm')).status).toBe(404);
    expect((await asAdmin('DELETE', '/servers/ctl')).status).toBe(409);
  });

  it('moves the calls of a profile to the new address of a replaced server at once, without a gateway restart', async () => {
    const moved = await startControllableUpstream();
    const client = await connectClient(gateway.url, acme, 'main', tokens.agent!);
    try {
      expect((await client.callTool({ name: 'weather', arguments: { city: 'Oslo' } })).isError).toBeFalsy();
      expect(upstream.calls()).toBeGreaterThan(0);
      expect((await asAdmin('PUT', '/servers/ctl', { transport: 'http', url: moved.url })).status).toBe(200);
      // Well inside the gateway's cache lifetimes: the change was announced, not waited out.
      await expect
        .poll(
          async () => {
            await client.callTool({ name: 'weather', arguments: { city: 'Oslo' } });
            return moved.calls();
          },
          { timeout: 3000 },
        )
        .toBeGreaterThan(0);
    } finally {
      await client.close();
      await moved.close();
    }
  });

  it('keeps server edits to admins of their own tenant', async () => {
    const body = { transport: 'http', url: 'http://127.0.0.1:9/mcp' };
    for (const who of ['agent', 'lead']) {
      expect((await call('PUT', `/api/tenants/${acme}/servers/x`, tokens[who]!, body)).status, who).toBe(403);
      expect((await call('DELETE', `/api/tenants/${acme}/servers/fresh`, tokens[who]!)).status, who).toBe(403);
    }
    // Globex's admin finds no tenant here; acme's admin changing "ctl" changes acme's only.
    const foreign = await call('DELETE', `/api/tenants/${acme}/servers/fresh`, tokens.globexAdmin!);
    expect(foreign.status).toBe(404);
    expect((await errorOf(foreign)).code).toBe('tenant_not_found');
    expect((await call('PUT', `/api/tenants/${acme}/servers/x`, tokens.globexAdmin!, body)).status).toBe(404);
    expect((await asAdmin('PUT', '/servers/ctl', { transport: 'http', url: 'http://127.0.0.1:9/changed' })).status).toBe(200);
    const theirs = await (await call('GET', `/api/tenants/${globex}/servers`, tokens.globexAdmin!)).json();
    expect(theirs.config.find((s: { name: string }) => s.name === 'ctl').url).toBe(upstream.url);
    expect(theirs.config.map((s: { name: string }) => s.name)).not.toContain('fresh');
  });
});

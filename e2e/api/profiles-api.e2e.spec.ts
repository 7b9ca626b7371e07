import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { Client } from '@modelcontextprotocol/client';
import type { RunningGateway } from '@gatehouse/gateway';
import type { RunningApi } from '@gatehouse/api';
import { toolListTokens } from '@gatehouse/catalog';
import { applyYaml, connectClient, issueToken, openTestDatabase, startTestGateway, uniqueSlug } from '../support/test-gateway';
import { startTestApi } from '../support/test-api';
import { startControllableUpstream } from '../support/controllable-upstream';

const yaml = (slug: string, upstream: string) => `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers: [{ name: ctl, transport: http, url: "${upstream}" }]
    profiles:
      - slug: main
        tools:
          - { server: ctl, tool: weather }
          - { server: ctl, tool: fetch_page, as: read_page, description: Reads one page. }
    groups:
      - { idpGroup: it, role: admin, profiles: [main] }
      - { idpGroup: leads, role: approver, profiles: [main] }
    users:
      - { email: admin@${slug}.test, groups: [it] }
      - { email: lead@${slug}.test, groups: [leads] }
`;

describe('admin API: profile editor (entries, what a client sees, its size in tokens)', () => {
  let db: DataSource;
  let api: RunningApi;
  let gateway: RunningGateway;
  let upstream: Awaited<ReturnType<typeof startControllableUpstream>>;
  let client: Client;
  const acme = uniqueSlug('acme');
  const tokens: Record<string, string> = {};
  const call = (method: string, path: string, token: string, body?: unknown) =>
    fetch(`${api.url}/api/tenants/${acme}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const listed = async () => client.listTools(undefined, { cacheMode: 'bypass' });

  beforeAll(async () => {
    db = await openTestDatabase();
    upstream = await startControllableUpstream();
    await applyYaml(db, yaml(acme, upstream.url));
    tokens.admin = await issueToken(db, acme, `admin@${acme}.test`);
    tokens.lead = await issueToken(db, acme, `lead@${acme}.test`);
    api = await startTestApi();
    gateway = await startTestGateway({ GATEWAY_STATUS_REPORT_MS: '200' });
    client = await connectClient(gateway.url, acme, 'main', tokens.admin!);
  });
  afterAll(async () => {
    await client?.close();
    await gateway?.close();
    await api?.close();
    await upstream?.close();
    await db?.destroy();
  });

  it("previews exactly the tool list an SDK client gets, with its token count, and the servers' catalog", async () => {
    const seen = await listed();
    await expect
      .poll(async () => (await (await call('GET', '/profiles/main', tokens.admin!)).json()).catalog[0]?.tools?.length, { timeout: 3000 })
      .toBe(3);
    const view = await (await call('GET', '/profiles/main', tokens.admin!)).json();
    expect(view.tools).toEqual([
      { server: 'ctl', tool: 'fetch_page', as: 'read_page', description: 'Reads one page.' },
      { server: 'ctl', tool: 'weather' },
    ]);
    expect(view.preview.result).toEqual({ tools: seen.tools });
    expect(view.preview.tokens).toBe(await toolListTokens(seen));
    expect(view.preview.withheld).toEqual([]);
    expect(view.yaml).toContain('as: read_page');
    expect((await (await call('GET', '/profiles', tokens.admin!)).json()).items.map((p: { slug: string }) => p.slug)).toEqual(['main']);
  });

  it('applies rename, description, pin, hide and approval edits through the apply path, and the gateway lists the result', async () => {
    const edited = await call('PUT', '/profiles/main/tools', tokens.admin!, {
      tools: [
        { server: 'ctl', tool: 'fetch_page', as: 'read_page', description: 'Reads one page.', hide: ['base64'] },
        { server: 'ctl', tool: 'weather', as: 'oslo_weather', description: 'Weather in Oslo.', pin: { city: 'Oslo' }, approval: 'never' },
      ],
    });
    expect(edited.status).toBe(200);
    // A new exposed name is a new entry, as in a config file: its definition is pinned afresh when a gateway first sees it.
    expect((await edited.json()).preview.withheld).toEqual([
      { tool: 'oslo_weather', reason: 'no gateway has seen its upstream definition yet' },
    ]);
    await expect.poll(async () => (await listed()).tools.map((t) => t.name), { timeout: 3000 }).toEqual(['oslo_weather', 'read_page']);
    const view = await (await call('GET', '/profiles/main', tokens.admin!)).json();
    const oslo = view.preview.result.tools.find((t: { name: string }) => t.name === 'oslo_weather');
    expect(oslo.description).toBe('Weather in Oslo.');
    expect(oslo.inputSchema.properties).toEqual({});
    const seen = await listed();
    expect(view.preview.result).toEqual({ tools: seen.tools });
    expect(view.preview.tokens).toBe(await toolListTokens(seen));
    expect(view.tools).toContainEqual({
      server: 'ctl',
      tool: 'weather',
      as: 'oslo_weather',
      description: 'Weather in Oslo.',
      pin: { city: 'Oslo' },
      approval: 'never',
    });
    expect(((await client.callTool({ name: 'oslo_weather', arguments: {} })).content as Array<{ text: string }>)[0]?.text).toBe(
      'Sunny in Oslo',
    );

    const audit = (await (await call('GET', '/audit?limit=100', tokens.admin!)).json()).items as Array<{ actor: string; action: string }>;
    expect(audit.filter((e) => e.actor === `admin@${acme}.test`).map((e) => e.action)).toEqual(
      expect.arrayContaining(['profile-tool.create', 'profile-tool.delete']),
    );
  });

  it('refuses what a config file would refuse, with the reason, and non-admins', async () => {
    const refusals: Array<[unknown, RegExp]> = [
      [{ tools: [{ server: 'nope', tool: 'weather' }] }, /unknown server "nope"/],
      [{ tools: [{ server: 'ctl', tool: 'weather', pin: { city: 'Oslo' }, hide: ['city'] }] }, /both pinned and hidden/],
      [
        {
          tools: [
            { server: 'ctl', tool: 'weather' },
            { server: 'ctl', tool: 'fetch_page', as: 'weather' },
          ],
        },
        /weather/,
      ],
      [{ tools: [{ server: 'ctl', tool: 'weather', approval: 'sometimes' }] }, /approval/],
      [{ tools: 'all' }, /"tools"/],
    ];
    for (const [body, message] of refusals) {
      const response = await call('PUT', '/profiles/main/tools', tokens.admin!, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await response.json()).error.message).toMatch(message);
    }
    expect((await call('GET', '/profiles/nope', tokens.admin!)).status).toBe(404);
    expect((await call('PUT', '/profiles/nope/tools', tokens.admin!, { tools: [] })).status).toBe(404);
    expect((await call('GET', '/profiles/main', tokens.lead!)).status).toBe(403);
    expect((await call('PUT', '/profiles/main/tools', tokens.lead!, { tools: [] })).status).toBe(403);
  });
});

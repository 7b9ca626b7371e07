import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { RunningGateway } from '@gatehouse/gateway';
import type { RunningApi } from '@gatehouse/api';
import { applyYaml, connectClient, issueToken, openTestDatabase, startTestGateway, uniqueSlug } from '../support/test-gateway';
import { startTestApi, apiCaller } from '../support/test-api';
import { startControllableUpstream } from '../support/controllable-upstream';

const yaml = (slug: string, upstream: string) => `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers:
      - { name: ctl, transport: http, url: "${upstream}" }
      - { name: gone, transport: http, url: "http://127.0.0.1:9/mcp", timeoutMs: 2000 }
    profiles: [{ slug: main, tools: [{ server: ctl, tool: weather }] }]
    groups:
      - { idpGroup: it, role: admin, profiles: [main] }
      - { idpGroup: leads, role: approver, profiles: [main] }
    users:
      - { email: admin@${slug}.test, groups: [it] }
      - { email: lead@${slug}.test, groups: [leads] }
`;

interface Health {
  name: string;
  target: string;
  replicas: number;
  connectedOn: number;
  lastError: string | null;
  tools: Array<{ name: string }> | null;
}

describe('admin API: MCP servers with the health gateways report, and test connection', () => {
  let db: DataSource;
  let api: RunningApi;
  let gateway: RunningGateway;
  let upstream: Awaited<ReturnType<typeof startControllableUpstream>>;
  const acme = uniqueSlug('acme');
  const globex = uniqueSlug('globex');
  const tokens: Record<string, string> = {};
  const call = apiCaller(() => api.url);
  const servers = async (): Promise<Health[]> => (await (await call('GET', `/api/tenants/${acme}/servers`, tokens.admin!)).json()).items;

  beforeAll(async () => {
    db = await openTestDatabase();
    upstream = await startControllableUpstream();
    await applyYaml(db, yaml(acme, upstream.url));
    await applyYaml(db, yaml(globex, upstream.url));
    tokens.admin = await issueToken(db, acme, `admin@${acme}.test`);
    tokens.lead = await issueToken(db, acme, `lead@${acme}.test`);
    tokens.globexAdmin = await issueToken(db, globex, `admin@${globex}.test`);
    api = await startTestApi();
    gateway = await startTestGateway({ GATEWAY_STATUS_REPORT_MS: '200' });
  });
  afterAll(async () => {
    await gateway?.close();
    await api?.close();
    await upstream?.close();
    await db?.destroy();
  });

  it('shows a server the gateway connected to, with its live tool list, and one it never reached', async () => {
    const client = await connectClient(gateway.url, acme, 'main', tokens.admin!);
    await client.listTools();
    // A report can catch the connection before its first tools/list; wait for one that has both.
    await expect
      .poll(async () => (await servers()).find((s) => s.name === 'ctl' && s.connectedOn === 1)?.tools?.length ?? 0, { timeout: 3000 })
      .toBeGreaterThan(0);
    const [ctl, gone] = await servers();
    expect(ctl).toMatchObject({ name: 'ctl', target: upstream.url, replicas: 1, lastError: null });
    expect(ctl!.tools!.map((t) => t.name).sort()).toEqual(['big_result', 'fetch_page', 'weather']);
    expect(gone).toMatchObject({ name: 'gone', connectedOn: 0, tools: null });
    await client.close();
  });

  it('tests a connection through a gateway: the tools of a live server, the error of a dead one', async () => {
    const ok = await call('POST', `/api/tenants/${acme}/servers/ctl/test`, tokens.admin!);
    expect(ok.status).toBe(200);
    const result = await ok.json();
    expect(result).toMatchObject({ ok: true, error: null });
    expect(result.tools.map((t: { name: string }) => t.name)).toContain('weather');
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);

    const dead = await (await call('POST', `/api/tenants/${acme}/servers/gone/test`, tokens.admin!)).json();
    expect(dead.ok).toBe(false);
    expect(dead.error).toMatch(/unavailable|ECONNREFUSED|fetch failed/i);
  });

  it('keeps servers to admins of their own tenant', async () => {
    expect((await call('GET', `/api/tenants/${acme}/servers`, tokens.lead!)).status).toBe(403);
    expect((await call('POST', `/api/tenants/${acme}/servers/ctl/test`, tokens.lead!)).status).toBe(403);
    expect((await call('POST', `/api/tenants/${acme}/servers/nope/test`, tokens.admin!)).status).toBe(404);
    // The other tenant's server of the same name is its own; its health is not acme's.
    const theirs: Health[] = (await (await call('GET', `/api/tenants/${globex}/servers`, tokens.globexAdmin!)).json()).items;
    expect(theirs.find((s) => s.name === 'ctl')).toMatchObject({ connectedOn: 0, tools: null });
  });
});

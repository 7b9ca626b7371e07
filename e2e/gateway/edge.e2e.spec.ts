import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { startDemoHttpServer, type DemoHttpServer } from '@gatehouse/demo-servers';
import type { RunningGateway } from '@gatehouse/gateway';
import { applyYaml, connectClient, issueToken, openTestDatabase, startTestGateway, uniqueSlug } from '../support/test-gateway';

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

function tenantYaml(slug: string, url: string): string {
  return `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers: [{ name: codehost, transport: http, url: "${url}" }]
    profiles:
      - slug: coding
        tools: [{ server: codehost, tool: list_repositories }]
      - slug: secret
        tools: [{ server: codehost, tool: delete_repository }]
    groups: [{ idpGroup: devs, role: member, profiles: [coding] }]
    users: [{ email: dev@${slug}.test, groups: [devs] }]
`;
}

describe('gateway edge: authentication, authorisation and bad input', () => {
  let db: DataSource;
  let gateway: RunningGateway;
  let upstream: DemoHttpServer;
  const acme = uniqueSlug('acme');
  const globex = uniqueSlug('globex');
  let acmeToken: string;
  let globexToken: string;

  const post = (path: string, body: string | object, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    db = await openTestDatabase();
    upstream = await startDemoHttpServer('codehost');
    await applyYaml(db, tenantYaml(acme, upstream.url));
    await applyYaml(db, tenantYaml(globex, upstream.url));
    acmeToken = await issueToken(db, acme, `dev@${acme}.test`);
    globexToken = await issueToken(db, globex, `dev@${globex}.test`);
    gateway = await startTestGateway({ GATEWAY_MAX_BODY_BYTES: '65536' });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
    await db?.destroy();
  });

  it('answers a missing token with 401, a Bearer challenge and a JSON body', async () => {
    const res = await post(`/mcp/${acme}/coding`, INIT);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized', message: expect.stringContaining('Missing bearer token') } });
  });

  it('answers a bad token with 401 invalid_token', async () => {
    const res = await post(`/mcp/${acme}/coding`, INIT, { authorization: 'Bearer ghp_not-a-real-token' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await res.json()).error.code).toBe('unauthorized');
  });

  it('answers an expired token with 401 token_expired', async () => {
    const expired = await issueToken(db, acme, `dev@${acme}.test`, 1);
    await new Promise((r) => setTimeout(r, 20));
    const res = await post(`/mcp/${acme}/coding`, INIT, { authorization: `Bearer ${expired}` });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'token_expired', message: expect.stringContaining('expired') } });
  });

  it("gives another tenant's token the same 404 as an unknown tenant", async () => {
    const crossTenant = await post(`/mcp/${acme}/coding`, INIT, { authorization: `Bearer ${globexToken}` });
    const unknown = await post(`/mcp/no-such-tenant/coding`, INIT, { authorization: `Bearer ${globexToken}` });
    expect(crossTenant.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect((await crossTenant.json()).error.code).toBe('tenant_not_found');
    expect((await unknown.json()).error.code).toBe('tenant_not_found');
  });

  it('answers an unknown profile with 404 and a profile the user does not hold with 403', async () => {
    const unknown = await post(`/mcp/${acme}/nope`, INIT, { authorization: `Bearer ${acmeToken}` });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatchObject({ code: 'profile_not_found', message: expect.stringContaining('"nope"') });
    const forbidden = await post(`/mcp/${acme}/secret`, INIT, { authorization: `Bearer ${acmeToken}` });
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('profile "secret"') });
  });

  it('answers malformed JSON with a JSON-RPC parse error', async () => {
    const res = await post(`/mcp/${acme}/coding`, '{"jsonrpc": "2.0", "method": ', { authorization: `Bearer ${acmeToken}` });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
  });

  it('answers a non-JSON-RPC body with a JSON-RPC error, not a crash', async () => {
    const res = await post(`/mcp/${acme}/coding`, { hello: 'world' }, { authorization: `Bearer ${acmeToken}` });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const body = await res.json();
    expect(body.error).toBeDefined();
  });

  it('answers a body over the limit with 413 and keeps serving', async () => {
    const big = { ...INIT, params: { ...INIT.params, padding: 'x'.repeat(100_000) } };
    const res = await post(`/mcp/${acme}/coding`, big, { authorization: `Bearer ${acmeToken}` });
    expect(res.status).toBe(413);
    expect((await res.json()).error.message).toContain('exceeds the limit');
    const client = await connectClient(gateway.url, acme, 'coding', acmeToken);
    expect((await client.listTools()).tools).toHaveLength(1);
    await client.close();
  });

  it("refuses to continue a session with another user's token", async () => {
    const init = await post(`/mcp/${acme}/coding`, INIT, { authorization: `Bearer ${acmeToken}` });
    const sessionId = init.headers.get('mcp-session-id');
    expect(sessionId).toBeTruthy();
    await applyYaml(db, tenantYaml(acme, upstream.url).replace(`users: [{ email: dev@${acme}.test, groups: [devs] }]`, `users: [{ email: dev@${acme}.test, groups: [devs] }, { email: eve@${acme}.test, groups: [devs] }]`));
    const eve = await issueToken(db, acme, `eve@${acme}.test`);
    const hijack = await post(`/mcp/${acme}/coding`, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, {
      authorization: `Bearer ${eve}`,
      'mcp-session-id': sessionId as string,
      'mcp-protocol-version': '2025-06-18',
    });
    expect(hijack.status).toBe(404);
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain('gatehouse_tool_calls_total');
    expect(metrics).toContain('gatehouse_traces');
    expect((await fetch(`${gateway.url}/nowhere`)).status).toBe(404);
  });
});

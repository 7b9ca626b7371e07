import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { RunningApi } from '@gatehouse/api';
import { applyYaml, issueToken, openTestDatabase, uniqueSlug } from '../support/test-gateway';
import { startTestApi } from '../support/test-api';

/** Routes anyone may call. Adding one is a security decision: it has to be added here too. */
const PUBLIC_ROUTES = [
  'GET /healthz',
  'GET /readyz',
  'GET /.well-known/oauth-authorization-server/api/oauth/:tenant',
  'GET /api/oauth/:tenant/jwks',
  'POST /api/oauth/:tenant/register',
  'GET /api/oauth/:tenant/authorize',
  'POST /api/oauth/:tenant/authorize',
  'POST /api/oauth/:tenant/token',
  'POST /api/oauth/:tenant/revoke',
  'GET /api/auth/saml/:tenant/login',
  'POST /api/auth/saml/:tenant/acs',
  'GET /api/auth/saml/:tenant/metadata',
  'GET /api/auth/saml/:tenant/slo',
  // Authenticates itself: the one-use state names the user who started the connection.
  'GET /api/upstream-oauth/callback',
];

/**
 * Every tenant route and the least role it lets in. A new route, or a changed role, is an access
 * decision a reviewer should see in this list, next to the routes it resembles.
 */
const ROLE_ROUTES: Record<string, 'member' | 'approver' | 'admin'> = {
  // Trace search, detail and export: members get their own calls only (checked in traces-api and trace-export).
  'GET /api/tenants/:tenant/traces': 'member',
  'GET /api/tenants/:tenant/traces/export': 'member',
  'GET /api/tenants/:tenant/traces/:id': 'member',
  // The console overview's numbers: members get the numbers of their own calls (trace-overview).
  'GET /api/tenants/:tenant/overview': 'member',
  'GET /api/tenants/:tenant/audit': 'admin',
  'GET /api/tenants/:tenant/sso': 'admin',
  'PUT /api/tenants/:tenant/sso': 'admin',
  'GET /api/tenants/:tenant/approvals': 'approver',
  'GET /api/tenants/:tenant/approvals/:id': 'approver',
  'POST /api/tenants/:tenant/approvals/:id/approve': 'approver',
  'POST /api/tenants/:tenant/approvals/:id/deny': 'approver',
  'GET /api/tenants/:tenant/secrets': 'admin',
  'PUT /api/tenants/:tenant/secrets/:name': 'admin',
  'DELETE /api/tenants/:tenant/secrets/:name': 'admin',
  // The console's admin surface (apps/api/src/admin): tokens, group mappings, drift, servers, profiles.
  'GET /api/tenants/:tenant/tokens': 'admin',
  'POST /api/tenants/:tenant/tokens': 'admin',
  'DELETE /api/tenants/:tenant/tokens/:id': 'admin',
  'GET /api/tenants/:tenant/groups': 'admin',
  'PUT /api/tenants/:tenant/groups/:idpGroup': 'admin',
  'DELETE /api/tenants/:tenant/groups/:idpGroup': 'admin',
  'GET /api/tenants/:tenant/drift': 'admin',
  'POST /api/tenants/:tenant/drift/approve': 'admin',
  'GET /api/tenants/:tenant/servers': 'admin',
  'PUT /api/tenants/:tenant/servers/:name': 'admin',
  'DELETE /api/tenants/:tenant/servers/:name': 'admin',
  'POST /api/tenants/:tenant/servers/:name/test': 'admin',
  'GET /api/tenants/:tenant/profiles': 'admin',
  'GET /api/tenants/:tenant/profiles/:slug': 'admin',
  'PUT /api/tenants/:tenant/profiles/:slug/tools': 'admin',
  'GET /api/tenants/:tenant/connections': 'member',
  'GET /api/tenants/:tenant/connections/:server/connect': 'member',
  'DELETE /api/tenants/:tenant/connections/:server': 'member',
};

const yaml = (slug: string) => `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers: [{ name: kb, transport: http, url: "http://127.0.0.1:9/mcp" }]
    profiles: [{ slug: support, tools: [] }]
    groups:
      - { idpGroup: agents, role: member, profiles: [support] }
      - { idpGroup: leads, role: approver, profiles: [support] }
      - { idpGroup: it, role: admin, profiles: [support] }
    users:
      - { email: member@${slug}.test, groups: [agents] }
      - { email: approver@${slug}.test, groups: [leads] }
      - { email: admin@${slug}.test, groups: [it] }
`;

const RANK = { member: 0, approver: 1, admin: 2 } as const;

describe('API access control: every route declares what it needs, and no tenant reaches another', () => {
  let db: DataSource;
  let api: RunningApi;
  const acme = uniqueSlug('acme');
  const globex = uniqueSlug('globex');
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    db = await openTestDatabase();
    await applyYaml(db, yaml(acme));
    await applyYaml(db, yaml(globex));
    for (const role of ['member', 'approver', 'admin']) {
      tokens[`acme-${role}`] = await issueToken(db, acme, `${role}@${acme}.test`);
      tokens[`globex-${role}`] = await issueToken(db, globex, `${role}@${globex}.test`);
    }
    api = await startTestApi();
  });
  afterAll(async () => {
    await api?.close();
    await db?.destroy();
  });

  const call = (method: string, path: string, token?: string) =>
    fetch(`${api.url}${path.replace(':tenant', acme).replace(/:[a-zA-Z]+/g, () => randomUUID())}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
      },
      ...(method === 'GET' ? {} : { body: '{}' }),
    });

  it('finds an access policy on every route, and exactly the listed routes public', () => {
    const routes = api.routes();
    expect(routes.length).toBeGreaterThan(PUBLIC_ROUTES.length);
    expect(routes.filter((r) => !r.policy).map((r) => `${r.method} ${r.path} (${r.controller}.${r.handler})`)).toEqual([]);
    expect(
      routes
        .filter((r) => r.policy?.kind === 'public')
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    ).toEqual([...PUBLIC_ROUTES].sort());
  });

  it('gates every tenant route with exactly the role listed for it', () => {
    const gated = api.routes().filter((r) => r.policy?.kind === 'role');
    expect(Object.fromEntries(gated.map((r) => [`${r.method} ${r.path}`, (r.policy as { role: string }).role]))).toEqual(ROLE_ROUTES);
  });

  it('refuses routes about the caller without valid credentials', async () => {
    const signedIn = api.routes().filter((r) => r.policy?.kind === 'signed-in');
    expect(signedIn.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['GET /api/me', 'POST /api/auth/logout']);
    for (const route of signedIn) {
      expect((await call(route.method, route.path)).status, `${route.method} ${route.path}`).toBe(401);
      expect((await call(route.method, route.path, 'ghp_not-a-real-token')).status).toBe(401);
      expect([401, 403]).not.toContain((await call(route.method, route.path, tokens['acme-member'])).status);
    }
  });

  it('refuses every gated route without credentials, to other tenants and below the required role', async () => {
    const gated = api.routes().filter((r) => r.policy?.kind === 'role');
    expect(gated.length).toBeGreaterThan(0);
    for (const route of gated) {
      const label = `${route.method} ${route.path}`;
      const required = (route.policy as { role: keyof typeof RANK }).role;
      expect((await call(route.method, route.path)).status, `${label} without a token`).toBe(401);
      expect((await call(route.method, route.path, 'ghp_not-a-real-token')).status, `${label} with a bad token`).toBe(401);
      for (const role of ['member', 'approver', 'admin'] as const) {
        // Another tenant's user, whatever their role, finds nothing here (404, as for an unknown tenant).
        const foreign = await call(route.method, route.path, tokens[`globex-${role}`]);
        expect(foreign.status, `${label} as globex ${role}`).toBe(404);
        expect((await foreign.json()).error.code).toBe('tenant_not_found');
        const own = await call(route.method, route.path, tokens[`acme-${role}`]);
        if (RANK[role] < RANK[required]) expect(own.status, `${label} as ${role}`).toBe(403);
        else expect([401, 403], `${label} as ${role}`).not.toContain(own.status);
      }
    }
  });
});

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { Client } from '@modelcontextprotocol/client';
import { Trace } from '@gatehouse/audit';
import { Tenant } from '@gatehouse/tenancy';
import { LocalMasterKeys, Vault } from '@gatehouse/vault';
import type { RunningGateway } from '@gatehouse/gateway';
import {
  applyYaml,
  connectClient,
  openIsolatedDatabase,
  everyRowAsText,
  issueToken,
  startTestGateway,
  uniqueSlug,
} from '../support/test-gateway';
import { startCredentialEchoUpstream } from '../support/credential-echo-upstream';
import { startTestOAuthServer } from '../support/test-oauth-server';
import { startOtlpReceiver } from '../support/otlp-receiver';

const masterKey = randomBytes(32).toString('base64');
const clientSecret = `cs-${randomBytes(12).toString('hex')}`;
const initialRefreshToken = `rt-initial-${randomBytes(12).toString('hex')}`;

const yaml = (slug: string, upstreamUrl: string, tokenUrl: string, exportTo = '') => `
tenants:
  - slug: ${slug}
    name: ${slug}${
      exportTo
        ? `
    export: { otlp: { endpoint: "${exportTo}", headers: { Authorization: "Bearer \${secret:otel-token}" } }, events: [tool_calls] }`
        : ''
    }
    servers:
      - name: m2m
        transport: http
        url: "${upstreamUrl}"
        oauth: { tokenUrl: "${tokenUrl}", clientId: gatehouse, clientSecret: "\${secret:oauth-client-secret}" }
      - name: delegated
        transport: http
        url: "${upstreamUrl}"
        oauth: { tokenUrl: "${tokenUrl}", clientId: gatehouse, clientSecret: "\${secret:oauth-client-secret}", refreshToken: "\${secret:crm-refresh-token}" }
    profiles:
      - slug: main
        tools:
          - { server: m2m, tool: whoami }
          - { server: delegated, tool: whoami, as: whoami_delegated }
    groups: [{ idpGroup: devs, role: member, profiles: [main] }]
    users: [{ email: dev@${slug}.test, groups: [devs] }]
`;

describe('credentials in use: upstream OAuth tokens shared by gateway workers and refreshed before they expire, collector headers from the vault', () => {
  let db: DataSource;
  let vault: Vault;
  let gateways: RunningGateway[];
  let oauth: Awaited<ReturnType<typeof startTestOAuthServer>>;
  let upstream: Awaited<ReturnType<typeof startCredentialEchoUpstream>>;
  let clients: Client[];
  const acme = uniqueSlug('acme');
  let tenantId: string;

  /** Calls `tool` alternately through both gateways for `ms`; returns how many calls failed. */
  const callFor = async (tool: string, ms: number): Promise<{ calls: number; failures: string[] }> => {
    const failures: string[] = [];
    let calls = 0;
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const result = await clients[calls % 2]!.callTool({ name: tool, arguments: {} }).catch((error: Error) => ({
        isError: true,
        content: [{ type: 'text', text: error.message }],
      }));
      if (result.isError) failures.push(JSON.stringify(result.content));
      calls += 1;
      await new Promise((r) => setTimeout(r, 40));
    }
    return { calls, failures };
  };

  beforeAll(async () => {
    const isolated = await openIsolatedDatabase('oauth');
    db = isolated.db;
    const dbUrl = isolated.url;
    oauth = await startTestOAuthServer({ clientId: 'gatehouse', clientSecret, tokenTtlSeconds: 2, initialRefreshToken });
    upstream = await startCredentialEchoUpstream((auth) => oauth.accepts(auth));
    await applyYaml(db, yaml(acme, upstream.url, oauth.tokenUrl));
    tenantId = (await db.getRepository(Tenant).findOneByOrFail({ slug: acme })).id;
    vault = new Vault(db, new LocalMasterKeys(Buffer.from(masterKey, 'base64')));
    await vault.put(tenantId, 'oauth-client-secret', clientSecret, 'test');
    await vault.put(tenantId, 'crm-refresh-token', initialRefreshToken, 'test');
    const env = { DATABASE_URL: dbUrl, GATEHOUSE_MASTER_KEY: masterKey, GATEWAY_EXPORT_INTERVAL_MS: '100' };
    gateways = [await startTestGateway(env), await startTestGateway(env)];
    const token = await issueToken(db, acme, `dev@${acme}.test`);
    clients = await Promise.all(gateways.map((g) => connectClient(g.url, acme, 'main', token)));
  });
  afterAll(async () => {
    for (const c of clients ?? []) await c.close();
    for (const g of gateways ?? []) await g.close();
    await upstream?.close();
    await oauth?.close();
    await db?.destroy();
  });

  it('client credentials: every call works across many token lifetimes, with one token request per lifetime, not per call or per worker', async () => {
    const { calls, failures } = await callFor('whoami', 5000);
    expect(failures).toEqual([]);
    // Tokens are reused, not fetched per call: many calls per grant, however fast this machine is today.
    expect(calls).toBeGreaterThanOrEqual(3 * oauth.stats.clientCredentials);
    // 2 s tokens, refreshed a little early, over 5 s: a handful of grants shared by both workers.
    expect(oauth.stats.clientCredentials).toBeGreaterThanOrEqual(3);
    expect(oauth.stats.clientCredentials).toBeLessThanOrEqual(6);
  });

  it('refresh token grant with rotation: two workers never spend the same refresh token, and the newest one is kept in the vault', async () => {
    const { calls, failures } = await callFor('whoami_delegated', 5000);
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThanOrEqual(3 * oauth.stats.refresh);
    expect(oauth.stats.refresh).toBeGreaterThanOrEqual(3);
    expect(oauth.stats.invalidGrant).toBe(0);
    await expect(vault.reveal(tenantId, 'crm-refresh-token')).resolves.toBe(oauth.currentRefreshToken());

    // No token, refresh token or client secret in the clear anywhere in the database.
    await Promise.all(gateways.map((g) => g.traces.flush()));
    const rows = await everyRowAsText(db);
    expect(rows).toContain('[secret:'); // the upstream echoed its token; the traces show it blanked
    expect(rows).not.toMatch(/\bat-\d+-/);
    expect(rows).not.toContain(oauth.currentRefreshToken());
    expect(rows).not.toContain(clientSecret);
  });

  it('sends the audit stream with a collector credential from the vault, never stored or recorded in the clear', async () => {
    const collectorToken = `otel-${randomBytes(12).toString('hex')}`;
    const receiver = await startOtlpReceiver();
    try {
      await vault.put(tenantId, 'otel-token', collectorToken, 'test');
      await applyYaml(db, yaml(acme, upstream.url, oauth.tokenUrl, receiver.url));
      await clients[0]!.callTool({ name: 'whoami', arguments: {} });
      const deadline = Date.now() + 10_000;
      while (receiver.spans.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(receiver.spans.length).toBeGreaterThan(0);
      expect(receiver.authorizations[0]).toBe(`Bearer ${collectorToken}`);
      const stored = await db.query(`SELECT headers::text AS h FROM export_settings WHERE tenant_id = $1`, [tenantId]);
      expect(stored[0].h).toContain('${secret:otel-token}');
      expect(JSON.stringify(receiver.spans)).not.toContain(collectorToken);
    } finally {
      await receiver.stop();
    }
  });

  it('a token endpoint that refuses the client gives a clear error naming the server and the endpoint, in the trace too', async () => {
    oauth.setFailing(true);
    await new Promise((r) => setTimeout(r, 2100)); // the current token expires
    const result = await clients[0]!
      .callTool({ name: 'whoami', arguments: {} })
      .catch((error: Error) => ({ isError: true, content: [{ type: 'text', text: error.message }] }));
    expect(JSON.stringify(result)).toContain(
      `Could not get an OAuth access token for server \\"m2m\\" from ${oauth.tokenUrl}: invalid_client (client authentication failed)`,
    );
    await gateways[0]!.traces.flush();
    const [trace] = await db
      .getRepository(Trace)
      .find({ where: { exposedTool: 'whoami', status: 'error' }, order: { createdAt: 'DESC' }, take: 1 });
    expect(trace?.error).toContain('Could not get an OAuth access token for server "m2m"');
    oauth.setFailing(false);
    await expect(clients[1]!.callTool({ name: 'whoami', arguments: {} })).resolves.toMatchObject({ content: [{ type: 'text' }] });
  });
});

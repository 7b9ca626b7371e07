import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { Client } from '@modelcontextprotocol/client';
import { Tenant } from '@gatehouse/tenancy';
import { LocalMasterKeys, Vault } from '@gatehouse/vault';
import type { RunningGateway } from '@gatehouse/gateway';
import { loadApiConfig, startApi, type RunningApi } from '@gatehouse/api';
import { applyYaml, connectClient, openIsolatedDatabase, issueToken, startTestGateway, uniqueSlug } from '../support/test-gateway';
import { startCredentialEchoUpstream } from '../support/credential-echo-upstream';
import { startTestOAuthServer } from '../support/test-oauth-server';

const masterKey = randomBytes(32).toString('base64');
const clientSecret = `cs-${randomBytes(12).toString('hex')}`;

const yaml = (slug: string, upstreamUrl: string, tokenUrl: string, authorizeUrl: string) => `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers:
      - name: tickets
        transport: http
        url: "${upstreamUrl}"
        oauth:
          tokenUrl: "${tokenUrl}"
          clientId: gatehouse
          clientSecret: "\${secret:oauth-client-secret}"
          perUser: { authorizeUrl: "${authorizeUrl}" }
    profiles: [{ slug: main, tools: [{ server: tickets, tool: whoami }] }]
    groups: [{ idpGroup: devs, role: member, profiles: [main] }]
    users:
      - { email: alice@${slug}.test, groups: [devs] }
      - { email: bob@${slug}.test, groups: [devs] }
`;

describe('per-user upstream accounts: each user connects once, and their calls act as them', () => {
  let db: DataSource;
  let api: RunningApi;
  let gateways: RunningGateway[];
  let oauth: Awaited<ReturnType<typeof startTestOAuthServer>>;
  let upstream: Awaited<ReturnType<typeof startCredentialEchoUpstream>>;
  const acme = uniqueSlug('acme');
  const tokens: Record<string, string> = {};
  const clients: Record<string, Client[]> = {};

  const apiGet = (path: string, who: string) =>
    fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${tokens[who]}` }, redirect: 'manual' });
  /** The browser round trip: Gatehouse → the upstream's authorization server (signed in there as `account`) → Gatehouse. */
  const connectAccount = async (who: string, account: string): Promise<Response> => {
    const start = await apiGet(`/api/tenants/${acme}/connections/tickets/connect`, who);
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location') as string);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${api.url}/api/upstream-oauth/callback`);
    authorize.searchParams.set('login_hint', account);
    const back = await fetch(authorize, { redirect: 'manual' });
    return fetch(back.headers.get('location') as string, { redirect: 'manual' });
  };
  const call = async (who: string, gateway = 0) => {
    const result = await clients[who]![gateway]!.callTool({ name: 'whoami', arguments: {} }).catch((error: Error) => ({
      isError: true,
      content: [{ type: 'text', text: error.message }],
    }));
    return result as { isError?: boolean; content: Array<{ text: string }>; structuredContent?: { account: string } };
  };

  beforeAll(async () => {
    const isolated = await openIsolatedDatabase('connections');
    db = isolated.db;
    const dbUrl = isolated.url;
    oauth = await startTestOAuthServer({ clientId: 'gatehouse', clientSecret, tokenTtlSeconds: 2, initialRefreshToken: 'unused' });
    upstream = await startCredentialEchoUpstream(
      (auth) => oauth.accepts(auth),
      (auth) => oauth.userOf(auth),
    );
    await applyYaml(db, yaml(acme, upstream.url, oauth.tokenUrl, oauth.authorizeUrl));
    const tenantId = (await db.getRepository(Tenant).findOneByOrFail({ slug: acme })).id;
    await new Vault(db, new LocalMasterKeys(Buffer.from(masterKey, 'base64'))).put(tenantId, 'oauth-client-secret', clientSecret, 'test');
    api = await startApi(
      loadApiConfig({
        DATABASE_URL: dbUrl,
        REDIS_URL: inject('redisUrl'),
        API_PORT: '0',
        LOG_LEVEL: 'silent',
        GATEHOUSE_MASTER_KEY: masterKey,
      }),
    );
    const env = { DATABASE_URL: dbUrl, GATEHOUSE_MASTER_KEY: masterKey, API_PUBLIC_URL: api.url };
    gateways = [await startTestGateway(env), await startTestGateway(env)];
    for (const who of ['alice', 'bob']) {
      tokens[who] = await issueToken(db, acme, `${who}@${acme}.test`);
      clients[who] = await Promise.all(gateways.map((g) => connectClient(g.url, acme, 'main', tokens[who]!)));
    }
  });
  afterAll(async () => {
    for (const list of Object.values(clients)) for (const c of list) await c.close();
    for (const g of gateways ?? []) await g.close();
    await api?.close();
    await upstream?.close();
    await oauth?.close();
    await db?.destroy();
  });

  it('tells a user who has not connected their account where to do it', async () => {
    const result = await call('bob');
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result)).toContain(
      `connect your tickets account first: ${api.url}/api/tenants/${acme}/connections/tickets/connect`,
    );
    expect(await (await apiGet(`/api/tenants/${acme}/connections`, 'bob')).json()).toEqual({
      items: [{ server: 'tickets', connected: false }],
    });
  });

  it('connects an account once (authorization code + PKCE), after which every call carries that account', async () => {
    const done = await connectAccount('alice', 'alice-at-tickets');
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Your tickets account is connected');
    expect(await (await apiGet(`/api/tenants/${acme}/connections`, 'alice')).json()).toEqual({
      items: [{ server: 'tickets', connected: true }],
    });
    expect((await call('alice')).structuredContent?.account).toBe('alice-at-tickets');
    expect((await call('bob')).isError).toBe(true); // still not bob's

    expect((await connectAccount('bob', 'bob-at-tickets')).status).toBe(200);
    // Two users, two gateways, tokens expiring every 2 s: each call is its caller's, no refresh token spent twice.
    const until = Date.now() + 4500;
    let calls = 0;
    while (Date.now() < until) {
      for (const who of ['alice', 'bob']) {
        const result = await call(who, calls % 2);
        expect(result.isError).toBeFalsy();
        expect(result.structuredContent?.account).toBe(`${who}-at-tickets`);
        calls += 1;
      }
    }
    expect(calls).toBeGreaterThan(40);
    expect(oauth.stats.authorizationCode).toBe(2);
    expect(oauth.stats.refresh).toBeGreaterThanOrEqual(4);
    expect(oauth.stats.invalidGrant).toBe(0);
  });

  it('refuses a replayed or forged callback, and a disconnected account stops being used', async () => {
    const start = await apiGet(`/api/tenants/${acme}/connections/tickets/connect`, 'alice');
    const forged = new URL(`${api.url}/api/upstream-oauth/callback`);
    forged.searchParams.set('code', 'code-attacker');
    forged.searchParams.set('state', 'made-up');
    const refused = await fetch(forged, { redirect: 'manual' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('unknown, used or expired');
    const authorize = new URL(start.headers.get('location') as string);
    authorize.searchParams.set('login_hint', 'mallory');
    const callback = (await fetch(authorize, { redirect: 'manual' })).headers.get('location') as string;
    expect((await fetch(callback, { redirect: 'manual' })).status).toBe(200);
    expect((await fetch(callback, { redirect: 'manual' })).status).toBe(400); // the same state twice

    expect(
      (
        await fetch(`${api.url}/api/tenants/${acme}/connections/tickets`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${tokens.alice}` },
        })
      ).status,
    ).toBe(204);
    await new Promise((r) => setTimeout(r, 2200)); // the access token in hand expires
    const after = await call('alice');
    expect(after.isError).toBe(true);
    expect(JSON.stringify(after)).toContain('connect your tickets account first');
  });
});

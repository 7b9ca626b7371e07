import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { startDemoHttpServer, type DemoHttpServer } from '@gatehouse/demo-servers';
import type { RunningGateway } from '@gatehouse/gateway';
import { loadApiConfig, startApi, type RunningApi } from '@gatehouse/api';
import { AuthorizationServer, SigningKeys, resolvePersonalAccessToken } from '@gatehouse/identity';
import { applyYaml, issueToken, openTestDatabase, startTestGateway, uniqueSlug } from '../support/test-gateway';
import { InMemoryOAuthProvider } from '../support/oauth-test-client';
import { TestIdp } from '../support/test-idp';
import { TestBrowser, spUrls } from '../support/test-browser';

const yaml = (slug: string, url: string, idpMetadata: string) => `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers: [{ name: codehost, transport: http, url: "${url}" }]
    profiles:
      - { slug: coding, tools: [{ server: codehost, tool: list_repositories }] }
      - { slug: support, tools: [] }
    groups: [{ idpGroup: devs, role: member, profiles: [coding] }]
    users: [{ email: alice@${slug}.test, groups: [devs] }]
    sso: { metadataXml: ${JSON.stringify(idpMetadata)} }
`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('MCP authorization: the SDK client discovers, registers and gets a token for one endpoint', () => {
  let db: DataSource;
  let redis: Redis;
  let upstream: DemoHttpServer;
  let gateway: RunningGateway;
  let api: RunningApi;
  let idp: TestIdp;
  const acme = uniqueSlug('acme');
  const globex = uniqueSlug('globex');
  const redirectUrl = 'http://127.0.0.1:47123/oauth/callback';

  beforeAll(async () => {
    db = await openTestDatabase();
    redis = new Redis(inject('redisUrl'));
    upstream = await startDemoHttpServer('codehost');
    idp = await TestIdp.create();
    await applyYaml(db, yaml(acme, upstream.url, idp.metadataXml()));
    await applyYaml(db, yaml(globex, upstream.url, idp.metadataXml()));
    const gatewayPort = await freePort();
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    api = await startApi(
      loadApiConfig({
        DATABASE_URL: inject('databaseUrl'),
        REDIS_URL: inject('redisUrl'),
        API_PORT: '0',
        LOG_LEVEL: 'silent',
        GATEWAY_PUBLIC_URL: gatewayUrl,
      }),
    );
    gateway = await startTestGateway({ GATEWAY_PORT: String(gatewayPort), API_PUBLIC_URL: api.url });
  });
  afterAll(async () => {
    await gateway?.close();
    await api?.close();
    await upstream?.close();
    redis?.disconnect();
    await db?.destroy();
  });

  const endpoint = (profile = 'coding') => new URL(`${gateway.url}/mcp/${acme}/${profile}`);

  it('answers an unauthenticated request with a challenge naming the protected resource metadata', async () => {
    const response = await fetch(endpoint(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{}',
    });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(metadataUrl).toBe(`${gateway.url}/.well-known/oauth-protected-resource/mcp/${acme}/coding`);
    const metadata = await (await fetch(metadataUrl as string)).json();
    expect(metadata).toEqual(
      expect.objectContaining({ resource: endpoint().toString(), authorization_servers: [`${api.url}/api/oauth/${acme}`] }),
    );
    const asMetadata = await (await fetch(`${api.url}/.well-known/oauth-authorization-server/api/oauth/${acme}`)).json();
    expect(asMetadata.issuer).toBe(`${api.url}/api/oauth/${acme}`);
    expect((await fetch(`${api.url}/.well-known/oauth-authorization-server/api/oauth/no-such-tenant`)).status).toBe(404);
  });

  it('discovers, registers, signs the user in through SAML SSO with consent, exchanges the code and calls a tool', async () => {
    const provider = new InMemoryOAuthProvider(redirectUrl);
    const transport = new StreamableHTTPClientTransport(endpoint(), { authProvider: provider });
    await expect(new Client({ name: 'oauth-e2e', version: '1.0.0' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);

    const registration = provider.clientInformation();
    expect(registration?.client_id).toMatch(/^mcp_/);
    const authorizationUrl = provider.authorizationUrl as URL;
    expect(authorizationUrl.toString().startsWith(`${api.url}/api/oauth/${acme}/authorize?`)).toBe(true);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('resource')).toBe(endpoint().toString());

    // The browser: no session yet, so the authorize step sends the user to the tenant's IdP…
    const browser = new TestBrowser();
    const toSso = await browser.fetch(authorizationUrl.toString());
    expect(toSso.status).toBe(302);
    const login = new URL(toSso.headers.get('location') as string, api.url);
    expect(login.pathname).toBe(`/api/auth/saml/${acme}/login`);
    expect(login.searchParams.get('returnTo')).toBe(`${authorizationUrl.pathname}${authorizationUrl.search}`);
    const toIdp = await browser.fetch(login.toString());
    const idpUrl = toIdp.headers.get('location') as string;
    // …which signs Alice in and posts its signed assertion back to the ACS…
    const assertion = idp.response({
      ...spUrls(api.url, acme),
      inResponseTo: TestIdp.requestIdFrom(idpUrl),
      email: `alice@${acme}.test`,
      groups: ['devs'],
    });
    const acs = await browser.fetch(`${api.url}/api/auth/saml/${acme}/acs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: assertion, RelayState: new URL(idpUrl).searchParams.get('RelayState') ?? '' }),
    });
    expect(acs.status).toBe(303);
    // …which returns her to the authorize step: the consent page names the client and the profile.
    const consent = await browser.fetch(new URL(acs.headers.get('location') as string, api.url).toString());
    expect(consent.status).toBe(200);
    expect(consent.headers.get('x-frame-options')).toBe('DENY');
    const page = await consent.text();
    expect(page).toContain('Gatehouse e2e MCP client');
    expect(page).toContain('<strong>coding</strong>');
    const ticket = /name="ticket" value="([^"]+)"/.exec(page)?.[1] as string;
    // A forged decision (no ticket, or from another browser) changes nothing.
    expect(
      (
        await browser.fetch(authorizationUrl.toString().split('?')[0] as string, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'decision=approve',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await new TestBrowser().fetch(authorizationUrl.toString().split('?')[0] as string, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ ticket, decision: 'approve' }),
        })
      ).status,
    ).toBe(400);
    const approved = await browser.fetch(authorizationUrl.toString().split('?')[0] as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ticket, decision: 'approve' }),
    });
    expect(approved.status).toBe(302);
    const callback = new URL(approved.headers.get('location') as string);
    expect(`${callback.origin}${callback.pathname}`).toBe(redirectUrl);
    expect(callback.searchParams.get('state')).toBe(authorizationUrl.searchParams.get('state'));
    await transport.finishAuth(callback.searchParams); // code + iss (RFC 9207)
    expect(provider.tokens()?.refresh_token).toMatch(/^ghr_/);

    const client = new Client({ name: 'oauth-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(endpoint(), { authProvider: provider }));
    const result = await client.callTool({ name: 'list_repositories', arguments: {} });
    expect(result.isError).toBeFalsy();
    await client.close();

    // The token is for /coding only: the same token at another endpoint of the tenant is refused.
    const elsewhere = await fetch(endpoint('support'), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${provider.tokens()?.access_token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
      }),
    });
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('keeps clients working across a signing-key rotation (gatehouse oauth rotate-keys)', async () => {
    const provider = new InMemoryOAuthProvider(redirectUrl);
    const transport = new StreamableHTTPClientTransport(endpoint(), { authProvider: provider });
    await expect(new Client({ name: 'oauth-e2e', version: '1.0.0' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    const alice = await resolvePersonalAccessToken(db, await issueToken(db, acme, `alice@${acme}.test`));
    const as = new AuthorizationServer(db, redis, new SigningKeys(db), {
      apiPublicUrl: api.url,
      gatewayPublicUrl: gateway.url,
      accessTokenTtlSeconds: 600,
      refreshTokenTtlMs: 86_400_000,
    });
    const request = await as.validateAuthorize(acme, Object.fromEntries((provider.authorizationUrl as URL).searchParams));
    await transport.finishAuth(new URL(await as.approve(request, alice)).searchParams);
    const before = provider.tokens()?.access_token as string;

    const cli = join(__dirname, '../../apps/cli/bin/gatehouse.js');
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'oauth', 'rotate-keys'], {
      env: { ...process.env, DATABASE_URL: inject('databaseUrl') },
    });
    const newKid = stdout.trim();

    // The API signs with the new key once its cached key expires; a fresh AS instance sees it now.
    const rotated = await as.token(acme, {
      grant_type: 'refresh_token',
      client_id: provider.clientInformation()?.client_id,
      refresh_token: provider.tokens()?.refresh_token,
    });
    const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0] as string, 'base64url').toString()) as { kid: string }).kid;
    // Signed with a key newer than the first token's: the CLI's, or a later one, because another
    // spec (oauth-authorization-server) rotates the same database's keys at the same time.
    expect(newKid).not.toBe(kidOf(before));
    expect(kidOf(rotated.access_token)).not.toBe(kidOf(before));
    for (const token of [before, rotated.access_token]) {
      const client = new Client({ name: 'oauth-e2e', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(endpoint(), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
      );
      expect((await client.callTool({ name: 'list_repositories', arguments: {} })).isError).toBeFalsy();
      await client.close();
    }
  });

  it('refuses foreign, tampered and forged OAuth tokens at the gateway', async () => {
    const provider = new InMemoryOAuthProvider(redirectUrl);
    const transport = new StreamableHTTPClientTransport(endpoint(), { authProvider: provider });
    await expect(new Client({ name: 'oauth-e2e', version: '1.0.0' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    const alice = await resolvePersonalAccessToken(db, await issueToken(db, acme, `alice@${acme}.test`));
    const as = new AuthorizationServer(db, redis, new SigningKeys(db), {
      apiPublicUrl: api.url,
      gatewayPublicUrl: gateway.url,
      accessTokenTtlSeconds: 600,
      refreshTokenTtlMs: 86_400_000,
    });
    await transport.finishAuth(
      new URL(
        await as.approve(await as.validateAuthorize(acme, Object.fromEntries((provider.authorizationUrl as URL).searchParams)), alice),
      ).searchParams,
    );
    const token = provider.tokens()?.access_token as string;
    const [header, payload, signature] = token.split('.') as [string, string, string];

    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, profile: 'support', aud: endpoint('support').toString() })).toString('base64url')}.${signature}`;
    const { generateKeyPair, SignJWT } = await import('jose');
    const attacker = await generateKeyPair('ES256');
    const forged = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: JSON.parse(Buffer.from(header, 'base64url').toString()).kid })
      .sign(attacker.privateKey);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`;

    const attempts: Array<[string, URL, string]> = [
      ["acme's token at globex's endpoint of the same name", new URL(`${gateway.url}/mcp/${globex}/coding`), token],
      ['a token whose claims were edited', endpoint('support'), tampered],
      ["a token signed with an attacker's key under a real kid", endpoint(), forged],
      ['an unsigned token', endpoint(), unsigned],
    ];
    for (const [label, url, bearer] of attempts) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
        }),
      });
      expect([401, 404], label).toContain(response.status);
    }
  });

  it('answers token endpoint errors in OAuth form', async () => {
    const response = await fetch(`${api.url}/api/oauth/${acme}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: 'mcp_unknown', code: 'x', code_verifier: 'y' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
    const badGrant = await fetch(`${api.url}/api/oauth/${acme}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password',
    });
    expect(badGrant.status).toBe(401); // no client_id: invalid_client comes first
  });
});

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import {
  AuthorizationServer,
  OAuthProtocolError,
  RedirectableAuthorizeError,
  SigningKeys,
  resolvePersonalAccessToken,
  verifyAccessToken,
  type Principal,
} from '@gatehouse/identity';
import { applyYaml, issueToken, openTestDatabase, uniqueSlug } from '../support/test-gateway';

const GATEWAY = 'http://gateway.test:8080';
const API = 'http://api.test:3001';

const yaml = (slug: string, devsProfiles: string) => `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers: [{ name: kb, transport: http, url: "http://127.0.0.1:9/mcp" }]
    profiles:
      - { slug: coding, tools: [] }
      - { slug: support, tools: [] }
    groups:
      - { idpGroup: devs, role: member, profiles: [${devsProfiles}] }
    users:
      - { email: alice@${slug}.test, groups: [devs] }
`;

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('OAuth authorization server for MCP clients', () => {
  let db: DataSource;
  let redis: Redis;
  let as: AuthorizationServer;
  let keys: SigningKeys;
  let alice: Principal;
  const acme = uniqueSlug('acme');
  const globex = uniqueSlug('globex');
  const resource = () => `${GATEWAY}/mcp/${acme}/coding`;
  const redirectUri = 'http://127.0.0.1:33418/callback';

  beforeAll(async () => {
    db = await openTestDatabase();
    redis = new Redis(inject('redisUrl'));
    await applyYaml(db, yaml(acme, 'coding'));
    await applyYaml(db, yaml(globex, 'coding'));
    alice = await resolvePersonalAccessToken(db, await issueToken(db, acme, `alice@${acme}.test`));
    keys = new SigningKeys(db);
    as = new AuthorizationServer(db, redis, keys, { apiPublicUrl: API, gatewayPublicUrl: GATEWAY, accessTokenTtlSeconds: 300, refreshTokenTtlMs: 86_400_000 });
  });
  afterAll(async () => {
    redis?.disconnect();
    await db?.destroy();
  });

  const register = (tenant = acme) => as.clients.register(tenantIdOf(tenant), { client_name: 'Test MCP client', redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' });
  const tenantIds: Record<string, string> = {};
  function tenantIdOf(slug: string): string {
    return tenantIds[slug] as string;
  }
  beforeAll(async () => {
    for (const slug of [acme, globex]) {
      const [row] = await db.query('SELECT id FROM tenants WHERE slug = $1', [slug]);
      tenantIds[slug] = row.id;
    }
  });

  async function authorize(clientId: string, challenge: string, extra: Record<string, string> = {}) {
    const request = await as.validateAuthorize(acme, {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      resource: resource(),
      state: 'xyz',
      ...extra,
    });
    const location = new URL(await as.approve(request, alice));
    return location;
  }

  it('publishes RFC 8414 metadata per tenant with PKCE S256 only and public clients', async () => {
    const metadata = await as.metadata(acme);
    expect(metadata).toMatchObject({
      issuer: `${API}/api/oauth/${acme}`,
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
    });
    await expect(as.metadata('no-such-tenant')).rejects.toMatchObject({ code: 'tenant_not_found' });
  });

  it('refuses registrations with unsafe redirect URIs or confidential-client auth', async () => {
    const bad = [
      { redirect_uris: ['http://evil.example/cb'] },
      { redirect_uris: ['javascript:alert(1)'] },
      { redirect_uris: ['https://app.example/cb#frag'] },
      { redirect_uris: [redirectUri], token_endpoint_auth_method: 'client_secret_basic' },
      { redirect_uris: [redirectUri], grant_types: ['client_credentials'] },
      { redirect_uris: [] },
      { client_name: 'no redirect uris' },
    ];
    for (const body of bad) await expect(as.clients.register(tenantIdOf(acme), body), JSON.stringify(body)).rejects.toBeInstanceOf(OAuthProtocolError);
    const ok = await as.clients.register(tenantIdOf(acme), { redirect_uris: ['cursor://anysphere.cursor-retrieval/oauth/callback', 'https://app.example/cb'] });
    expect(ok.client_id).toMatch(/^mcp_/);
  });

  it('runs the authorization code flow with PKCE and issues a token valid only for the requested endpoint', async () => {
    const client = await register();
    const { verifier, challenge } = pkce();
    const location = await authorize(client.client_id as string, challenge);
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.get('iss')).toBe(`${API}/api/oauth/${acme}`);
    const tokens = await as.token(acme, { grant_type: 'authorization_code', client_id: client.client_id, code: location.searchParams.get('code'), code_verifier: verifier, redirect_uri: redirectUri, resource: resource() });
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'mcp' });

    const jwks = await keys.publicJwks();
    const principal = await verifyAccessToken(tokens.access_token, jwks, { issuer: `${API}/api/oauth/${acme}`, resource: resource() });
    expect(principal).toMatchObject({ tenantSlug: acme, userId: alice.userId, email: alice.email, profiles: ['coding'] });
    // The same token at another endpoint of the tenant, or another tenant's issuer: rejected.
    await expect(verifyAccessToken(tokens.access_token, jwks, { issuer: `${API}/api/oauth/${acme}`, resource: `${GATEWAY}/mcp/${acme}/support` })).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(verifyAccessToken(tokens.access_token, jwks, { issuer: `${API}/api/oauth/${globex}`, resource: `${GATEWAY}/mcp/${globex}/coding` })).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('redeems a code once, and only with the right verifier, client and redirect URI', async () => {
    const client = await register();
    const other = await register();
    const { verifier, challenge } = pkce();
    const code = (await authorize(client.client_id as string, challenge)).searchParams.get('code');
    const form = { grant_type: 'authorization_code', client_id: client.client_id, code, code_verifier: verifier, redirect_uri: redirectUri };
    await expect(as.token(acme, { ...form, code_verifier: pkce().verifier })).rejects.toMatchObject({ error: 'invalid_grant' });
    // The failed attempt consumed the code: a stolen code is useless after one wrong guess.
    await expect(as.token(acme, form)).rejects.toMatchObject({ error: 'invalid_grant' });

    const code2 = (await authorize(client.client_id as string, challenge)).searchParams.get('code');
    await expect(as.token(acme, { ...form, code: code2, client_id: other.client_id })).rejects.toMatchObject({ error: 'invalid_grant' });
    const code3 = (await authorize(client.client_id as string, challenge)).searchParams.get('code');
    await expect(as.token(globex, { ...form, code: code3 })).rejects.toMatchObject({ error: 'invalid_client' });
    const code4 = (await authorize(client.client_id as string, challenge)).searchParams.get('code');
    await expect(as.token(acme, { ...form, code: code4 })).resolves.toMatchObject({ token_type: 'Bearer' });
    await expect(as.token(acme, { ...form, code: code4 })).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('rejects authorization requests without PKCE, for unknown clients, foreign redirect URIs or another tenant’s endpoint', async () => {
    const client = await register();
    const base = { response_type: 'code', client_id: client.client_id, redirect_uri: redirectUri, code_challenge: pkce().challenge, code_challenge_method: 'S256', resource: resource() };
    await expect(as.validateAuthorize(acme, { ...base, client_id: 'mcp_nope' })).rejects.toMatchObject({ error: 'invalid_client' });
    const foreign = as.validateAuthorize(acme, { ...base, redirect_uri: 'https://attacker.example/cb' });
    await expect(foreign).rejects.toBeInstanceOf(OAuthProtocolError);
    await expect(foreign).rejects.not.toBeInstanceOf(RedirectableAuthorizeError); // never redirect to an unregistered URI
    await expect(as.validateAuthorize(acme, { ...base, code_challenge_method: 'plain' })).rejects.toBeInstanceOf(RedirectableAuthorizeError);
    await expect(as.validateAuthorize(acme, { ...base, resource: `${GATEWAY}/mcp/${globex}/coding` })).rejects.toMatchObject({ error: 'invalid_target' });
    await expect(as.validateAuthorize(acme, { ...base, resource: `${GATEWAY}/mcp/${acme}/nope` })).rejects.toMatchObject({ error: 'invalid_target' });
    // A loopback redirect may use another port (RFC 8252), nothing else may differ.
    await expect(as.validateAuthorize(acme, { ...base, redirect_uri: 'http://127.0.0.1:51234/callback' })).resolves.toMatchObject({ profile: 'coding' });
    await expect(as.validateAuthorize(acme, { ...base, redirect_uri: 'http://127.0.0.1:51234/other' })).rejects.not.toBeInstanceOf(RedirectableAuthorizeError);
  });

  it('rotates refresh tokens and revokes the whole sign-in when an old one is reused', async () => {
    const client = await register();
    const { verifier, challenge } = pkce();
    const code = (await authorize(client.client_id as string, challenge)).searchParams.get('code');
    const first = await as.token(acme, { grant_type: 'authorization_code', client_id: client.client_id, code, code_verifier: verifier, redirect_uri: redirectUri });
    const second = await as.token(acme, { grant_type: 'refresh_token', client_id: client.client_id, refresh_token: first.refresh_token });
    expect(second.refresh_token).not.toBe(first.refresh_token);
    await expect(as.token(acme, { grant_type: 'refresh_token', client_id: client.client_id, refresh_token: first.refresh_token })).rejects.toMatchObject({ error: 'invalid_grant' });
    // The reuse revoked the family: the legitimate latest token is dead too.
    await expect(as.token(acme, { grant_type: 'refresh_token', client_id: client.client_id, refresh_token: second.refresh_token })).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a refresh once the user has lost the profile in their groups', async () => {
    const client = await register();
    const { verifier, challenge } = pkce();
    const code = (await authorize(client.client_id as string, challenge)).searchParams.get('code');
    const tokens = await as.token(acme, { grant_type: 'authorization_code', client_id: client.client_id, code, code_verifier: verifier, redirect_uri: redirectUri });
    await applyYaml(db, yaml(acme, 'support'));
    try {
      await expect(as.token(acme, { grant_type: 'refresh_token', client_id: client.client_id, refresh_token: tokens.refresh_token })).rejects.toMatchObject({
        error: 'invalid_grant',
        description: expect.stringContaining('no longer has access to profile "coding"'),
      });
    } finally {
      await applyYaml(db, yaml(acme, 'coding'));
    }
  });

  it('accepts a client identified by a client ID metadata document, and only one that names itself', async () => {
    const documents: Record<string, unknown> = {};
    const server: Server = createServer((req, res) => {
      const doc = documents[req.url ?? ''];
      res.writeHead(doc ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(doc ?? {}));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      documents['/good.json'] = { client_id: `${base}/good.json`, client_name: 'Metadata Client', redirect_uris: [redirectUri] };
      documents['/liar.json'] = { client_id: 'https://someone-else.example/client.json', redirect_uris: [redirectUri] };
      const strict = new AuthorizationServer(db, redis, keys, { apiPublicUrl: API, gatewayPublicUrl: GATEWAY, accessTokenTtlSeconds: 300, refreshTokenTtlMs: 60_000 });
      const dev = new AuthorizationServer(db, redis, keys, { apiPublicUrl: API, gatewayPublicUrl: GATEWAY, accessTokenTtlSeconds: 300, refreshTokenTtlMs: 60_000, allowLoopbackMetadataDocuments: true });
      const query = (clientId: string) => ({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, code_challenge: pkce().challenge, code_challenge_method: 'S256', resource: resource() });
      // Plain http is refused unless explicitly allowed for loopback development.
      await expect(strict.validateAuthorize(acme, query(`${base}/good.json`))).rejects.toMatchObject({ error: 'invalid_client' });
      const request = await dev.validateAuthorize(acme, query(`${base}/good.json`));
      expect(request.client).toMatchObject({ clientId: `${base}/good.json`, clientName: 'Metadata Client' });
      await expect(dev.validateAuthorize(acme, query(`${base}/liar.json`))).rejects.toMatchObject({ error: 'invalid_client' });
      await expect(dev.validateAuthorize(acme, query(`${base}/missing.json`))).rejects.toMatchObject({ error: 'invalid_client' });
    } finally {
      server.close();
    }
  });

  it('keeps tokens signed before a key rotation valid, and signs new ones with the new key', async () => {
    const client = await register();
    const { verifier, challenge } = pkce();
    const code = (await authorize(client.client_id as string, challenge)).searchParams.get('code');
    const before = await as.token(acme, { grant_type: 'authorization_code', client_id: client.client_id, code, code_verifier: verifier, redirect_uri: redirectUri });
    const newKid = await keys.rotate();
    const after = await as.token(acme, { grant_type: 'refresh_token', client_id: client.client_id, refresh_token: before.refresh_token });
    const jwks = await keys.publicJwks();
    expect(jwks.keys.map((k) => k.kid)).toContain(newKid);
    const expected = { issuer: `${API}/api/oauth/${acme}`, resource: resource() };
    await expect(verifyAccessToken(before.access_token, jwks, expected)).resolves.toMatchObject({ userId: alice.userId });
    await expect(verifyAccessToken(after.access_token, jwks, expected)).resolves.toMatchObject({ userId: alice.userId });
    const header = JSON.parse(Buffer.from(after.access_token.split('.')[0] as string, 'base64url').toString());
    expect(header.kid).toBe(newKid);
  });
});

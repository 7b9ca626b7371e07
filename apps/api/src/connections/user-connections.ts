import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { McpServer, userRefreshTokenSecret } from '@gatehouse/catalog';
import { TenantScope } from '@gatehouse/tenancy';
import { announceSecretChange, type Vault } from '@gatehouse/vault';
import { describeOAuthError, loadOAuth, secretNames, tokenEndpointServer } from '@gatehouse/upstream';

interface PendingConnect {
  tenantId: string;
  userId: string;
  email: string;
  serverId: string;
  verifier: string;
}

const STATE_TTL_S = 600;

/**
 * Users connecting their own account of a per-user OAuth server: authorization code with PKCE at
 * the server's authorization server, the refresh token kept in the vault under the user's name.
 * The state (one use, ten minutes) binds the callback to the user who started it.
 */
export class UserConnections {
  constructor(
    private readonly db: DataSource,
    private readonly redis: Redis,
    private readonly vault: Vault,
    private readonly apiPublicUrl: () => string,
  ) {}

  get callbackUrl(): string {
    return `${this.apiPublicUrl()}/api/upstream-oauth/callback`;
  }

  async list(tenantId: string, userId: string): Promise<Array<{ server: string; connected: boolean }>> {
    const servers = (await new TenantScope(this.db.manager, tenantId).find(McpServer)).filter((s) => s.oauth?.perUser);
    const secrets = new Set((await this.vault.list(tenantId)).map((s) => s.name));
    return servers.map((s) => ({ server: s.name, connected: secrets.has(userRefreshTokenSecret(userId, s.name)) }));
  }

  /** Where to send the user's browser to grant access (the server's authorization endpoint). */
  async start(tenantId: string, user: { userId: string; email: string }, serverName: string): Promise<string> {
    const server = await this.perUserServer(tenantId, serverName);
    const o = await loadOAuth();
    const verifier = o.generateRandomCodeVerifier();
    const state = randomBytes(24).toString('base64url');
    const pending: PendingConnect = { tenantId, userId: user.userId, email: user.email, serverId: server.id, verifier };
    await this.redis.set(`gatehouse:upstream-connect:${state}`, JSON.stringify(pending), 'EX', STATE_TTL_S);
    const oauth = server.oauth as NonNullable<McpServer['oauth']>;
    const url = new URL((oauth.perUser as { authorizeUrl: string }).authorizeUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', oauth.clientId);
    url.searchParams.set('redirect_uri', this.callbackUrl);
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', await o.calculatePKCECodeChallenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    if (oauth.scope) url.searchParams.set('scope', oauth.scope);
    if (oauth.resource) url.searchParams.set('resource', oauth.resource);
    return url.toString();
  }

  /** The authorization server sent the browser back: exchange the code and keep the refresh token. */
  async finish(callback: URL): Promise<{ server: string }> {
    const state = callback.searchParams.get('state') ?? '';
    const raw = state ? await this.redis.getdel(`gatehouse:upstream-connect:${state}`) : null;
    if (!raw) throw new GatehouseError('bad_request', 'This connection request is unknown, used or expired.');
    const pending = JSON.parse(raw) as PendingConnect;
    const server = await new TenantScope(this.db.manager, pending.tenantId).findOne(McpServer, { id: pending.serverId });
    if (!server?.oauth?.perUser) throw new GatehouseError('not_found', 'The server of this connection request no longer acts per user.');
    const oauth = server.oauth;
    const o = await loadOAuth();
    const as = tokenEndpointServer(oauth.tokenUrl);
    const client = { client_id: oauth.clientId };
    const secretName = oauth.clientSecret ? secretNames(oauth.clientSecret)[0] : undefined;
    const clientSecret = secretName ? await this.vault.reveal(pending.tenantId, secretName) : undefined;
    const auth = clientSecret === undefined ? o.None() : o.ClientSecretBasic(clientSecret);
    const options = { [o.allowInsecureRequests]: new URL(oauth.tokenUrl).protocol === 'http:' };
    try {
      const params = o.validateAuthResponse(as, client, callback, state);
      const response = await o.authorizationCodeGrantRequest(as, client, auth, params, this.callbackUrl, pending.verifier, options);
      const tokens = await o.processAuthorizationCodeResponse(as, client, response);
      if (!tokens.refresh_token) throw new Error('the authorization server issued no refresh token (ask for offline access)');
      await this.vault.put(
        pending.tenantId,
        userRefreshTokenSecret(pending.userId, server.name),
        tokens.refresh_token,
        pending.email,
        `${server.name} account of ${pending.email}`,
      );
      await announceSecretChange(this.redis, pending.tenantId).catch(() => undefined);
      return { server: server.name };
    } catch (error) {
      if (error instanceof GatehouseError) throw error;
      throw new GatehouseError('bad_request', `${server.name} refused the connection: ${describeOAuthError(error)}`);
    }
  }

  async disconnect(tenantId: string, user: { userId: string; email: string }, serverName: string): Promise<void> {
    await this.perUserServer(tenantId, serverName);
    await this.vault.remove(tenantId, userRefreshTokenSecret(user.userId, serverName), user.email);
    await announceSecretChange(this.redis, tenantId).catch(() => undefined);
  }

  private async perUserServer(tenantId: string, name: string): Promise<McpServer> {
    const server = await new TenantScope(this.db.manager, tenantId).findOne(McpServer, { name });
    if (!server?.oauth?.perUser) throw new GatehouseError('not_found', `No server "${name}" in this tenant acts per user.`);
    return server;
  }
}

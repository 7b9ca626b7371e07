import type { Redis } from 'ioredis';
import { GatehouseError, tryRedisLock, type Logger } from '@gatehouse/core';
import { userRefreshTokenSecret, type UpstreamOAuthSettings } from '@gatehouse/catalog';
import type { UpstreamServerConfig } from './upstream-config';
import { secretNames, type SecretLookup } from './secret-references';
import { describeOAuthError, loadOAuth, tokenEndpointServer } from './oauth-client';

/** What the token source needs from the vault: secret values, writing back a rotated refresh token, sealing. */
export interface TokenVault {
  /** Cached lookup (client secrets). */
  lookup: SecretLookup;
  /** Uncached: a refresh token another gateway may just have rotated. */
  current(tenantId: string, name: string): Promise<string | undefined>;
  /** Marks a credential value as secret for redaction (access and refresh tokens too). */
  remember(tenantId: string, name: string, value: string): void;
  replace(tenantId: string, name: string, value: string): Promise<void>;
  seal(tenantId: string, label: string, value: string): Promise<string>;
  open(tenantId: string, label: string, sealed: string): Promise<string>;
}

/** Whose token: a server's own, or one user's for a per-user server. */
interface Holder {
  server: UpstreamServerConfig;
  userId?: string;
  key: string;
}

interface CachedToken {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
  obtainedAt: number;
}

export interface UpstreamTokenOptions {
  /** Tokens this close to expiry are refreshed before use. */
  refreshMarginMs?: number;
  /** How long a worker waits for another worker's refresh before giving up. */
  lockWaitMs?: number;
  /** Where a user connects their account of a per-user OAuth server (named in the error when they have not). */
  connectUrl?: (tenantId: string, serverName: string) => Promise<string>;
}

/**
 * Access tokens for upstream servers that use OAuth (client credentials or refresh token grant),
 * shared by every gateway worker: the current token lives in Redis, sealed with the tenant's data
 * key; one worker at a time refreshes a credential (a Redis lock), before the token expires; the
 * others wait for its result. With refresh token rotation this is what keeps two workers from
 * spending the same refresh token. Redis away: each worker fetches its own token.
 */
export class UpstreamTokens {
  private readonly local = new Map<string, CachedToken>();
  private readonly marginMs: number;
  private readonly lockWaitMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly vault: TokenVault,
    private readonly logger: Logger,
    options: UpstreamTokenOptions = {},
  ) {
    this.marginMs = options.refreshMarginMs ?? 30_000;
    this.lockWaitMs = options.lockWaitMs ?? 10_000;
    this.connectUrl = options.connectUrl;
  }

  private readonly connectUrl?: (tenantId: string, serverName: string) => Promise<string>;

  /** A token valid for at least the refresh margin; `rejected` is one the upstream just refused (never returned again). */
  async accessToken(server: UpstreamServerConfig, rejected?: string, userId?: string): Promise<string> {
    const oauth = server.oauth;
    if (!oauth) throw new Error(`server "${server.name}" has no OAuth settings`);
    // A per-user server's token for one user is a credential of its own: own cache, lock and refresh token.
    const who: Holder = oauth.perUser && userId ? { server, userId, key: `${server.id}:${userId}` } : { server, key: server.id };
    const usable = (t: CachedToken | null | undefined): t is CachedToken =>
      !!t && t.accessToken !== rejected && t.expiresAt - this.marginFor(t) > Date.now();
    const local = this.local.get(who.key);
    if (usable(local)) return local.accessToken;
    const shared = await this.readShared(who).catch(() => null);
    if (usable(shared)) return this.remember(who, shared);

    const release = await tryRedisLock(this.redis, this.redisKey(who, 'lock'), 15_000).catch(() => 'no-redis' as const);
    if (release === null) {
      // Another worker is refreshing: wait for its token rather than spending the credential twice.
      const deadline = Date.now() + this.lockWaitMs;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        const fresh = await this.readShared(who).catch(() => null);
        if (usable(fresh)) return this.remember(who, fresh);
      }
      throw new GatehouseError(
        'upstream_unavailable',
        `Timed out waiting for another gateway to refresh the OAuth token of server "${server.name}".`,
      );
    }
    try {
      const again = release === 'no-redis' ? null : await this.readShared(who).catch(() => null);
      if (usable(again)) return this.remember(who, again);
      const token = await this.fetchToken(who, oauth);
      await this.writeShared(who, token).catch((error: unknown) =>
        this.logger.warn({ err: error, server: server.name }, 'could not share an upstream token through Redis'),
      );
      return this.remember(who, token);
    } finally {
      if (release !== 'no-redis') await release();
    }
  }

  /** Forgets a server's tokens in this process (its config changed). */
  forget(serverId: string): void {
    for (const key of [...this.local.keys()]) if (key === serverId || key.startsWith(`${serverId}:`)) this.local.delete(key);
  }

  private marginFor(token: CachedToken): number {
    // Refresh when under the margin, or under a tenth of the token's lifetime for short-lived tokens.
    return Math.min(this.marginMs, (token.expiresAt - token.obtainedAt) / 10);
  }

  private async fetchToken(who: Holder, oauth: UpstreamOAuthSettings): Promise<CachedToken> {
    const { server } = who;
    const o = await loadOAuth();
    const as = tokenEndpointServer(oauth.tokenUrl);
    const client = { client_id: oauth.clientId };
    const clientSecret = oauth.clientSecret ? await this.secret(server, oauth.clientSecret, 'clientSecret') : undefined;
    const auth = clientSecret === undefined ? o.None() : o.ClientSecretBasic(clientSecret);
    const parameters = new URLSearchParams();
    if (oauth.scope) parameters.set('scope', oauth.scope);
    if (oauth.resource) parameters.set('resource', oauth.resource);
    // Token endpoints on loopback or private networks are normal for self-hosted upstreams.
    const options = { [o.allowInsecureRequests]: new URL(oauth.tokenUrl).protocol === 'http:' };
    const obtainedAt = Date.now();
    try {
      let result: { access_token: string; expires_in?: number; refresh_token?: string };
      const refreshReference = who.userId ? `\${secret:${userRefreshTokenSecret(who.userId, server.name)}}` : oauth.refreshToken;
      if (refreshReference) {
        const refreshToken = await this.userOrSharedRefreshToken(who, refreshReference);
        const response = await o.refreshTokenGrantRequest(as, client, auth, refreshToken, { ...options, additionalParameters: parameters });
        result = await o.processRefreshTokenResponse(as, client, response);
        // A rotated refresh token replaces the old one in the vault before anyone else may use it.
        if (result.refresh_token && result.refresh_token !== refreshToken) {
          const name = secretNames(refreshReference)[0] as string;
          this.vault.remember(server.tenantId, name, result.refresh_token);
          await this.vault.replace(server.tenantId, name, result.refresh_token);
        }
      } else {
        const response = await o.clientCredentialsGrantRequest(as, client, auth, parameters, options);
        result = await o.processClientCredentialsResponse(as, client, response);
      }
      const lifetimeMs = (result.expires_in ?? 300) * 1000;
      this.logger.info({ server: server.name, expiresInS: lifetimeMs / 1000 }, 'obtained an upstream OAuth token');
      return { accessToken: result.access_token, expiresAt: obtainedAt + lifetimeMs, obtainedAt };
    } catch (error) {
      if (error instanceof GatehouseError) throw error;
      throw new GatehouseError(
        'upstream_unavailable',
        `Could not get an OAuth access token for server "${server.name}" from ${oauth.tokenUrl}: ${describeOAuthError(error)}`,
      );
    }
  }

  /** A user's refresh token (they must have connected their account), or the server's shared one. */
  private async userOrSharedRefreshToken(who: Holder, reference: string): Promise<string> {
    if (!who.userId) return this.secret(who.server, reference, 'refreshToken', true);
    const name = userRefreshTokenSecret(who.userId, who.server.name);
    const value = await this.vault.current(who.server.tenantId, name);
    if (value === undefined) {
      const where = this.connectUrl ? `: ${await this.connectUrl(who.server.tenantId, who.server.name)}` : ' (in the console)';
      throw new GatehouseError(
        'forbidden',
        `Server "${who.server.name}" acts as you: connect your ${who.server.name} account first${where}`,
      );
    }
    this.vault.remember(who.server.tenantId, name, value);
    return value;
  }

  private async secret(server: UpstreamServerConfig, reference: string, field: string, fresh = false): Promise<string> {
    const name = secretNames(reference)[0];
    const read = fresh ? this.vault.current : this.vault.lookup;
    const value = name === undefined ? undefined : await read(server.tenantId, name);
    if (value !== undefined && name !== undefined) this.vault.remember(server.tenantId, name, value);
    if (value === undefined) {
      throw new GatehouseError(
        'upstream_unavailable',
        `secret "${name ?? reference}" for the OAuth ${field} of server "${server.name}" is not in the vault`,
      );
    }
    return value;
  }

  private remember(who: Holder, token: CachedToken): string {
    this.vault.remember(who.server.tenantId, `oauth:${who.server.name}`, token.accessToken);
    this.local.set(who.key, token);
    return token.accessToken;
  }

  private redisKey(who: Holder, part: 'token' | 'lock'): string {
    return `gatehouse:upstream-oauth:${part}:${who.key}`;
  }

  private async readShared(who: Holder): Promise<CachedToken | null> {
    const sealed = await this.redis.get(this.redisKey(who, 'token'));
    if (!sealed) return null;
    return JSON.parse(await this.vault.open(who.server.tenantId, `upstream-token:${who.key}`, sealed)) as CachedToken;
  }

  private async writeShared(who: Holder, token: CachedToken): Promise<void> {
    const sealed = await this.vault.seal(who.server.tenantId, `upstream-token:${who.key}`, JSON.stringify(token));
    await this.redis.set(this.redisKey(who, 'token'), sealed, 'PX', Math.max(1000, token.expiresAt - Date.now()));
  }
}

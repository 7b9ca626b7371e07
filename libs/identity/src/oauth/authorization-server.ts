import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { Tenant } from '@gatehouse/tenancy';
import type { Principal } from '../principal-resolver';
import { signAccessToken } from './access-token-jwt';
import { AuthorizationCodes, verifyPkce } from './authorization-codes';
import { OAuthClients, type KnownClient } from './oauth-clients';
import { OAuthProtocolError, invalidGrant } from './oauth-errors';
import { RefreshTokens } from './refresh-tokens';
import type { SigningKeys } from './signing-keys';
import { loadUserAccess } from './user-access';

export interface AuthorizationServerOptions {
  /** Public base URL of the API; a tenant's issuer is `{apiPublicUrl}/api/oauth/{tenant}`. */
  apiPublicUrl: string;
  /** Public base URL of the gateway; resources are `{gatewayPublicUrl}/mcp/{tenant}/{profile}`. */
  gatewayPublicUrl: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlMs: number;
  allowLoopbackMetadataDocuments?: boolean;
}

export const MCP_SCOPE = 'mcp';

/** A validated authorization request, waiting for the user's consent. */
export interface AuthorizeRequest {
  tenantId: string;
  tenantSlug: string;
  client: KnownClient;
  redirectUri: string;
  codeChallenge: string;
  resource: string;
  profile: string;
  scope: string;
  state: string | undefined;
}

/** An authorize failure that may be reported to the client through its redirect URI (RFC 6749 §4.1.2.1). */
export class RedirectableAuthorizeError extends OAuthProtocolError {
  constructor(
    readonly redirectUri: string,
    readonly state: string | undefined,
    readonly issuer: string,
    error: OAuthProtocolError['error'],
    description: string,
  ) {
    super(error, description);
  }

  get location(): string {
    return withParams(this.redirectUri, { error: this.error, error_description: this.description, state: this.state, iss: this.issuer });
  }
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

/**
 * The OAuth 2.1 authorization server MCP clients use (MCP authorization spec 2025-06-18 and
 * 2025-11-25): one issuer per tenant, authorization code + PKCE S256 only, tokens bound to one
 * gateway endpoint by resource indicator (RFC 8707), rotating refresh tokens. HTTP-free: the
 * API's controller maps requests in and responses out.
 */
export class AuthorizationServer {
  readonly clients: OAuthClients;
  private readonly codes: AuthorizationCodes;
  private readonly refreshTokens: RefreshTokens;

  constructor(
    private readonly db: DataSource,
    redis: Redis,
    private readonly keys: SigningKeys,
    private readonly options: AuthorizationServerOptions,
  ) {
    this.clients = new OAuthClients(db, options.allowLoopbackMetadataDocuments ?? false);
    this.codes = new AuthorizationCodes(redis);
    this.refreshTokens = new RefreshTokens(db, options.refreshTokenTtlMs);
  }

  issuer(tenantSlug: string): string {
    return `${this.options.apiPublicUrl}/api/oauth/${tenantSlug}`;
  }

  /** RFC 8414 metadata of a tenant's authorization server. */
  async metadata(tenantSlug: string): Promise<Record<string, unknown>> {
    await this.tenant(tenantSlug);
    const issuer = this.issuer(tenantSlug);
    return {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      registration_endpoint: `${issuer}/register`,
      revocation_endpoint: `${issuer}/revoke`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      revocation_endpoint_auth_methods_supported: ['none'],
      scopes_supported: [MCP_SCOPE],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    };
  }

  /** Validates `GET /authorize`. Errors about the client or redirect URI must not redirect. */
  async validateAuthorize(tenantSlug: string, query: Record<string, unknown>): Promise<AuthorizeRequest> {
    const tenant = await this.tenant(tenantSlug);
    const param = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
    const clientId = param('client_id');
    if (!clientId) throw new OAuthProtocolError('invalid_request', 'client_id is required.');
    const client = await this.clients.find(tenant.id, clientId);
    if (!client) throw new OAuthProtocolError('invalid_client', `Unknown client "${clientId}" for this organisation.`);
    const redirectUri = param('redirect_uri');
    if (!redirectUri || !redirectUriMatches(client.redirectUris, redirectUri)) {
      throw new OAuthProtocolError('invalid_request', 'redirect_uri is missing or is not one the client registered.');
    }
    const state = param('state');
    const fail = (error: OAuthProtocolError['error'], description: string) =>
      new RedirectableAuthorizeError(redirectUri, state, this.issuer(tenantSlug), error, description);
    if (param('response_type') !== 'code') throw fail('invalid_request', 'response_type must be "code".');
    const codeChallenge = param('code_challenge');
    if (!codeChallenge || param('code_challenge_method') !== 'S256') {
      throw fail('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256.');
    }
    const resource = param('resource');
    if (!resource) throw fail('invalid_target', 'resource is required: the URL of the Gatehouse endpoint the token is for.');
    const profile = await this.profileOf(tenant, resource);
    if (!profile) throw fail('invalid_target', `"${resource}" is not an MCP endpoint of this organisation.`);
    return { tenantId: tenant.id, tenantSlug, client, redirectUri, codeChallenge, resource: canonicalResource(resource), profile, scope: grantedScope(param('scope')), state };
  }

  /** The user consented: a one-time code, returned through the client's redirect URI. */
  async approve(request: AuthorizeRequest, user: Principal): Promise<string> {
    const issuer = this.issuer(request.tenantSlug);
    if (user.tenantId !== request.tenantId) throw new GatehouseError('forbidden', 'You are signed in to another organisation.');
    if (!user.profiles.includes(request.profile)) {
      return new RedirectableAuthorizeError(request.redirectUri, request.state, issuer, 'access_denied', `You do not have access to profile "${request.profile}".`).location;
    }
    const code = await this.codes.issue({
      tenantId: request.tenantId,
      userId: user.userId,
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      resource: request.resource,
      profile: request.profile,
      scope: request.scope,
    });
    return withParams(request.redirectUri, { code, state: request.state, iss: issuer });
  }

  deny(request: AuthorizeRequest): string {
    const issuer = this.issuer(request.tenantSlug);
    return new RedirectableAuthorizeError(request.redirectUri, request.state, issuer, 'access_denied', 'The user declined the request.').location;
  }

  /** The token endpoint (form parameters already parsed). */
  async token(tenantSlug: string, form: Record<string, unknown>): Promise<TokenResponse> {
    const tenant = await this.tenant(tenantSlug);
    const param = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : undefined);
    const clientId = param('client_id');
    if (!clientId) throw new OAuthProtocolError('invalid_client', 'client_id is required (public client).');
    const client = await this.clients.find(tenant.id, clientId);
    if (!client) throw new OAuthProtocolError('invalid_client', `Unknown client "${clientId}".`);
    const resource = param('resource');

    switch (param('grant_type')) {
      case 'authorization_code': {
        const code = param('code');
        const verifier = param('code_verifier');
        if (!code || !verifier) throw new OAuthProtocolError('invalid_request', 'code and code_verifier are required.');
        const grant = await this.codes.redeem(code);
        if (!grant || grant.tenantId !== tenant.id || grant.clientId !== clientId) throw invalidGrant('The authorization code is invalid, expired or already used.');
        if (param('redirect_uri') !== grant.redirectUri) throw invalidGrant('redirect_uri does not match the authorization request.');
        if (!verifyPkce(verifier, grant.codeChallenge)) throw invalidGrant('PKCE verification failed: code_verifier does not match code_challenge.');
        if (resource && canonicalResource(resource) !== grant.resource) throw new OAuthProtocolError('invalid_target', 'resource differs from the authorization request.');
        const access = await this.currentAccess(tenant, grant.userId, grant.profile);
        const refresh = await this.refreshTokens.issue({ tenantId: tenant.id, userId: grant.userId, clientId, resource: grant.resource });
        return this.tokens(tenant, clientId, grant.resource, grant.profile, grant.scope, access, refresh);
      }
      case 'refresh_token': {
        const presented = param('refresh_token');
        if (!presented) throw new OAuthProtocolError('invalid_request', 'refresh_token is required.');
        const { grant, next } = await this.refreshTokens.rotate(presented, clientId, tenant.id);
        if (resource && canonicalResource(resource) !== grant.resource) throw new OAuthProtocolError('invalid_target', 'resource differs from the original grant.');
        const profile = profileFromResource(this.options.gatewayPublicUrl, tenant.slug, grant.resource);
        try {
          const access = await this.currentAccess(tenant, grant.userId, profile ?? '');
          return this.tokens(tenant, clientId, grant.resource, profile as string, MCP_SCOPE, access, next);
        } catch (error) {
          // Lost the profile (or the account) since sign-in: this sign-in ends here.
          await this.refreshTokens.revokeFamilyOf(next, tenant.id);
          throw error;
        }
      }
      default:
        throw new OAuthProtocolError('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token.');
    }
  }

  /** RFC 7009: revoking a refresh token ends its sign-in. Unknown tokens are accepted silently. */
  async revoke(tenantSlug: string, token: string): Promise<void> {
    const tenant = await this.tenant(tenantSlug);
    await this.refreshTokens.revokeFamilyOf(token, tenant.id);
  }

  private async tokens(
    tenant: Tenant,
    clientId: string,
    resource: string,
    profile: string,
    scope: string,
    access: { email: string; role: Principal['role']; userId: string },
    refreshToken: string,
  ): Promise<TokenResponse> {
    const accessToken = await signAccessToken(
      await this.keys.signingKey(),
      { issuer: this.issuer(tenant.slug), resource, clientId, tenantId: tenant.id, tenantSlug: tenant.slug, userId: access.userId, email: access.email, role: access.role, profile, scope },
      this.options.accessTokenTtlSeconds,
    );
    return { access_token: accessToken, token_type: 'Bearer', expires_in: this.options.accessTokenTtlSeconds, refresh_token: refreshToken, scope };
  }

  private async currentAccess(tenant: Tenant, userId: string, profile: string) {
    const access = await loadUserAccess(this.db, tenant.id, userId);
    if (!access || access.disabled) throw invalidGrant('The user no longer exists or is disabled.');
    if (!access.profiles.includes(profile)) throw invalidGrant(`The user no longer has access to profile "${profile}"; sign in again.`);
    return access;
  }

  /** The tenant behind a slug, or `tenant_not_found`. */
  tenantRecord(slug: string): Promise<Tenant> {
    return this.tenant(slug);
  }

  private async tenant(slug: string): Promise<Tenant> {
    const tenant = await this.db.getRepository(Tenant).findOne({ where: { slug } });
    if (!tenant) throw new GatehouseError('tenant_not_found', `Unknown tenant "${slug}".`);
    return tenant;
  }

  private async profileOf(tenant: Tenant, resource: string): Promise<string | null> {
    const slug = profileFromResource(this.options.gatewayPublicUrl, tenant.slug, resource);
    if (!slug) return null;
    // Plain SQL: profiles belong to the catalog domain, which identity does not import.
    const rows: unknown[] = await this.db.query('SELECT 1 FROM profiles WHERE tenant_id = $1 AND slug = $2', [tenant.id, slug]);
    return rows.length > 0 ? slug : null;
  }
}

/** The profile slug of `{gateway}/mcp/{tenant}/{profile}`, or null for any other URL. */
export function profileFromResource(gatewayPublicUrl: string, tenantSlug: string, resource: string): string | null {
  const prefix = `${gatewayPublicUrl.replace(/\/+$/, '')}/mcp/${tenantSlug}/`;
  const canonical = canonicalResource(resource);
  if (!canonical.startsWith(prefix)) return null;
  const slug = canonical.slice(prefix.length);
  return /^[a-z0-9][a-z0-9-]*$/.test(slug) ? slug : null;
}

/** RFC 8707 resources compare without a trailing slash, query or fragment. */
export function canonicalResource(resource: string): string {
  try {
    const url = new URL(resource);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return resource;
  }
}

function grantedScope(_requested: string | undefined): string {
  // One scope exists: access to the endpoint named by `resource`. Other requested scopes are not granted.
  return MCP_SCOPE;
}

/** Exact match, except a loopback redirect's port (RFC 8252 §7.3: native apps pick a free port). */
function redirectUriMatches(registered: string[], candidate: string): boolean {
  if (registered.includes(candidate)) return true;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || !['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)) return false;
  return registered.some((r) => {
    const reg = new URL(r);
    return reg.protocol === 'http:' && reg.hostname === url.hostname && reg.pathname === url.pathname && reg.search === url.search;
  });
}

function withParams(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

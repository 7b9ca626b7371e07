import type { IncomingMessage } from 'node:http';
import { OAuthTokenVerifier, type Principal } from '@gatehouse/identity';

/**
 * The gateway as an OAuth protected resource (MCP authorization spec, RFC 9728): each
 * `/mcp/{tenant}/{profile}` is its own resource, whose metadata names the tenant's
 * authorization server in the API. Access tokens are verified here, locally.
 */
export class OAuthResource {
  constructor(
    private readonly publicUrl: () => string,
    private readonly apiPublicUrl: string,
    private readonly verifier: OAuthTokenVerifier,
  ) {}

  resourceUrl(tenant: string, profile: string): string {
    return `${this.publicUrl()}/mcp/${tenant}/${profile}`;
  }

  issuer(tenant: string): string {
    return `${this.apiPublicUrl}/api/oauth/${tenant}`;
  }

  metadataUrl(tenant: string, profile: string): string {
    return `${this.publicUrl()}/.well-known/oauth-protected-resource/mcp/${tenant}/${profile}`;
  }

  /** RFC 9728 protected resource metadata of one endpoint. */
  metadata(tenant: string, profile: string): Record<string, unknown> {
    return {
      resource: this.resourceUrl(tenant, profile),
      authorization_servers: [this.issuer(tenant)],
      bearer_methods_supported: ['header'],
      scopes_supported: ['mcp'],
      resource_name: `Gatehouse ${tenant}/${profile}`,
    };
  }

  verify(token: string, tenant: string, profile: string): Promise<Principal> {
    return this.verifier.verify(token, { issuer: this.issuer(tenant), resource: this.resourceUrl(tenant, profile) });
  }
}

/** `/.well-known/oauth-protected-resource/mcp/{tenant}/{profile}` → [tenant, profile]. */
export function protectedResourceMetadataPath(req: IncomingMessage, path: string): [string, string] | null {
  if (req.method !== 'GET' && req.method !== 'HEAD') return null;
  const match = /^\/\.well-known\/oauth-protected-resource\/mcp\/([a-z0-9][a-z0-9-]{0,62})\/([a-z0-9][a-z0-9_-]{0,62})\/?$/.exec(path);
  return match ? [match[1] as string, match[2] as string] : null;
}

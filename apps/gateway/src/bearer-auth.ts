import type { IncomingMessage } from 'node:http';
import { GatehouseError } from '@gatehouse/core';
import { looksLikeJwt, type Principal } from '@gatehouse/identity';
import type { PrincipalCache } from '@gatehouse/proxy';
import type { OAuthResource } from './oauth-resource';

export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * The `WWW-Authenticate` challenge of a 401 (RFC 6750), naming the endpoint's protected resource
 * metadata (RFC 9728) so an MCP client can discover where to get a token.
 */
export function bearerChallenge(resourceMetadataUrl: string, error?: GatehouseError): string {
  const parts = ['Bearer realm="gatehouse"', `resource_metadata="${resourceMetadataUrl}"`, 'scope="mcp"'];
  if (error) parts.push(`error="invalid_token"`, `error_description="${error.message.replace(/["\\]/g, "'")}"`);
  return parts.join(', ');
}

/** A personal access token (looked up, cached) or an OAuth access token (verified locally for this endpoint). */
export async function authenticate(
  req: IncomingMessage,
  principals: PrincipalCache,
  oauth: OAuthResource,
  tenant: string,
  profile: string,
): Promise<Principal> {
  const token = bearerToken(req);
  if (!token) {
    throw new GatehouseError('unauthorized', 'Missing bearer token: send "Authorization: Bearer <token>", or sign in with OAuth.');
  }
  return looksLikeJwt(token) ? oauth.verify(token, tenant, profile) : principals.resolve(token);
}

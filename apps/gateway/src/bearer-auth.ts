import type { IncomingMessage } from 'node:http';
import { GatehouseError } from '@gatehouse/core';
import type { Principal } from '@gatehouse/identity';
import type { PrincipalCache } from '@gatehouse/proxy';

export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** The `WWW-Authenticate` challenge of a 401 (RFC 6750). */
export function bearerChallenge(error?: GatehouseError): string {
  const parts = ['Bearer realm="gatehouse"'];
  if (error) parts.push(`error="invalid_token"`, `error_description="${error.message.replace(/"/g, "'")}"`);
  return parts.join(', ');
}

export async function authenticate(req: IncomingMessage, principals: PrincipalCache): Promise<Principal> {
  const token = bearerToken(req);
  if (!token) {
    throw new GatehouseError('unauthorized', 'Missing bearer token: send "Authorization: Bearer <token>".');
  }
  return principals.resolve(token);
}

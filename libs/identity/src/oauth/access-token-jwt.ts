import { randomUUID } from 'node:crypto';
import { loadJose, type JSONWebKeySet } from './jose';
import { GatehouseError } from '@gatehouse/core';
import type { Role } from '@gatehouse/tenancy';
import type { Principal } from '../principal-resolver';
import { ACCESS_TOKEN_ALG, type ActiveSigningKey } from './signing-keys';

/** What an OAuth access token says, beyond the registered claims. */
export interface AccessTokenGrant {
  issuer: string;
  /** The one gateway endpoint URL the token is valid for (RFC 8707). */
  resource: string;
  clientId: string;
  tenantId: string;
  tenantSlug: string;
  userId: string;
  email: string;
  role: Role;
  profile: string;
  scope: string;
}

interface GatehouseClaims {
  client_id: string;
  scope: string;
  tenant_id: string;
  tenant: string;
  email: string;
  role: Role;
  profile: string;
}

export async function signAccessToken(key: ActiveSigningKey, grant: AccessTokenGrant, lifetimeSeconds: number): Promise<string> {
  const claims: GatehouseClaims = {
    client_id: grant.clientId,
    scope: grant.scope,
    tenant_id: grant.tenantId,
    tenant: grant.tenantSlug,
    email: grant.email,
    role: grant.role,
    profile: grant.profile,
  };
  const { SignJWT } = await loadJose();
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(grant.issuer)
    .setAudience(grant.resource)
    .setSubject(grant.userId)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${lifetimeSeconds}s`)
    .sign(key.key);
}

/** A JWT as opposed to a personal access token (`ghp_…`): three base64url segments. */
export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}

/**
 * Verifies an access token locally (no call to the API) against the published keys, for one
 * gateway endpoint: signature, `typ`, expiry, issuer of that tenant, audience = that endpoint.
 * A token issued for another endpoint or tenant is rejected, whatever else it says.
 */
export async function verifyAccessToken(
  token: string,
  jwks: JSONWebKeySet,
  expected: { issuer: string; resource: string },
): Promise<Principal> {
  const { createLocalJWKSet, errors, jwtVerify } = await loadJose();
  try {
    const { payload } = await jwtVerify<GatehouseClaims>(token, createLocalJWKSet(jwks), {
      algorithms: [ACCESS_TOKEN_ALG],
      typ: 'at+jwt',
      issuer: expected.issuer,
      audience: expected.resource,
      clockTolerance: 5,
      requiredClaims: ['exp', 'sub', 'jti'],
    });
    return {
      tenantId: payload.tenant_id,
      tenantSlug: payload.tenant,
      userId: payload.sub as string,
      email: payload.email,
      role: payload.role,
      profiles: [payload.profile],
      tokenId: payload.jti as string,
      tokenExpiresAt: new Date((payload.exp as number) * 1000),
    };
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new GatehouseError('token_expired', 'The access token has expired; refresh it.');
    if (error instanceof errors.JWKSNoMatchingKey) throw new UnknownSigningKeyError();
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') {
      throw new GatehouseError('unauthorized', 'The access token was issued for another endpoint (resource).');
    }
    if (error instanceof errors.JOSEError) throw new GatehouseError('unauthorized', `The access token is not valid (${error.code}).`);
    throw error;
  }
}

/** The token names a key this process does not know (yet): reload the key set and retry once. */
export class UnknownSigningKeyError extends GatehouseError {
  constructor() {
    super('unauthorized', 'The access token was signed with an unknown key.');
  }
}

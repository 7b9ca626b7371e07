import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';

/** What the user consented to, waiting for the client to redeem the code. */
export interface AuthorizationGrant {
  tenantId: string;
  userId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  resource: string;
  profile: string;
  scope: string;
}

const CODE_TTL_MS = 60_000;
const key = (code: string) => `gatehouse:oauth:code:${createHash('sha256').update(code).digest('hex')}`;

/**
 * Authorization codes live in Redis for a minute and are taken with GETDEL, so a code is
 * redeemable exactly once even with several API replicas racing on it.
 */
export class AuthorizationCodes {
  constructor(private readonly redis: Redis) {}

  async issue(grant: AuthorizationGrant): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    await this.redis.set(key(code), JSON.stringify(grant), 'PX', CODE_TTL_MS);
    return code;
  }

  /** The grant behind a code, removing it; null when unknown, expired or already used. */
  async redeem(code: string): Promise<AuthorizationGrant | null> {
    const raw = await this.redis.getdel(key(code));
    return raw ? (JSON.parse(raw) as AuthorizationGrant) : null;
  }
}

/** PKCE S256 (RFC 7636): BASE64URL(SHA256(verifier)) == challenge, compared in constant time. */
export function verifyPkce(verifier: string, challenge: string): boolean {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

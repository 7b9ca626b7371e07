import { createHash } from 'node:crypto';
import type { Principal } from '../principal-resolver';
import { UnknownSigningKeyError, verifyAccessToken } from './access-token-jwt';
import type { JSONWebKeySet } from './jose';
import type { SigningKeys } from './signing-keys';

/**
 * Verifies OAuth access tokens where they are used (the gateway), with no call to the API: the
 * published keys are read from Postgres and cached, and re-read when a token names an unknown
 * key (a rotation), at most every `reloadIntervalMs` (such a token waits for the next reload). Verified tokens are cached until they
 * expire, so the signature is checked once per token, not once per call.
 */
export class OAuthTokenVerifier {
  private jwks: JSONWebKeySet | null = null;
  private loadedAt = 0;
  private readonly verified = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly keys: Pick<SigningKeys, 'publicJwks'>,
    private readonly reloadIntervalMs = 1_000,
    private readonly maxCached = 50_000,
  ) {}

  async verify(token: string, expected: { issuer: string; resource: string }): Promise<Principal> {
    const cacheKey = createHash('sha256').update(`${expected.resource}\n${token}`).digest('base64');
    const hit = this.verified.get(cacheKey);
    if (hit && hit.until > Date.now()) return hit.principal;
    this.verified.delete(cacheKey);

    let principal: Principal;
    try {
      principal = await verifyAccessToken(token, await this.keySet(false), expected);
    } catch (error) {
      if (!(error instanceof UnknownSigningKeyError)) throw error;
      principal = await verifyAccessToken(token, await this.keySet(true), expected);
    }
    if (this.verified.size >= this.maxCached) this.verified.clear();
    this.verified.set(cacheKey, { principal, until: principal.tokenExpiresAt?.getTime() ?? 0 });
    return principal;
  }

  private async keySet(reload: boolean): Promise<JSONWebKeySet> {
    if (reload && this.jwks) {
      // A token naming a key we do not know: usually a rotation just now. Wait out the reload
      // interval rather than refuse it (an unknown-kid flood costs the caller time, not Postgres).
      const wait = this.reloadIntervalMs - (Date.now() - this.loadedAt);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const due = Date.now() - this.loadedAt >= this.reloadIntervalMs;
    if (!this.jwks || (reload && due)) {
      this.jwks = await this.keys.publicJwks();
      this.loadedAt = Date.now();
    }
    return this.jwks;
  }
}

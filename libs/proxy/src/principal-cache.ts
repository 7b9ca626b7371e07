import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { resolvePersonalAccessToken, type Principal } from '@gatehouse/identity';

/**
 * Bearer token → principal, cached briefly so the hot path does not query Postgres per call.
 * Entries never outlive the token's own expiry, and config changes clear the cache (a revoked
 * token or removed group takes effect within one invalidation, or `ttlMs` at worst).
 */
export class PrincipalCache {
  private readonly entries = new Map<string, { principal: Principal; until: number }>();

  constructor(
    private readonly db: DataSource,
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 50_000,
  ) {}

  async resolve(token: string): Promise<Principal> {
    const key = createHash('sha256').update(token).digest('base64');
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.principal;
    const principal = await resolvePersonalAccessToken(this.db, token, new Date(now));
    const expiry = principal.tokenExpiresAt?.getTime() ?? Infinity;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { principal, until: Math.min(now + this.ttlMs, expiry) });
    return principal;
  }

  clear(): void {
    this.entries.clear();
  }
}

import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { GatehouseError, isGatehouseError } from '@gatehouse/core';
import { resolvePersonalAccessToken, type Principal } from '@gatehouse/identity';

interface Entry {
  principal: Principal;
  /** Fresh until then; after it, the token is looked up again. */
  until: number;
  /** Usable as a fallback while Postgres is unreachable, until then. */
  staleUntil: number;
}

/**
 * Bearer token → principal, cached briefly so the hot path does not query Postgres per call.
 * Entries never outlive the token's own expiry. A config change of a tenant marks that tenant's
 * entries stale (looked up again at next use). While Postgres is unreachable, a recently known
 * principal keeps working for `staleMs`, so a database outage does not take the gateway down.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly db: DataSource,
    private readonly ttlMs = 30_000,
    private readonly staleMs = 10 * 60_000,
    private readonly maxEntries = 50_000,
  ) {}

  async resolve(token: string): Promise<Principal> {
    const key = createHash('sha256').update(token).digest('base64');
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.principal;
    let principal: Principal;
    try {
      principal = await resolvePersonalAccessToken(this.db, token, new Date(now));
    } catch (error) {
      if (isGatehouseError(error)) {
        this.entries.delete(key);
        throw error;
      }
      const expiry = hit?.principal.tokenExpiresAt?.getTime() ?? Infinity;
      if (hit && hit.staleUntil > now && expiry > now) return hit.principal;
      throw new GatehouseError('unavailable', 'Gatehouse cannot reach its database to check this token; try again shortly.');
    }
    const expiry = principal.tokenExpiresAt?.getTime() ?? Infinity;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { principal, until: Math.min(now + this.ttlMs, expiry), staleUntil: Math.min(now + this.staleMs, expiry) });
    return principal;
  }

  /** Forces a fresh lookup for a tenant's tokens (or every token, with null). */
  invalidateTenant(tenantId: string | null): void {
    for (const entry of this.entries.values()) {
      if (tenantId === null || entry.principal.tenantId === tenantId) entry.until = 0;
    }
  }
}

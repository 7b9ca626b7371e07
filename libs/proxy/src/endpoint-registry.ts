import type { DataSource } from 'typeorm';
import { GatehouseError, isGatehouseError } from '@gatehouse/core';
import { findTenantBySlug, loadProfileSnapshot, type ProfileSnapshot } from './profile-snapshot';
import type { ProfileToolset, ToolCatalog } from './tool-catalog';

const UNAVAILABLE_RECHECK_MS = 1_000;

/** A served endpoint: its config snapshot and its (lazily built, cached) tool list. */
export class Endpoint {
  private current: ProfileToolset | null = null;
  private building: Promise<ProfileToolset> | null = null;
  private builtAt = 0;
  private freshForMs = 0;

  constructor(
    readonly snapshot: ProfileSnapshot,
    private readonly catalog: ToolCatalog,
    private readonly refreshMs: number,
  ) {}

  /**
   * The curated tool list. After `refreshMs` it is rebuilt in the background (re-checking every
   * upstream definition for drift) while calls keep using the previous list, so no call waits on
   * an upstream listing except the very first.
   */
  toolset(): Promise<ProfileToolset> {
    if (this.current && Date.now() - this.builtAt < this.freshForMs) return Promise.resolve(this.current);
    const rebuild = this.rebuild();
    if (!this.current) return rebuild;
    // Keep serving the previous list; a failed background rebuild is retried at the next call.
    rebuild.catch(() => undefined);
    return Promise.resolve(this.current);
  }

  /**
   * A list built while one of its servers was unavailable is looked at again within a second (the
   * upstream's own backoff keeps that cheap), so its tools return as soon as the server does
   * instead of staying withheld for the whole refresh period.
   */
  private freshFor(toolset: ProfileToolset): number {
    const serverDown = [...toolset.withheld.values()].some((w) => w.reason === 'server_unavailable');
    return serverDown ? Math.min(this.refreshMs, UNAVAILABLE_RECHECK_MS) : this.refreshMs;
  }

  private rebuild(): Promise<ProfileToolset> {
    this.building ??= this.catalog
      .build(this.snapshot)
      .then((toolset) => {
        this.current = toolset;
        this.builtAt = Date.now();
        this.freshForMs = this.freshFor(toolset);
        return toolset;
      })
      .finally(() => {
        this.building = null;
      });
    return this.building;
  }

  /** Drops the cached tool list (an upstream's list changed). */
  invalidateTools(): void {
    // Forget the list so the next caller waits for the fresh one rather than the stale one.
    this.current = null;
    void this.rebuild().catch(() => undefined);
  }

  usesServer(serverId: string): boolean {
    return (
      this.snapshot.tools.some((t) => t.server.id === serverId) ||
      this.snapshot.resourceServers.some((s) => s.id === serverId) ||
      this.snapshot.promptServers.some((s) => s.id === serverId)
    );
  }
}

/**
 * Resolves `/mcp/{tenant}/{profile}` to an `Endpoint`, cached per process and invalidated over
 * Redis pub/sub when an admin changes the tenant's config (with a TTL as a safety net).
 */
export class EndpointRegistry {
  private readonly endpoints = new Map<string, { endpoint: Promise<Endpoint>; tenantId: string | null; at: number }>();
  /** The last endpoint that loaded, per key: served while Postgres is unreachable. */
  private readonly lastGood = new Map<string, Endpoint>();

  constructor(
    private readonly db: DataSource,
    private readonly catalog: ToolCatalog,
    private readonly ttlMs = 60_000,
    private readonly toolsRefreshMs = 60_000,
  ) {}

  resolve(tenantSlug: string, profileSlug: string): Promise<Endpoint> {
    const key = `${tenantSlug}/${profileSlug}`;
    const cached = this.endpoints.get(key);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.endpoint;
    const entry = { endpoint: null as unknown as Promise<Endpoint>, tenantId: null as string | null, at: Date.now() };
    // Concurrent callers share this promise, so the fallback must live inside it.
    entry.endpoint = this.load(tenantSlug, profileSlug).then(
      (endpoint) => {
        entry.tenantId = endpoint.snapshot.tenantId;
        this.lastGood.set(key, endpoint);
        return endpoint;
      },
      (error: unknown) => {
        if (this.endpoints.get(key) === entry) this.endpoints.delete(key);
        if (isGatehouseError(error)) {
          this.lastGood.delete(key);
          throw error;
        }
        const fallback = this.lastGood.get(key);
        if (fallback) return fallback;
        throw new GatehouseError('unavailable', 'Gatehouse cannot reach its database to load this endpoint; try again shortly.');
      },
    );
    this.endpoints.set(key, entry);
    return entry.endpoint;
  }

  /** Endpoints currently loaded (for list_changed fan-out). */
  async loaded(): Promise<Endpoint[]> {
    const settled = await Promise.allSettled([...this.endpoints.values()].map((e) => e.endpoint));
    return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  }

  invalidateTenant(tenantId: string | null): void {
    for (const [key, entry] of this.endpoints) {
      if (tenantId === null || entry.tenantId === tenantId || entry.tenantId === null) this.endpoints.delete(key);
    }
  }

  private async load(tenantSlug: string, profileSlug: string): Promise<Endpoint> {
    const tenant = await findTenantBySlug(this.db, tenantSlug);
    if (!tenant) throw new GatehouseError('tenant_not_found', `Unknown tenant "${tenantSlug}".`);
    const snapshot = await loadProfileSnapshot(this.db, tenant, profileSlug);
    if (!snapshot) throw new GatehouseError('profile_not_found', `Tenant "${tenantSlug}" has no profile "${profileSlug}".`);
    return new Endpoint(snapshot, this.catalog, this.toolsRefreshMs);
  }
}

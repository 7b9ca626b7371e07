import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { McpServer } from '@gatehouse/catalog';
import { TenantScope } from '@gatehouse/tenancy';
import { readUpstreamStatus, type ReplicaReport } from './upstream-status';

/** One server of a tenant with what the gateways currently report about it. */
export interface UpstreamHealth {
  name: string;
  transport: string;
  /** URL, or the stdio command line; never headers or env (they may hold values). */
  target: string;
  /** Gateways that hold a connection to any of the tenant's servers and reported within the window. */
  replicas: number;
  /** Replicas holding a live connection to this server. */
  connectedOn: number;
  /** The newest error a replica reported, if any. */
  lastError: string | null;
  protocolVersion: string | null;
  /** The newest tool list a replica holds, or null if none has listed tools yet. */
  tools: Array<{ name: string; description: string | null }> | null;
}

/** The tenant's servers merged with the fresh gateway reports (`maxAgeMs`). */
export async function describeUpstreamHealth(db: DataSource, redis: Redis, tenantId: string, maxAgeMs: number): Promise<UpstreamHealth[]> {
  const servers = await new TenantScope(db.manager, tenantId).find(McpServer, {}, { name: 'ASC' });
  const reports: ReplicaReport[] = await readUpstreamStatus(redis, tenantId, maxAgeMs);
  return servers.map((server) => {
    const seen = reports.flatMap((r) => r.servers.filter((s) => s.serverId === server.id));
    return {
      name: server.name,
      transport: server.transport,
      target: server.transport === 'stdio' ? [server.command ?? '', ...server.args].join(' ') : (server.url ?? ''),
      replicas: reports.length,
      connectedOn: seen.filter((s) => s.connected).length,
      lastError: seen.find((s) => s.lastError)?.lastError ?? null,
      protocolVersion: seen.find((s) => s.protocolVersion)?.protocolVersion ?? null,
      tools: seen.find((s) => s.tools)?.tools ?? null,
    };
  });
}

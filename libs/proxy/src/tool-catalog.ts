import type { Tool } from '@modelcontextprotocol/client';
import type { DataSource } from 'typeorm';
import { isGatehouseError, type Logger } from '@gatehouse/core';
import { exposeTool, hashToolDefinition, type UpstreamToolDefinition } from '@gatehouse/catalog';
import type { UpstreamPool } from '@gatehouse/upstream';
import type { ProfileSnapshot, ProfileToolEntry } from './profile-snapshot';

/** A tool as one profile exposes it, with what is needed to forward a call to it. */
export interface ExposedTool {
  definition: Tool;
  entry: ProfileToolEntry;
  /** The upstream definition, for policy (annotations) and tracing. */
  upstream: Tool;
}

export type WithheldReason = 'drift' | 'missing_upstream' | 'server_unavailable';

export interface ProfileToolset {
  tools: ExposedTool[];
  byName: Map<string, ExposedTool>;
  withheld: Map<string, { reason: WithheldReason; detail: string }>;
}

/**
 * Builds a profile's tool list from the upstreams' live definitions. Each upstream definition is
 * compared with the hash an admin approved: the first sighting pins it (trust on first use, as
 * when the tool was approved into the profile), a later mismatch withholds the tool and records a
 * drift event until an admin re-approves.
 */
export class ToolCatalog {
  constructor(
    private readonly db: DataSource,
    private readonly pool: UpstreamPool,
    private readonly logger: Logger,
  ) {}

  async build(snapshot: ProfileSnapshot): Promise<ProfileToolset> {
    const servers = new Map(snapshot.tools.map((t) => [t.server.id, t.server]));
    const upstreamTools = new Map<string, Map<string, Tool> | Error>();
    await Promise.all(
      [...servers.values()].map(async (server) => {
        try {
          const tools = await this.pool.get(server).listTools();
          upstreamTools.set(server.id, new Map(tools.map((t) => [t.name, t])));
        } catch (error) {
          this.logger.warn({ server: server.name, err: error }, 'upstream unavailable while building tool list');
          upstreamTools.set(server.id, error instanceof Error ? error : new Error(String(error)));
        }
      }),
    );

    const toolset: ProfileToolset = { tools: [], byName: new Map(), withheld: new Map() };
    for (const entry of snapshot.tools) {
      const name = entry.overrides.exposedName;
      const listing = upstreamTools.get(entry.server.id);
      if (!listing || listing instanceof Error) {
        // The connection's own words when it has them ("is restarting after it exited (…); try again shortly").
        const detail = isGatehouseError(listing) ? listing.message : `server "${entry.server.name}" is unavailable`;
        toolset.withheld.set(name, { reason: 'server_unavailable', detail });
        continue;
      }
      const upstream = listing.get(entry.upstreamName);
      if (!upstream) {
        toolset.withheld.set(name, {
          reason: 'missing_upstream',
          detail: `server "${entry.server.name}" no longer offers tool "${entry.upstreamName}"`,
        });
        continue;
      }
      const hash = hashToolDefinition(upstream as UpstreamToolDefinition);
      if (entry.approvedHash === null) {
        await this.pinFirstSighting(entry, upstream, hash);
      } else if (entry.approvedHash !== hash) {
        await this.recordDrift(snapshot, entry, upstream, hash);
        toolset.withheld.set(name, {
          reason: 'drift',
          detail: `the definition of "${entry.server.name}/${entry.upstreamName}" changed upstream and awaits re-approval by an admin`,
        });
        continue;
      }
      const exposed: ExposedTool = {
        definition: exposeTool(upstream as UpstreamToolDefinition, entry.overrides) as Tool,
        entry,
        upstream,
      };
      toolset.tools.push(exposed);
      toolset.byName.set(name, exposed);
    }
    return toolset;
  }

  private async pinFirstSighting(entry: ProfileToolEntry, upstream: Tool, hash: string): Promise<void> {
    await this.db.query(
      `UPDATE profile_tools SET approved_hash = $1, approved_definition = $4, approved_at = now()
        WHERE id = $2 AND tenant_id = $3 AND approved_hash IS NULL`,
      [hash, entry.profileToolId, entry.server.tenantId, JSON.stringify(upstream)],
    );
    entry.approvedHash = hash;
  }

  private async recordDrift(snapshot: ProfileSnapshot, entry: ProfileToolEntry, upstream: Tool, hash: string): Promise<void> {
    const inserted: unknown[] = await this.db.query(
      `INSERT INTO drift_events (tenant_id, profile_tool_id, server_id, upstream_name, approved_hash, new_hash, new_definition)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id, profile_tool_id, new_hash) DO NOTHING RETURNING id`,
      [snapshot.tenantId, entry.profileToolId, entry.server.id, entry.upstreamName, entry.approvedHash, hash, JSON.stringify(upstream)],
    );
    if (inserted.length > 0) {
      this.logger.warn(
        { tenant: snapshot.tenantSlug, profile: snapshot.profileSlug, server: entry.server.name, tool: entry.upstreamName },
        'upstream tool definition drifted; tool withheld until re-approved',
      );
    }
  }
}

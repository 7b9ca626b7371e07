import type { DataSource } from 'typeorm';
import { In, IsNull } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { recordAdminChange } from '@gatehouse/audit';
import { TenantScope } from '@gatehouse/tenancy';
import { DriftEvent, McpServer, Profile, ProfileTool } from '@gatehouse/catalog';
import { approvePendingDrift } from './config-applier';
import type { Change } from './reconcile';
import { lockTenant } from './tenant-lock';

/** One tool withheld because its upstream definition no longer matches the approved one. */
export interface PendingDrift {
  profile: string;
  tool: string;
  server: string;
  upstreamTool: string;
  detectedAt: string;
  approvedHash: string | null;
  newHash: string;
  /** Null when the tool was approved before definitions were recorded (only its hash is known). */
  approvedDefinition: Record<string, unknown> | null;
  newDefinition: Record<string, unknown>;
}

/** The tenant's withheld tools, one entry per tool (its latest unresolved drift), oldest first. */
export async function listPendingDrift(db: DataSource, tenantId: string): Promise<PendingDrift[]> {
  const scope = new TenantScope(db.manager, tenantId);
  const events = await scope.find(DriftEvent, { resolvedAt: IsNull() }, { detectedAt: 'ASC' });
  if (events.length === 0) return [];
  const tools = new Map(
    (await db.manager.find(ProfileTool, { where: { tenantId, id: In([...new Set(events.map((e) => e.profileToolId))]) } })).map((t) => [
      t.id,
      t,
    ]),
  );
  const profiles = new Map((await scope.find(Profile)).map((p) => [p.id, p.slug]));
  const servers = new Map((await scope.find(McpServer)).map((s) => [s.id, s.name]));
  const latest = new Map<string, DriftEvent>();
  for (const event of events) latest.set(event.profileToolId, event);
  return [...latest.values()].flatMap((event) => {
    const tool = tools.get(event.profileToolId);
    if (!tool) return [];
    return [
      {
        profile: profiles.get(tool.profileId) ?? '?',
        tool: tool.exposedName,
        server: servers.get(event.serverId) ?? '?',
        upstreamTool: event.upstreamName,
        detectedAt: event.detectedAt.toISOString(),
        approvedHash: tool.approvedHash,
        newHash: event.newHash,
        approvedDefinition: tool.approvedDefinition,
        newDefinition: event.newDefinition,
      },
    ];
  });
}

/**
 * Re-approves the current upstream definition of drifted tools in one profile (or one tool of it),
 * audit-logged: what `gatehouse tools approve` and the console's drift page both run. The caller
 * announces the config change so gateways expose the tool again.
 */
export async function approveToolDrift(
  db: DataSource,
  tenantId: string,
  input: { profile: string; tool?: string },
  actor: string,
): Promise<Change[]> {
  return db.transaction(async (manager) => {
    const tenant = await lockTenant(manager, tenantId);
    const scope = new TenantScope(manager, tenantId);
    const profile = await scope.findOne(Profile, { slug: input.profile });
    if (!profile) throw new GatehouseError('profile_not_found', `Tenant "${tenant.slug}" has no profile "${input.profile}".`);
    const changes = await approvePendingDrift(scope, profile, (k) => `${tenant.slug}/${k}`, input.tool);
    for (const c of changes) {
      await recordAdminChange(manager, {
        tenantId,
        actor,
        action: 'tool-approval.update',
        targetType: 'profile-tool',
        targetId: c.id,
        before: c.before,
        after: c.after,
      });
    }
    return changes;
  });
}

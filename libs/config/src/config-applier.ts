import type { DataSource, EntityManager } from 'typeorm';
import { In, IsNull } from 'typeorm';
import { Group, GroupProfile, Tenant, TenantScope, User, UserGroup } from '@gatehouse/tenancy';
import { DriftEvent, McpServer, Profile, ProfileTool, saveLimitSettings } from '@gatehouse/catalog';
import { saveScanSettings } from '@gatehouse/scanner';
import { saveSsoSettings } from '@gatehouse/identity';
import { saveApprovalSettings } from '@gatehouse/approvals';
import { saveTraceSettings } from '@gatehouse/audit';
import { saveExportSettings } from '@gatehouse/telemetry';
import type { GatehouseConfig, ProfileConfig, TenantConfig } from './config-schema';
import { reconcile, type Change } from './reconcile';
import { reconcileGroups } from './group-mappings';
import { reconcileServers } from './servers';
import { recordChanges } from './change-log';

export interface ApplyOptions {
  /** Who applied, for the admin audit log. */
  actor: string;
  /** Re-approve tools withheld for drift in the applied profiles. */
  approveDrift?: boolean;
}

export interface ApplyResult {
  changes: Change[];
  tenantIds: string[];
}

/**
 * Applies a validated config declaratively, one transaction per file: what the file declares for
 * a tenant is what the tenant has afterwards (servers, profiles, tools, groups absent from the
 * file are removed; local users are added or updated, never deleted). Running it twice changes
 * nothing the second time. Every change is written to the admin audit log.
 */
interface SettingsChange {
  changed: boolean;
  before: object | null;
  after: object | null;
}

export async function applyConfig(db: DataSource, config: GatehouseConfig, options: ApplyOptions): Promise<ApplyResult> {
  return db.transaction(async (manager) => {
    const changes: Change[] = [];
    const tenantIds: string[] = [];
    for (const tenantConfig of config.tenants) {
      const { tenant, changes: tenantChanges } = await applyTenant(manager, tenantConfig, options);
      tenantIds.push(tenant.id);
      changes.push(...tenantChanges);
      await recordChanges(new TenantScope(manager, tenant.id), tenantChanges, options.actor);
    }
    return { changes, tenantIds };
  });
}

async function applyTenant(
  manager: EntityManager,
  config: TenantConfig,
  options: ApplyOptions,
): Promise<{ tenant: Tenant; changes: Change[] }> {
  const changes: Change[] = [];
  // Locked like every console edit of the tenant (see lockTenant), so the two never interleave.
  let tenant = await manager.findOne(Tenant, { where: { slug: config.slug }, lock: { mode: 'pessimistic_write' } });
  if (!tenant) {
    tenant = await manager.save(Tenant, manager.create(Tenant, { slug: config.slug, name: config.name }));
    changes.push({ action: 'create', kind: 'tenant', name: config.slug, id: tenant.id, before: null, after: { name: config.name } });
  } else if (tenant.name !== config.name) {
    changes.push({
      action: 'update',
      kind: 'tenant',
      name: config.slug,
      id: tenant.id,
      before: { name: tenant.name },
      after: { name: config.name },
    });
    tenant.name = config.name;
    tenant = await manager.save(Tenant, tenant);
  }
  const scope = new TenantScope(manager, tenant.id);
  const label = (key: string) => `${config.slug}/${key}`;

  // Tenant-wide settings blocks: absent leaves them as they are; each change is one audited entry.
  const { sso, approvals, traces, export: telemetry, limits, scanning } = config;
  const settings: Array<[kind: string, key: string, save: (() => Promise<SettingsChange>) | null]> = [
    ['sso', 'sso', sso ? () => saveSsoSettings(manager, tenant.id, sso) : null],
    ['approval-settings', 'approvals', approvals ? () => saveApprovalSettings(manager, tenant.id, approvals) : null],
    ['trace-settings', 'traces', traces ? () => saveTraceSettings(manager, tenant.id, traces) : null],
    ['export-settings', 'export', telemetry ? () => saveExportSettings(manager, tenant.id, telemetry) : null],
    ['limit-settings', 'limits', limits ? () => saveLimitSettings(manager, tenant.id, limits) : null],
    ['scan-settings', 'scanning', scanning ? () => saveScanSettings(manager, tenant.id, scanning) : null],
  ];
  for (const [kind, key, save] of settings) {
    const result = await save?.();
    if (!result?.changed) continue;
    changes.push({
      action: result.before ? 'update' : 'create',
      kind,
      name: label(key),
      id: tenant.id,
      before: result.before,
      after: result.after,
    });
  }

  const servers = await reconcileServers(scope, await scope.find(McpServer), config.servers, label);
  changes.push(...servers.changes);
  const serverId = (name: string) => servers.rows.get(name)?.id as string;

  const profiles = await reconcile({
    kind: 'profile',
    label,
    existing: await scope.find(Profile),
    desired: config.profiles,
    keyOfRow: (r) => r.slug,
    keyOfDesired: (d) => d.slug,
    fieldsOfDesired: (d) => ({
      description: d.description ?? null,
      resources: d.resources.map(serverId),
      prompts: d.prompts.map(serverId),
    }),
    fieldsOfRow: (r) => ({ description: r.description, resources: r.resourceServerIds, prompts: r.promptServerIds }),
    create: (d) =>
      scope.save(
        Profile,
        scope.create(Profile, {
          slug: d.slug,
          description: d.description ?? null,
          resourceServerIds: d.resources.map(serverId),
          promptServerIds: d.prompts.map(serverId),
        }),
      ),
    update: (row, d) =>
      scope.save(
        Profile,
        Object.assign(row, {
          description: d.description ?? null,
          resourceServerIds: d.resources.map(serverId),
          promptServerIds: d.prompts.map(serverId),
        }),
      ),
    remove: async (row) => {
      await scope.delete(GroupProfile, { profileId: row.id });
      await scope.delete(Profile, { id: row.id });
    },
  });
  changes.push(...profiles.changes);

  for (const profileConfig of config.profiles) {
    const profile = profiles.rows.get(profileConfig.slug) as Profile;
    changes.push(...(await applyProfileTools(scope, profile, profileConfig.tools, serverId, label)));
    if (options.approveDrift) changes.push(...(await approvePendingDrift(scope, profile, label)));
  }

  const groups = await reconcileGroups(scope, config.groups, (slug) => (profiles.rows.get(slug) as Profile).id, label);
  changes.push(...groups.changes);

  for (const userConfig of config.users) {
    const email = userConfig.email.toLowerCase();
    let user = await scope.findOne(User, { email });
    if (!user) {
      user = await scope.save(User, scope.create(User, { email, displayName: userConfig.name ?? null, source: 'local', disabledAt: null }));
      changes.push({
        action: 'create',
        kind: 'user',
        name: label(email),
        id: user.id,
        before: null,
        after: { name: userConfig.name ?? null },
      });
    } else if ((userConfig.name ?? null) !== user.displayName) {
      changes.push({
        action: 'update',
        kind: 'user',
        name: label(email),
        id: user.id,
        before: { name: user.displayName },
        after: { name: userConfig.name ?? null },
      });
      user = await scope.save(User, Object.assign(user, { displayName: userConfig.name ?? null }));
    }
    const wanted = userConfig.groups.map((g) => (groups.rows.get(g) as Group).id).sort();
    const current = (await scope.find(UserGroup, { userId: user.id })).map((ug) => ug.groupId).sort();
    if (JSON.stringify(wanted) !== JSON.stringify(current)) {
      await scope.delete(UserGroup, { userId: user.id });
      for (const groupId of wanted) await scope.save(UserGroup, scope.create(UserGroup, { userId: user.id, groupId }));
      changes.push({
        action: 'update',
        kind: 'user-groups',
        name: label(email),
        id: user.id,
        before: { groups: current },
        after: { groups: userConfig.groups },
      });
    }
  }
  return { tenant, changes };
}

/** Reconciles one profile's tool entries (renames, descriptions, pins, hides, approval policy). */
export async function applyProfileTools(
  scope: TenantScope,
  profile: Profile,
  tools: ProfileConfig['tools'],
  serverId: (name: string) => string,
  label: (key: string) => string,
): Promise<Change[]> {
  const fields = (d: ProfileConfig['tools'][number]) => ({
    serverId: serverId(d.server),
    upstreamName: d.tool,
    descriptionOverride: d.description ?? null,
    pin: d.pin,
    hide: d.hide,
    approval: d.approval,
  });
  const { changes } = await reconcile({
    kind: 'profile-tool',
    label: (key) => label(`${profile.slug}/${key}`),
    existing: await scope.find(ProfileTool, { profileId: profile.id }),
    desired: tools,
    keyOfRow: (r) => r.exposedName,
    keyOfDesired: (d) => d.as ?? d.tool,
    fieldsOfDesired: fields,
    fieldsOfRow: (r) => ({
      serverId: r.serverId,
      upstreamName: r.upstreamName,
      descriptionOverride: r.descriptionOverride,
      pin: r.pin,
      hide: r.hide,
      approval: r.approval,
    }),
    create: (d) =>
      scope.save(
        ProfileTool,
        scope.create(ProfileTool, {
          profileId: profile.id,
          exposedName: d.as ?? d.tool,
          ...fields(d),
          approvedHash: null,
          approvedDefinition: null,
          approvedAt: null,
        }),
      ),
    update: (row, d) => {
      const next = fields(d);
      // Pointing the entry at another upstream tool is a new approval, not a carried-over one.
      const retarget = row.serverId !== next.serverId || row.upstreamName !== next.upstreamName;
      return scope.save(
        ProfileTool,
        Object.assign(row, next, retarget ? { approvedHash: null, approvedDefinition: null, approvedAt: null } : {}),
      );
    },
    remove: async (row) => void (await scope.delete(ProfileTool, { id: row.id })),
  });
  return changes;
}

/** Approves, for one profile, the upstream definitions that drift detection withheld. */
export async function approvePendingDrift(
  scope: TenantScope,
  profile: Profile,
  label: (key: string) => string,
  onlyTool?: string,
): Promise<Change[]> {
  const tools = await scope.find(ProfileTool, { profileId: profile.id, ...(onlyTool ? { exposedName: onlyTool } : {}) });
  if (tools.length === 0) return [];
  const events = await scope.manager.find(DriftEvent, {
    where: { tenantId: scope.tenantId, profileToolId: In(tools.map((t) => t.id)), resolvedAt: IsNull() },
    order: { detectedAt: 'ASC' },
  });
  const changes: Change[] = [];
  for (const tool of tools) {
    const pending = events.filter((e) => e.profileToolId === tool.id);
    const latest = pending[pending.length - 1];
    if (!latest) continue;
    const before = { approvedHash: tool.approvedHash };
    await scope.save(
      ProfileTool,
      Object.assign(tool, { approvedHash: latest.newHash, approvedDefinition: latest.newDefinition, approvedAt: new Date() }),
    );
    for (const event of pending)
      await scope.manager.update(DriftEvent, { id: event.id, tenantId: scope.tenantId }, { resolvedAt: new Date() });
    changes.push({
      action: 'update',
      kind: 'tool-approval',
      name: label(`${profile.slug}/${tool.exposedName}`),
      id: tool.id,
      before,
      after: { approvedHash: latest.newHash },
    });
  }
  return changes;
}

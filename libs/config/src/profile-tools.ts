import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { stringify as toYaml } from 'yaml';
import { GatehouseError } from '@gatehouse/core';
import { TenantScope } from '@gatehouse/tenancy';
import { McpServer, Profile, ProfileTool } from '@gatehouse/catalog';
import { profileToolSchema } from './config-schema';
import { profileToolProblems } from './config-file';
import { applyProfileTools } from './config-applier';
import { recordChanges } from './change-log';
import type { Change } from './reconcile';
import { lockTenant } from './tenant-lock';

export type ProfileToolEntry = z.input<typeof profileToolSchema>;

/**
 * A profile's tool entries as a config file declares them, and their replacement through the code
 * path of `gatehouse apply` (schema, cross-reference checks, reconciliation, audit): the console's
 * profile editor can therefore never accept what a config file would refuse, or the reverse.
 */
export async function readProfileTools(db: DataSource, tenantId: string, slug: string): Promise<ProfileToolEntry[]> {
  const scope = new TenantScope(db.manager, tenantId);
  const profile = await scope.findOne(Profile, { slug });
  if (!profile) throw new GatehouseError('profile_not_found', `No profile "${slug}" in this tenant.`);
  const servers = new Map((await scope.find(McpServer)).map((s) => [s.id, s.name]));
  return (await scope.find(ProfileTool, { profileId: profile.id }, { exposedName: 'ASC' })).map((t) => ({
    server: servers.get(t.serverId) ?? '?',
    tool: t.upstreamName,
    ...(t.exposedName !== t.upstreamName ? { as: t.exposedName } : {}),
    ...(t.descriptionOverride !== null ? { description: t.descriptionOverride } : {}),
    ...(Object.keys(t.pin).length ? { pin: t.pin } : {}),
    ...(t.hide.length ? { hide: t.hide } : {}),
    ...(t.approval !== 'auto' ? { approval: t.approval } : {}),
  }));
}

/** The entries as the `tools:` of one profile in a config file, to commit. */
export function profileToolsYaml(tenantSlug: string, profileSlug: string, tools: ProfileToolEntry[]): string {
  return toYaml({ tenants: [{ slug: tenantSlug, profiles: [{ slug: profileSlug, tools }] }] });
}

export async function applyProfileToolEdits(
  db: DataSource,
  tenantId: string,
  slug: string,
  input: unknown,
  actor: string,
): Promise<Change[]> {
  const parsed = z.array(profileToolSchema).safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${['tools', ...i.path].join('.')}: ${i.message}`);
    throw new GatehouseError('validation_failed', problems.join('; '), { problems });
  }
  const tools = parsed.data;
  return db.transaction(async (manager) => {
    const tenant = await lockTenant(manager, tenantId);
    const scope = new TenantScope(manager, tenantId);
    const profile = await scope.findOne(Profile, { slug });
    if (!profile) throw new GatehouseError('profile_not_found', `No profile "${slug}" in this tenant.`);
    const servers = new Map((await scope.find(McpServer)).map((s) => [s.name, s.id]));
    const problems = profileToolProblems({ slug, tools }, new Set(servers.keys())).map((p) => `${p.path.join('.')}: ${p.message}`);
    if (problems.length) throw new GatehouseError('validation_failed', problems.join('; '), { problems });
    const changes = await applyProfileTools(
      scope,
      profile,
      tools,
      (name) => servers.get(name) as string,
      (key) => `${tenant.slug}/${key}`,
    );
    await recordChanges(scope, changes, actor);
    return changes;
  });
}

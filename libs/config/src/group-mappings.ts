import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { stringify as toYaml } from 'yaml';
import { GatehouseError } from '@gatehouse/core';
import { Group, GroupProfile, TenantScope } from '@gatehouse/tenancy';
import { Profile } from '@gatehouse/catalog';
import { groupSchema } from './config-schema';
import { reconcile, type Change } from './reconcile';
import { recordChanges } from './change-log';
import { lockTenant } from './tenant-lock';

export type GroupMapping = z.infer<typeof groupSchema>;

/**
 * IdP group → role + profiles, reconciled to `desired`: the one code path behind both the
 * `groups:` section of `gatehouse apply` and the console's group mapping page, so the two can
 * never disagree about what a mapping means or which mappings are valid.
 */
export async function reconcileGroups(
  scope: TenantScope,
  desired: GroupMapping[],
  profileIdOf: (slug: string) => string,
  label: (key: string) => string,
): Promise<{ changes: Change[]; rows: Map<string, Group> }> {
  const groups = await reconcile({
    kind: 'group',
    label,
    existing: await scope.find(Group),
    desired,
    keyOfRow: (r) => r.idpGroup,
    keyOfDesired: (d) => d.idpGroup,
    fieldsOfDesired: (d) => ({ role: d.role }),
    fieldsOfRow: (r) => ({ role: r.role }),
    create: (d) => scope.save(Group, scope.create(Group, { idpGroup: d.idpGroup, role: d.role })),
    update: (row, d) => scope.save(Group, Object.assign(row, { role: d.role })),
    remove: async (row) => void (await scope.delete(Group, { id: row.id })),
  });
  const changes = [...groups.changes];
  for (const mapping of desired) {
    const group = groups.rows.get(mapping.idpGroup) as Group;
    const wanted = mapping.profiles.map(profileIdOf).sort();
    const current = (await scope.find(GroupProfile, { groupId: group.id })).map((gp) => gp.profileId).sort();
    if (JSON.stringify(wanted) === JSON.stringify(current)) continue;
    await scope.delete(GroupProfile, { groupId: group.id });
    for (const profileId of wanted) await scope.save(GroupProfile, scope.create(GroupProfile, { groupId: group.id, profileId }));
    changes.push({
      action: 'update',
      kind: 'group-profiles',
      name: label(mapping.idpGroup),
      id: group.id,
      before: { profiles: current },
      after: { profiles: mapping.profiles },
    });
  }
  return { changes, rows: groups.rows };
}

/** A tenant's group mappings as `gatehouse apply` declares them, sorted by IdP group. */
export async function readGroupMappings(db: DataSource, tenantId: string): Promise<GroupMapping[]> {
  const scope = new TenantScope(db.manager, tenantId);
  const slugs = new Map((await scope.find(Profile)).map((p) => [p.id, p.slug]));
  const links = await scope.find(GroupProfile);
  return (await scope.find(Group))
    .map((g) => ({
      idpGroup: g.idpGroup,
      role: g.role,
      profiles: links
        .filter((l) => l.groupId === g.id)
        .map((l) => slugs.get(l.profileId) ?? '?')
        .sort(),
    }))
    .sort((a, b) => a.idpGroup.localeCompare(b.idpGroup));
}

/** The mappings as the `groups:` block of a tenant in a config file, ready to commit. */
export function groupMappingsYaml(tenantSlug: string, mappings: GroupMapping[]): string {
  return toYaml({ tenants: [{ slug: tenantSlug, groups: mappings }] }, { flowCollectionPadding: false });
}

const mappingsSchema = z.array(groupSchema);

/**
 * Validates `input` exactly as a config file's `groups:` section is validated (schema, duplicate
 * groups, unknown profiles), then makes it the tenant's complete set of mappings in one
 * transaction, audit-logged like `apply`. Every problem is reported, not just the first.
 */
export async function applyGroupMappings(
  db: DataSource,
  tenantId: string,
  input: unknown,
  actor: string,
): Promise<{ changes: Change[]; mappings: GroupMapping[] }> {
  const parsed = mappingsSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${['groups', ...i.path].join('.')}: ${i.message}`);
    throw new GatehouseError('validation_failed', problems.join('; '), { problems });
  }
  const desired = parsed.data;
  const changes = await db.transaction(async (manager) => {
    const scope = new TenantScope(manager, tenantId);
    const tenant = await lockTenant(manager, tenantId);
    const profileIds = new Map((await scope.find(Profile)).map((p) => [p.slug, p.id]));
    const problems: string[] = [];
    const seen = new Set<string>();
    desired.forEach((mapping, gi) => {
      if (seen.has(mapping.idpGroup)) problems.push(`groups.${gi}.idpGroup: duplicate group "${mapping.idpGroup}"`);
      seen.add(mapping.idpGroup);
      mapping.profiles.forEach((slug, pi) => {
        if (!profileIds.has(slug)) problems.push(`groups.${gi}.profiles.${pi}: unknown profile "${slug}"`);
      });
    });
    if (problems.length) throw new GatehouseError('validation_failed', problems.join('; '), { problems });
    const { changes } = await reconcileGroups(
      scope,
      desired,
      (slug) => profileIds.get(slug) as string,
      (key) => `${tenant.slug}/${key}`,
    );
    await recordChanges(scope, changes, actor);
    return changes;
  });
  return { changes, mappings: await readGroupMappings(db, tenantId) };
}

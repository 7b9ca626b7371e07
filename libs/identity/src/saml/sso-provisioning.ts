import { In, type DataSource } from 'typeorm';
import type { Profile } from '@node-saml/passport-saml';
import { GatehouseError } from '@gatehouse/core';
import { Group, TenantScope, User, UserGroup } from '@gatehouse/tenancy';
import type { SsoSettings } from './sso-settings.entity';

export interface ProvisionedUser {
  tenantId: string;
  userId: string;
  email: string;
  displayName: string | null;
  /** The IdP groups that matched a group the tenant maps. */
  groups: string[];
}

const attribute = (profile: Profile, name: string): unknown => profile[name] ?? (profile.attributes as Record<string, unknown> | undefined)?.[name];

function asStrings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/**
 * Just-in-time provisioning at SSO login: the user is created on first sign-in, and their group
 * memberships are replaced by what the IdP says now — removed from a group there means the
 * group's role and profiles are gone here from this login on. IdP groups the tenant does not
 * map are ignored.
 */
export async function provisionSsoUser(db: DataSource, tenantId: string, profile: Profile, settings: SsoSettings): Promise<ProvisionedUser> {
  const email = (asStrings(attribute(profile, settings.emailAttribute))[0] ?? profile.email ?? profile.mail ?? (profile.nameID.includes('@') ? profile.nameID : ''))
    .trim()
    .toLowerCase();
  if (!email) throw new GatehouseError('sso_rejected', `Single sign-on failed: the assertion has no "${settings.emailAttribute}" attribute and the NameID is not an email address.`);
  const displayName = asStrings(attribute(profile, settings.displayNameAttribute))[0] ?? null;
  const idpGroups = asStrings(attribute(profile, settings.groupsAttribute));

  return db.transaction(async (manager) => {
    const scope = new TenantScope(manager, tenantId);
    let user = await scope.findOne(User, { email });
    if (user?.disabledAt) throw new GatehouseError('sso_rejected', `Single sign-on failed: the account ${email} is disabled in Gatehouse.`);
    if (!user) user = scope.create(User, { email, displayName, source: 'sso' });
    else user.displayName = displayName ?? user.displayName;
    user = await scope.save(User, user);

    const groups = idpGroups.length > 0 ? await scope.find(Group, { idpGroup: In(idpGroups) }) : [];
    await scope.delete(UserGroup, { userId: user.id });
    for (const group of groups) await scope.save(UserGroup, scope.create(UserGroup, { userId: user.id, groupId: group.id }));
    return { tenantId, userId: user.id, email, displayName: user.displayName, groups: groups.map((g) => g.idpGroup).sort() };
  });
}

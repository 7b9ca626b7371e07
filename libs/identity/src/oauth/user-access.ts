import type { DataSource } from 'typeorm';
import type { Role } from '@gatehouse/tenancy';

export interface UserAccess {
  userId: string;
  email: string;
  role: Role;
  profiles: string[];
  disabled: boolean;
}

const ROLE_RANK: Record<Role, number> = { member: 0, approver: 1, admin: 2 };

/** A user's current role and profiles from their groups: what a token refresh re-checks. */
export async function loadUserAccess(db: DataSource, tenantId: string, userId: string): Promise<UserAccess | null> {
  const rows: Array<{ id: string; email: string; disabled_at: Date | null; roles: Role[] | null; profiles: string[] | null }> = await db.query(
    `SELECT u.id, u.email, u.disabled_at,
            array_remove(array_agg(DISTINCT g.role), NULL) AS roles,
            array_remove(array_agg(DISTINCT p.slug), NULL) AS profiles
       FROM users u
       LEFT JOIN user_groups ug ON ug.user_id = u.id AND ug.tenant_id = u.tenant_id
       LEFT JOIN groups g ON g.id = ug.group_id AND g.tenant_id = u.tenant_id
       LEFT JOIN group_profiles gp ON gp.group_id = g.id AND gp.tenant_id = u.tenant_id
       LEFT JOIN profiles p ON p.id = gp.profile_id AND p.tenant_id = u.tenant_id
      WHERE u.tenant_id = $1 AND u.id = $2
      GROUP BY u.id`,
    [tenantId, userId],
  );
  const row = rows[0];
  if (!row) return null;
  const role = (row.roles ?? []).reduce<Role>((best, r) => (ROLE_RANK[r] > ROLE_RANK[best] ? r : best), 'member');
  return { userId: row.id, email: row.email, role, profiles: (row.profiles ?? []).sort(), disabled: row.disabled_at !== null };
}

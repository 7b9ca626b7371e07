import type { DataSource } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import type { Role } from '@gatehouse/tenancy';
import { hashToken } from './personal-access-tokens';

/** Who is calling, as the gateway needs it on every request. */
export interface Principal {
  tenantId: string;
  tenantSlug: string;
  userId: string;
  email: string;
  role: Role;
  /** Profile slugs the user may use, from their groups. */
  profiles: string[];
  tokenId: string;
  tokenExpiresAt: Date | null;
}

const ROLE_RANK: Record<Role, number> = { member: 0, approver: 1, admin: 2 };

interface PrincipalRow {
  token_id: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  user_id: string;
  email: string;
  disabled_at: Date | null;
  tenant_id: string;
  tenant_slug: string;
  roles: string[] | null;
  profiles: string[] | null;
}

/**
 * Resolves a bearer token to a principal in one query: token → user → tenant → groups →
 * profiles. The caller caches the result (tokens are hot, rows change rarely).
 */
export async function resolvePersonalAccessToken(db: DataSource, token: string, now = new Date()): Promise<Principal> {
  const rows: PrincipalRow[] = await db.query(
    `SELECT t.id AS token_id, t.expires_at, t.revoked_at, u.id AS user_id, u.email, u.disabled_at,
            te.id AS tenant_id, te.slug AS tenant_slug,
            array_remove(array_agg(DISTINCT g.role), NULL) AS roles,
            array_remove(array_agg(DISTINCT p.slug), NULL) AS profiles
       FROM access_tokens t
       JOIN users u ON u.id = t.user_id AND u.tenant_id = t.tenant_id
       JOIN tenants te ON te.id = t.tenant_id
       LEFT JOIN user_groups ug ON ug.user_id = u.id AND ug.tenant_id = t.tenant_id
       LEFT JOIN groups g ON g.id = ug.group_id AND g.tenant_id = t.tenant_id
       LEFT JOIN group_profiles gp ON gp.group_id = g.id AND gp.tenant_id = t.tenant_id
       LEFT JOIN profiles p ON p.id = gp.profile_id AND p.tenant_id = t.tenant_id
      WHERE t.token_hash = $1
      GROUP BY t.id, u.id, te.id`,
    [hashToken(token)],
  );
  const row = rows[0];
  if (!row) throw new GatehouseError('unauthorized', 'The access token is not valid.');
  if (row.revoked_at) throw new GatehouseError('unauthorized', 'The access token has been revoked.');
  if (row.expires_at && row.expires_at.getTime() <= now.getTime()) {
    throw new GatehouseError('token_expired', `The access token expired at ${row.expires_at.toISOString()}.`);
  }
  if (row.disabled_at) throw new GatehouseError('unauthorized', 'The user behind this access token is disabled.');
  // At most one write a minute per token: callers cache principals, so this runs on cache misses only.
  await db.query(
    `UPDATE access_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')`,
    [row.token_id, now],
  );
  const roles = (row.roles ?? []) as Role[];
  const role = roles.reduce<Role>((best, r) => (ROLE_RANK[r] > ROLE_RANK[best] ? r : best), 'member');
  return {
    tenantId: row.tenant_id,
    tenantSlug: row.tenant_slug,
    userId: row.user_id,
    email: row.email,
    role,
    profiles: (row.profiles ?? []).sort(),
    tokenId: row.token_id,
    tokenExpiresAt: row.expires_at,
  };
}

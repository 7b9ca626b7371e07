import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { GatehouseError } from '@gatehouse/core';
import { recordAdminChange } from '@gatehouse/audit';
import { TenantScope, User } from '@gatehouse/tenancy';
import { AccessToken } from './access-token.entity';
import { issuePersonalAccessToken, parseTokenLifetime } from './personal-access-tokens';

/**
 * An admin's view of a tenant's personal access tokens. Neither the token nor its hash ever leaves
 * here: the list shows who holds a token, its label, its display prefix and its lifetime.
 */
export interface TokenSummary {
  id: string;
  userEmail: string;
  name: string | null;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  /** To the minute; null if never used. */
  lastUsedAt: string | null;
  status: 'active' | 'expired' | 'revoked';
}

/** A year: long-lived enough for a service account, short enough that forgotten tokens die. */
const MAX_LIFETIME_MS = 366 * 24 * 3600 * 1000;

export const tokenRequestSchema = z
  .object({
    email: z.email('must be the email of a user of this tenant'),
    name: z.string().trim().min(1).max(100).optional(),
    expiresIn: z.string().min(1, 'is required (e.g. 30d, 12h)'),
  })
  .strict();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function summarize(token: AccessToken, email: string, now: Date): TokenSummary {
  const expired = token.expiresAt !== null && token.expiresAt.getTime() <= now.getTime();
  return {
    id: token.id,
    userEmail: email,
    name: token.name,
    prefix: token.prefix,
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    status: token.revokedAt ? 'revoked' : expired ? 'expired' : 'active',
  };
}

export async function listTenantTokens(db: DataSource, tenantId: string, now = new Date()): Promise<TokenSummary[]> {
  const scope = new TenantScope(db.manager, tenantId);
  const emails = new Map((await scope.find(User)).map((u) => [u.id, u.email]));
  return (await scope.find(AccessToken, {}, { createdAt: 'DESC' })).map((t) => summarize(t, emails.get(t.userId) ?? '?', now));
}

/** Issues a token for a user of the tenant, audit-logged; the raw token is in the answer only. */
export async function createTenantToken(
  db: DataSource,
  tenantId: string,
  input: unknown,
  actor: string,
): Promise<{ token: string; summary: TokenSummary }> {
  const parsed = tokenRequestSchema.safeParse(input);
  if (!parsed.success) {
    throw new GatehouseError('validation_failed', parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  const lifetimeMs = parseTokenLifetime(parsed.data.expiresIn);
  if (lifetimeMs > MAX_LIFETIME_MS) throw new GatehouseError('validation_failed', 'expiresIn: a token may live at most 366 days.');
  return db.transaction(async (manager) => {
    const scope = new TenantScope(manager, tenantId);
    const user = await scope.findOne(User, { email: parsed.data.email.toLowerCase() });
    if (!user) throw new GatehouseError('validation_failed', `email: no user "${parsed.data.email}" in this tenant.`);
    if (user.disabledAt) throw new GatehouseError('validation_failed', `User "${user.email}" is disabled.`);
    const issued = await issuePersonalAccessToken(manager, { tenantId, userId: user.id, name: parsed.data.name, lifetimeMs });
    const summary = summarize(issued.record, user.email, new Date());
    await recordAdminChange(manager, {
      tenantId,
      actor,
      action: 'token.create',
      targetType: 'token',
      targetId: issued.record.id,
      before: null,
      after: { user: user.email, name: summary.name, prefix: summary.prefix, expiresAt: summary.expiresAt },
    });
    return { token: issued.token, summary };
  });
}

/**
 * Revokes a token, audit-logged. Revoking a revoked token changes nothing (and logs nothing).
 * The caller must tell the gateways, which cache principals for a few seconds.
 */
export async function revokeTenantToken(
  db: DataSource,
  tenantId: string,
  id: string,
  actor: string,
): Promise<{ summary: TokenSummary; changed: boolean }> {
  if (!UUID.test(id)) throw new GatehouseError('not_found', `No token "${id}" in this tenant.`);
  return db.transaction(async (manager) => {
    const scope = new TenantScope(manager, tenantId);
    const token = await scope.findOne(AccessToken, { id });
    if (!token) throw new GatehouseError('not_found', `No token "${id}" in this tenant.`);
    const user = await scope.findOne(User, { id: token.userId });
    const email = user?.email ?? '?';
    if (token.revokedAt) return { summary: summarize(token, email, new Date()), changed: false };
    token.revokedAt = new Date();
    await scope.save(AccessToken, token);
    await recordAdminChange(manager, {
      tenantId,
      actor,
      action: 'token.revoke',
      targetType: 'token',
      targetId: token.id,
      before: { revokedAt: null },
      after: { user: email, name: token.name, prefix: token.prefix, revokedAt: token.revokedAt.toISOString() },
    });
    return { summary: summarize(token, email, new Date()), changed: true };
  });
}

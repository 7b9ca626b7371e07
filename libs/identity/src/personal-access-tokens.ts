import { createHash, randomBytes } from 'node:crypto';
import ms from 'ms';
import type { EntityManager } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { TenantScope } from '@gatehouse/tenancy';
import { AccessToken } from './access-token.entity';

const TOKEN_PREFIX = 'ghp_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Parses `30d`, `12h`, `90m` into milliseconds, with a clear error for anything else. */
export function parseTokenLifetime(value: string): number {
  const parsed = ms(value as ms.StringValue);
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0) {
    throw new GatehouseError('validation_failed', `invalid token lifetime "${value}" (use e.g. 30d, 12h, 90m)`);
  }
  return parsed;
}

export interface IssuedToken {
  token: string;
  record: AccessToken;
}

/** Issues a personal access token for one user of one tenant; the raw token is returned once. */
export async function issuePersonalAccessToken(
  manager: EntityManager,
  input: { tenantId: string; userId: string; name?: string; lifetimeMs?: number },
): Promise<IssuedToken> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const scope = new TenantScope(manager, input.tenantId);
  const record = scope.create(AccessToken, {
    userId: input.userId,
    name: input.name ?? null,
    tokenHash: hashToken(token),
    prefix: token.slice(0, TOKEN_PREFIX.length + 6),
    expiresAt: input.lifetimeMs ? new Date(Date.now() + input.lifetimeMs) : null,
    revokedAt: null,
  });
  await scope.save(AccessToken, record);
  return { token, record };
}

export function isPersonalAccessToken(token: string): boolean {
  return token.startsWith(TOKEN_PREFIX);
}

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DataSource, Repository } from 'typeorm';
import { OAuthRefreshToken } from './oauth-refresh-token.entity';
import { OAuthProtocolError, invalidGrant } from './oauth-errors';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface RefreshGrant {
  tenantId: string;
  userId: string;
  clientId: string;
  resource: string;
}

/**
 * Rotating refresh tokens with reuse detection: every refresh consumes the presented token and
 * returns a new one of the same family; presenting a consumed token again means it leaked, and
 * the whole family is revoked (the legitimate holder signs in again).
 */
export class RefreshTokens {
  constructor(
    private readonly db: DataSource,
    private readonly lifetimeMs: number,
  ) {}

  async issue(grant: RefreshGrant, familyId: string = randomUUID()): Promise<string> {
    const token = `ghr_${randomBytes(32).toString('base64url')}`;
    await this.db.getRepository(OAuthRefreshToken).insert({
      ...grant,
      familyId,
      tokenHash: hash(token),
      expiresAt: new Date(Date.now() + this.lifetimeMs),
      usedAt: null,
      revokedAt: null,
    });
    return token;
  }

  /** Consumes a refresh token of `clientId` and issues its successor, atomically. */
  async rotate(token: string, clientId: string, tenantId: string): Promise<{ grant: RefreshGrant; next: string }> {
    // The transaction returns the outcome rather than throwing, so a reuse's family revocation commits.
    const outcome = await this.db.transaction(async (manager) => {
      const repo = manager.getRepository(OAuthRefreshToken);
      const row = await repo.findOne({ where: { tokenHash: hash(token), tenantId }, lock: { mode: 'pessimistic_write' } });
      if (!row || row.clientId !== clientId) return invalidGrant('The refresh token is not valid.');
      if (row.revokedAt) return invalidGrant('The refresh token has been revoked.');
      if (row.usedAt) {
        await revokeFamily(repo, row.familyId);
        return invalidGrant('The refresh token was already used: every token of this sign-in has been revoked.');
      }
      if (row.expiresAt.getTime() <= Date.now()) return invalidGrant('The refresh token has expired; sign in again.');
      await repo.update({ id: row.id }, { usedAt: new Date() });
      const grant = { tenantId: row.tenantId, userId: row.userId, clientId: row.clientId, resource: row.resource };
      const next = `ghr_${randomBytes(32).toString('base64url')}`;
      await repo.insert({ ...grant, familyId: row.familyId, tokenHash: hash(next), expiresAt: row.expiresAt, usedAt: null, revokedAt: null });
      return { grant, next };
    });
    if (outcome instanceof OAuthProtocolError) throw outcome;
    return outcome;
  }

  /** Ends a sign-in: every refresh token of the family, e.g. when the user lost the profile. */
  async revokeFamilyOf(token: string, tenantId: string): Promise<void> {
    const row = await this.db.getRepository(OAuthRefreshToken).findOne({ where: { tokenHash: hash(token), tenantId } });
    if (row) await revokeFamily(this.db.getRepository(OAuthRefreshToken), row.familyId);
  }

}

function revokeFamily(repo: Repository<OAuthRefreshToken>, familyId: string): Promise<unknown> {
  return repo.createQueryBuilder().update().set({ revokedAt: () => 'now()' }).where('family_id = :f AND revoked_at IS NULL', { f: familyId }).execute();
}

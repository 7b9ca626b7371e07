import { randomUUID } from 'node:crypto';
import { loadJose, type CryptoKey, type JWK } from './jose';
import { IsNull, MoreThan, type DataSource } from 'typeorm';
import { OAuthSigningKey } from './oauth-signing-key.entity';

export const ACCESS_TOKEN_ALG = 'ES256';

export interface ActiveSigningKey {
  kid: string;
  key: CryptoKey;
}

/**
 * The installation's token-signing keys in Postgres. The newest unretired key signs; retired
 * keys stay published for `publishRetiredForMs` (longer than any access token lives), so a
 * rotation (`gatehouse oauth rotate-keys`) never breaks a token in flight.
 */
export class SigningKeys {
  private active: (ActiveSigningKey & { loadedAt: number }) | null = null;

  constructor(
    private readonly db: DataSource,
    private readonly publishRetiredForMs = 24 * 60 * 60_000,
    private readonly reloadMs = 60_000,
  ) {}

  async signingKey(): Promise<ActiveSigningKey> {
    if (this.active && Date.now() - this.active.loadedAt < this.reloadMs) return this.active;
    const row =
      (await this.db.getRepository(OAuthSigningKey).findOne({ where: { retiredAt: IsNull() }, order: { createdAt: 'DESC' } })) ??
      (await this.create());
    const { importPKCS8 } = await loadJose();
    this.active = { kid: row.kid, key: await importPKCS8(row.privateKeyPem, ACCESS_TOKEN_ALG), loadedAt: Date.now() };
    return this.active;
  }

  /** Makes a new key the signing key and retires the others (they stay in the JWKS for a while). */
  async rotate(): Promise<string> {
    const fresh = await this.create();
    await this.db
      .createQueryBuilder()
      .update(OAuthSigningKey)
      .set({ retiredAt: () => 'now()' })
      .where('kid <> :kid AND retired_at IS NULL', { kid: fresh.kid })
      .execute();
    this.active = null;
    return fresh.kid;
  }

  /** The JWKS: every key a valid token can have been signed with. */
  async publicJwks(): Promise<{ keys: JWK[] }> {
    const rows = await this.db.getRepository(OAuthSigningKey).find({
      where: [{ retiredAt: IsNull() }, { retiredAt: MoreThan(new Date(Date.now() - this.publishRetiredForMs)) }],
      order: { createdAt: 'DESC' },
    });
    return { keys: rows.map((r) => r.publicJwk as JWK) };
  }

  private async create(): Promise<OAuthSigningKey> {
    const { exportJWK, exportPKCS8, generateKeyPair } = await loadJose();
    const { publicKey, privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, { extractable: true });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALG, use: 'sig' };
    return this.db.getRepository(OAuthSigningKey).save({ kid, alg: ACCESS_TOKEN_ALG, publicJwk, privateKeyPem: await exportPKCS8(privateKey), retiredAt: null });
  }
}

import { randomBytes } from 'node:crypto';
import { Column, CreateDateColumn, Entity, PrimaryColumn, type DataSource } from 'typeorm';

/**
 * A random key every process of the installation shares, created on first use (e.g. the HMAC key
 * that seals MCP `requestState`, which any gateway replica must verify). Installation-wide, like
 * the OAuth signing keys, and stored as is until the credential vault can wrap it.
 */
@Entity('service_secrets')
export class ServiceSecret {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  /** 32 random bytes, base64url. */
  @Column({ type: 'text' })
  secret!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** The named secret; the first process to ask creates it, and every other one reads that one. */
export async function loadServiceSecret(db: DataSource, name: string): Promise<Buffer> {
  await db.query(`INSERT INTO service_secrets (name, secret) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
    name,
    randomBytes(32).toString('base64url'),
  ]);
  const row = await db.getRepository(ServiceSecret).findOneByOrFail({ name });
  return Buffer.from(row.secret, 'base64url');
}

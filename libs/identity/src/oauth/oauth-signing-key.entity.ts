import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A key that signs OAuth access tokens. The newest unretired key signs; every key not retired
 * for longer than the longest access-token lifetime stays in the JWKS, so rotation never
 * invalidates a token in flight. Installation-wide (the issuer differs per tenant, not the key).
 */
@Entity('oauth_signing_keys')
export class OAuthSigningKey {
  @PrimaryColumn({ type: 'text' })
  kid!: string;

  @Column({ type: 'text' })
  alg!: string;

  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk!: Record<string, unknown>;

  /**
   * PKCS#8 PEM. Stored as is until the credential vault (envelope encryption) exists; database
   * access already implies full control of the installation.
   */
  @Column({ name: 'private_key_pem', type: 'text' })
  privateKeyPem!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt!: Date | null;
}

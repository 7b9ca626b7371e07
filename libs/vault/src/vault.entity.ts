import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** One tenant's data key, wrapped by a master key (never stored in the clear). */
@Entity('vault_data_keys')
export class TenantDataKey {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** Fingerprint of the master key that wraps it (see `masterKeyId`). */
  @Column({ name: 'master_key_id', type: 'text' })
  masterKeyId!: string;

  @Column({ name: 'wrapped_key', type: 'text' })
  wrappedKey!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'rewrapped_at', type: 'timestamptz', nullable: true })
  rewrappedAt!: Date | null;
}

/** A tenant secret: AES-256-GCM under the tenant's data key, bound to its tenant and name. */
@Entity('vault_secrets')
@Index(['tenantId', 'name'], { unique: true })
export class VaultSecret {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** base64url of iv (12) | tag (16) | ciphertext. */
  @Column({ type: 'text' })
  sealed!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When the value last changed (the "last rotated" time admins see). */
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'updated_by', type: 'text' })
  updatedBy!: string;
}

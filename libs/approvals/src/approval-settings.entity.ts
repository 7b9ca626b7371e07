import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from '@gatehouse/tenancy';

export const APPROVER_ROLES = ['approver', 'admin'] as const;
export type ApproverRole = (typeof APPROVER_ROLES)[number];

/** A tenant's approval defaults. A tenant without a row gets `DEFAULT_APPROVAL_SETTINGS`. */
@Entity('approval_settings')
export class ApprovalSettings {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @OneToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: Tenant;

  /** How long a held call waits for a decision before it expires. */
  @Column({ name: 'timeout_seconds', type: 'integer', default: 600 })
  timeoutSeconds!: number;

  /** The least role that may decide: `approver` (approvers and admins) or `admin`. */
  @Column({ name: 'approver_role', type: 'text', default: 'approver' })
  approverRole!: ApproverRole;

  /** Notified of each new held call (POST, HMAC-signed); null for none. */
  @Column({ name: 'webhook_url', type: 'text', nullable: true })
  webhookUrl!: string | null;

  /**
   * The HMAC key for webhook signatures. Stored as given until the vault can wrap it; never
   * returned by the API.
   */
  @Column({ name: 'webhook_secret', type: 'text', nullable: true })
  webhookSecret!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export const DEFAULT_APPROVAL_SETTINGS = { timeoutSeconds: 600, approverRole: 'approver' as ApproverRole, webhookUrl: null, webhookSecret: null };

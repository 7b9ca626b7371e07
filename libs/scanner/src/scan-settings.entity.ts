import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const SCAN_MODES = ['off', 'flag', 'block'] as const;
export type ScanMode = (typeof SCAN_MODES)[number];

/** A tenant's scanning policy. A tenant without a row is not scanned. */
@Entity('scan_settings')
export class ScanSettings {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** The mode of every profile not named in `profileModes`. */
  @Column({ type: 'text' })
  mode!: ScanMode;

  /** Profile slug → mode, overriding the tenant's. */
  @Column({ name: 'profile_modes', type: 'jsonb', default: () => `'{}'` })
  profileModes!: Record<string, ScanMode>;

  /** Hosts the tenant trusts for images and links (`docs.acme.com`, `*.acme.com`). */
  @Column({ name: 'allow_hosts', type: 'jsonb', default: () => `'[]'` })
  allowHosts!: string[];

  /** Rule ids switched off for this tenant. */
  @Column({ name: 'disabled_rules', type: 'jsonb', default: () => `'[]'` })
  disabledRules!: string[];

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

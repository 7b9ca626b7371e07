import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const EXPORT_EVENTS = ['tool_calls', 'audit'] as const;
export type ExportEvent = (typeof EXPORT_EVENTS)[number];
export const EXPORT_PAYLOADS = ['none', 'hashed', 'full'] as const;
export type ExportPayloads = (typeof EXPORT_PAYLOADS)[number];

/** Where a tenant's audit stream goes (an OTLP/HTTP collector) and what it carries. */
@Entity('export_settings')
export class ExportSettings {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** The collector's base URL; `/v1/traces` and `/v1/logs` are appended. */
  @Column({ type: 'text' })
  endpoint!: string;

  /** Sent with every export; values may be `${secret:NAME}` references (resolved at send time). */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  headers!: Record<string, string>;

  @Column({ type: 'text', array: true, default: () => `'{tool_calls,audit}'` })
  events!: ExportEvent[];

  /** Whether spans carry tool arguments and results, only their SHA-256, or neither. */
  @Column({ type: 'text', default: 'none' })
  payloads!: ExportPayloads;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

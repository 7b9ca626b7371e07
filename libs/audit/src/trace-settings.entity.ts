import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** How a trace keeps a tool's arguments and result: as given, as a SHA-256, or not at all. */
export const PAYLOAD_MODES = ['full', 'hashed', 'none'] as const;
export type PayloadMode = (typeof PAYLOAD_MODES)[number];

export interface PayloadRule {
  server: string;
  tool: string;
  payloads: PayloadMode;
}

/** A tenant's trace payload policy and retention. A tenant without a row keeps everything, forever. */
@Entity('trace_settings')
export class TraceSettings {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** The mode for every tool without a rule of its own. */
  @Column({ type: 'text', default: 'full' })
  payloads!: PayloadMode;

  /** Per upstream tool (`server` + `tool` as the upstream names them). */
  @Column({ name: 'tool_rules', type: 'jsonb', default: () => `'[]'` })
  toolRules!: PayloadRule[];

  /** After this long, arguments and results are purged from traces (the call record stays); null: never. */
  @Column({ name: 'retention_seconds', type: 'integer', nullable: true })
  retentionSeconds!: number | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

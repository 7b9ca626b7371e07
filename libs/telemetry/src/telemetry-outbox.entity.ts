import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type OutboxKind = 'tool_call' | 'audit';

/**
 * Records waiting for export, written by database triggers in the same transaction as the trace
 * or audit entry they point at: nothing recorded can be missed, and the id orders them.
 */
@Entity('telemetry_outbox')
@Index(['tenantId', 'id'])
export class TelemetryOutbox {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'text' })
  kind!: OutboxKind;

  /** The trace id or the admin audit entry id. */
  @Column({ name: 'source_id', type: 'uuid' })
  sourceId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

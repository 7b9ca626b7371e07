import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ProfileTool } from './profile-tool.entity';

/** Recorded when an upstream tool definition stops matching the one an admin approved. */
@Entity('drift_events')
@Index(['tenantId', 'profileToolId', 'newHash'], { unique: true })
export class DriftEvent {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'profile_tool_id', type: 'uuid' })
  profileToolId!: string;

  @ManyToOne(() => ProfileTool, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'profile_tool_id' })
  profileTool?: ProfileTool;

  @Column({ name: 'server_id', type: 'uuid' })
  serverId!: string;

  @Column({ name: 'upstream_name', type: 'text' })
  upstreamName!: string;

  @Column({ name: 'approved_hash', type: 'text', nullable: true })
  approvedHash!: string | null;

  @Column({ name: 'new_hash', type: 'text' })
  newHash!: string;

  /** json, not jsonb: the upstream's key order is kept, so re-approving it reproduces the listing byte for byte. */
  @Column({ name: 'new_definition', type: 'json' })
  newDefinition!: Record<string, unknown>;

  @CreateDateColumn({ name: 'detected_at', type: 'timestamptz' })
  detectedAt!: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;
}

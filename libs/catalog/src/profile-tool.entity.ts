import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { McpServer } from './mcp-server.entity';
import { Profile } from './profile.entity';

export const APPROVAL_POLICIES = ['auto', 'always', 'never'] as const;
export type ApprovalPolicy = (typeof APPROVAL_POLICIES)[number];

/**
 * One upstream tool as a profile exposes it, with its overrides and the hash of the upstream
 * definition an admin approved. A changed upstream definition no longer matches
 * `approvedHash`, and the tool is withheld until re-approved (rug-pull protection).
 */
@Entity('profile_tools')
@Index(['profileId', 'exposedName'], { unique: true })
export class ProfileTool {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'profile_id', type: 'uuid' })
  profileId!: string;

  @Column({ name: 'server_id', type: 'uuid' })
  serverId!: string;

  @ManyToOne(() => Profile, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'profile_id' })
  profile?: Profile;

  @ManyToOne(() => McpServer, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'server_id' })
  server?: McpServer;

  @Column({ name: 'upstream_name', type: 'text' })
  upstreamName!: string;

  @Column({ name: 'exposed_name', type: 'text' })
  exposedName!: string;

  @Column({ name: 'description_override', type: 'text', nullable: true })
  descriptionOverride!: string | null;

  /** Argument values fixed by the admin; the properties are removed from the exposed schema. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  pin!: Record<string, unknown>;

  /** Properties removed from the exposed schema without a fixed value. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  hide!: string[];

  @Column({ type: 'text', default: 'auto' })
  approval!: 'auto' | 'always' | 'never';

  /** sha256 of the approved upstream definition; null until the upstream was first seen. */
  @Column({ name: 'approved_hash', type: 'text', nullable: true })
  approvedHash!: string | null;

  /**
   * The approved upstream definition itself, so a drift can be shown as old vs new text. Null for
   * tools pinned before it was recorded (only the hash is known for those). json, not jsonb: the
   * upstream's key order is kept, so a preview of the tool list counts the same tokens a client does.
   */
  @Column({ name: 'approved_definition', type: 'json', nullable: true })
  approvedDefinition!: Record<string, unknown> | null;

  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true })
  approvedAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

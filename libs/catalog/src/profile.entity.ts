import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from '@gatehouse/tenancy';

/** One MCP endpoint (`/mcp/{tenant}/{profile}`) with a curated set of tools. */
@Entity('profiles')
@Index(['tenantId', 'slug'], { unique: true })
export class Profile {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: Tenant;

  @Column({ type: 'text' })
  slug!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** Server ids whose resources are passed through on this endpoint. */
  @Column({ name: 'resource_server_ids', type: 'jsonb', default: () => "'[]'" })
  resourceServerIds!: string[];

  /** Server ids whose prompts are passed through on this endpoint. */
  @Column({ name: 'prompt_server_ids', type: 'jsonb', default: () => "'[]'" })
  promptServerIds!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

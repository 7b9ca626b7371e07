import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Tenant } from '@gatehouse/tenancy';

/**
 * An MCP client registered with a tenant's authorization server through dynamic client
 * registration (RFC 7591). Clients are public (PKCE, no secret), as MCP clients on laptops are.
 */
@Entity('oauth_clients')
@Index(['tenantId', 'clientId'], { unique: true })
export class OAuthClient {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: Tenant;

  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ name: 'client_name', type: 'text', nullable: true })
  clientName!: string | null;

  @Column({ name: 'redirect_uris', type: 'text', array: true })
  redirectUris!: string[];

  /** The registration request as accepted (RFC 7591 client metadata). */
  @Column({ type: 'jsonb' })
  metadata!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

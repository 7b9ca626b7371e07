import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from '@gatehouse/tenancy';

export const TRANSPORTS = ['http', 'sse', 'stdio'] as const;
export type UpstreamTransportKind = (typeof TRANSPORTS)[number];

/**
 * OAuth for an upstream that wants an access token: the client credentials grant, or the
 * refresh token grant when `refreshToken` is set. Credentials are `${secret:NAME}` references
 * (a rotated refresh token is written back to that secret), never literals.
 */
export interface UpstreamOAuthSettings {
  tokenUrl: string;
  clientId: string;
  clientSecret?: string;
  refreshToken?: string;
  scope?: string;
  /** RFC 8707 resource indicator, when the authorization server wants one. */
  resource?: string;
  /**
   * Calls act as the calling user: each user connects their own account once (authorization code
   * + PKCE at `authorizeUrl`) and their calls carry their own token, over a connection of their
   * own. Tool discovery uses the client's own credentials (client credentials grant).
   */
  perUser?: { authorizeUrl: string };
}

/** The vault secret holding one user's refresh token for one per-user OAuth server. */
export function userRefreshTokenSecret(userId: string, serverName: string): string {
  return `user.${userId}.${serverName}.refresh-token`;
}

/** An upstream MCP server registered for one tenant. */
@Entity('mcp_servers')
@Index(['tenantId', 'name'], { unique: true })
export class McpServer {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: Tenant;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  transport!: UpstreamTransportKind;

  @Column({ type: 'text', nullable: true })
  url!: string | null;

  @Column({ type: 'text', nullable: true })
  command!: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  args!: string[];

  /** Values may reference vault secrets as `${secret:name}`; resolved only at connect time. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  env!: Record<string, string>;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  headers!: Record<string, string>;

  @Column({ type: 'jsonb', nullable: true })
  oauth!: UpstreamOAuthSettings | null;

  @Column({ name: 'timeout_ms', type: 'integer', default: 60000 })
  timeoutMs!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from '@gatehouse/tenancy';

/**
 * A tenant's SAML identity provider: where to send users, which certificate signs its
 * assertions, and which attributes carry email, name and groups. Certificates are public;
 * nothing secret lives here.
 */
@Entity('tenant_sso_settings')
export class SsoSettings {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @OneToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: Tenant;

  @Column({ name: 'idp_entity_id', type: 'text' })
  idpEntityId!: string;

  /** The IdP's SSO URL (HTTP-Redirect binding). */
  @Column({ name: 'entry_point', type: 'text' })
  entryPoint!: string;

  /** PEM certificates that may sign assertions (several during an IdP key rollover). */
  @Column({ name: 'idp_certificates', type: 'text', array: true })
  idpCertificates!: string[];

  /** The IdP's single-logout URL, when it supports SLO. */
  @Column({ name: 'logout_url', type: 'text', nullable: true })
  logoutUrl!: string | null;

  @Column({ name: 'email_attribute', type: 'text', default: 'email' })
  emailAttribute!: string;

  @Column({ name: 'display_name_attribute', type: 'text', default: 'displayName' })
  displayNameAttribute!: string;

  @Column({ name: 'groups_attribute', type: 'text', default: 'groups' })
  groupsAttribute!: string;

  /** Unsolicited (IdP-initiated) responses are refused unless this is on. */
  @Column({ name: 'allow_idp_initiated', type: 'boolean', default: false })
  allowIdpInitiated!: boolean;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Tenant } from './tenant.entity';
import { User } from './user.entity';

export const ROLES = ['admin', 'approver', 'member'] as const;
export type Role = (typeof ROLES)[number];

/**
 * An SSO (IdP) group as Gatehouse knows it, with the role and profiles it grants. The mapping is
 * deliberately flat — group → role + profiles — so a non-engineer can read and sign it off.
 */
@Entity('groups')
@Index(['tenantId', 'idpGroup'], { unique: true })
export class Group {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id' })
  tenant?: Tenant;

  @Column({ name: 'idp_group', type: 'text' })
  idpGroup!: string;

  @Column({ type: 'text', default: 'member' })
  role!: Role;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** Which profiles a group grants. */
@Entity('group_profiles')
export class GroupProfile {
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'group_id', type: 'uuid', primary: true })
  groupId!: string;

  @Column({ name: 'profile_id', type: 'uuid', primary: true })
  profileId!: string;

  @ManyToOne(() => Group, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id' })
  group?: Group;
}

/** A user's current membership; refreshed from the IdP at every SSO login. */
@Entity('user_groups')
export class UserGroup {
  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'user_id', type: 'uuid', primary: true })
  userId!: string;

  @Column({ name: 'group_id', type: 'uuid', primary: true })
  groupId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @ManyToOne(() => Group, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id' })
  group?: Group;
}

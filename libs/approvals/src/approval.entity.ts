import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { TraceScan } from '@gatehouse/audit';

/**
 * `withdrawn`: the caller cancelled its own held call (an MCP `tasks/cancel`) before it ran, while
 * it was pending or approved but not yet claimed by a worker.
 */
export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired', 'withdrawn'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/**
 * What happened to an approved call: queued for a gateway worker, claimed by one (`running`),
 * then `succeeded` or `failed`. `interrupted` means the worker died mid-call: the upstream may or
 * may not have run it, and Gatehouse never runs it again.
 */
export const EXECUTION_STATES = ['queued', 'running', 'succeeded', 'failed', 'interrupted'] as const;
export type ExecutionState = (typeof EXECUTION_STATES)[number];

/**
 * A held tool call and the human decision on it: the system of record. BullMQ jobs only carry
 * its id; every transition is a conditional UPDATE on this row, which is what makes a second
 * approve, an approve/deny race or a redelivered job harmless.
 */
@Entity('approvals')
@Index(['tenantId', 'status', 'createdAt'])
@Index(['status', 'expiresAt'])
export class Approval {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** The call's trace row, updated in place as the approval resolves. */
  @Column({ name: 'trace_id', type: 'uuid', nullable: true })
  traceId!: string | null;

  @Column({ type: 'text', default: 'pending' })
  status!: ApprovalStatus;

  @Column({ name: 'requested_by', type: 'uuid' })
  requestedBy!: string;

  @Column({ name: 'requester_email', type: 'text' })
  requesterEmail!: string;

  @Column({ name: 'client_name', type: 'text', nullable: true })
  clientName!: string | null;

  @Column({ name: 'client_version', type: 'text', nullable: true })
  clientVersion!: string | null;

  @Column({ name: 'session_id', type: 'text', nullable: true })
  sessionId!: string | null;

  @Column({ name: 'tenant_slug', type: 'text' })
  tenantSlug!: string;

  @Column({ name: 'profile', type: 'text' })
  profile!: string;

  @Column({ name: 'profile_tool_id', type: 'uuid' })
  profileToolId!: string;

  @Column({ name: 'exposed_tool', type: 'text' })
  exposedTool!: string;

  @Column({ name: 'server', type: 'text' })
  server!: string;

  @Column({ name: 'upstream_tool', type: 'text' })
  upstreamTool!: string;

  /** The arguments as the upstream will receive them (pins applied): what the approver approves. */
  @Column({ type: 'jsonb' })
  arguments!: Record<string, unknown>;

  /** Why the call needs a human, in words an approver understands. */
  @Column({ name: 'policy_reason', type: 'text' })
  policyReason!: string;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'decider_email', type: 'text', nullable: true })
  deciderEmail!: string | null;

  /** The approver's reason for the decision. */
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'text', nullable: true })
  execution!: ExecutionState | null;

  /** Which gateway worker claimed the execution (host:pid:random). */
  @Column({ name: 'executed_by', type: 'text', nullable: true })
  executedBy!: string | null;

  @Column({ name: 'executed_at', type: 'timestamptz', nullable: true })
  executedAt!: Date | null;

  /** The upstream's full result, kept for the waiting client (or for the approver once it left). */
  @Column({ type: 'jsonb', nullable: true })
  result!: Record<string, unknown> | null;

  @Column({ name: 'execution_error', type: 'text', nullable: true })
  executionError!: string | null;

  /** Arguments and result were purged after the tenant's trace retention (the record stays). */
  @Column({ name: 'payload_purged', type: 'boolean', default: false })
  payloadPurged!: boolean;

  /** What the scanner found in the arguments (profiles that flag), for the approver to weigh; null: nothing. */
  @Column({ type: 'jsonb', nullable: true })
  scan!: TraceScan | null;
}

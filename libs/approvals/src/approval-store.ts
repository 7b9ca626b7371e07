import type { DataSource, EntityManager } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import {
  capResult,
  keepPayload,
  mergeScans,
  SQL_SCAN_WITHOUT_EXCERPTS,
  Trace,
  withoutExcerpts,
  type StoredPayloadMode,
  type TraceRecord,
  type TraceScan,
} from '@gatehouse/audit';
import { Approval } from './approval.entity';
import { ApprovalSettings, DEFAULT_APPROVAL_SETTINGS } from './approval-settings.entity';

export type NewApproval = Pick<
  Approval,
  | 'tenantId'
  | 'tenantSlug'
  | 'requestedBy'
  | 'requesterEmail'
  | 'clientName'
  | 'clientVersion'
  | 'sessionId'
  | 'profile'
  | 'profileToolId'
  | 'exposedTool'
  | 'server'
  | 'upstreamTool'
  | 'arguments'
  | 'policyReason'
>;

export interface Decider {
  userId: string;
  email: string;
}

export type Decision = 'approve' | 'deny';

/** What an executed call produced: a tool result, or the error the upstream (or the gateway) raised. */
export type ExecutionOutcome = ({ result: Record<string, unknown> } | { error: string; errorCode: string; blocked?: boolean }) & {
  /** What the scanner found in the result (merged with the arguments' findings on the trace). */
  scan?: TraceScan | null;
  /** The result as the trace keeps it when it differs (secrets masked); the approval keeps the one delivered. */
  traceResult?: Record<string, unknown>;
};

/**
 * Every state change of an approval, each one conditional UPDATE (or one transaction) in
 * Postgres. The conditions are the concurrency control: of two racing deciders, two workers
 * claiming one execution, or a decision racing the deadline, exactly one statement matches.
 */
export class ApprovalStore {
  constructor(private readonly db: DataSource) {}

  async settings(tenantId: string): Promise<Pick<ApprovalSettings, 'timeoutSeconds' | 'approverRole' | 'webhookUrl' | 'webhookSecret'>> {
    return (await this.db.getRepository(ApprovalSettings).findOne({ where: { tenantId } })) ?? DEFAULT_APPROVAL_SETTINGS;
  }

  /** Records a held call: the approval and its trace (status `pending_approval`), together or not at all. */
  async hold(input: NewApproval, trace: TraceRecord, timeoutSeconds: number): Promise<Approval> {
    return this.db.transaction(async (manager) => {
      const approval = manager.create(Approval, {
        ...input,
        traceId: trace.id,
        scan: trace.scan ?? null,
        status: 'pending',
        expiresAt: new Date(Date.now() + timeoutSeconds * 1000),
      });
      await manager.save(approval);
      await manager.insert(Trace, { ...trace, createdAt: new Date(trace.createdAt), status: 'pending_approval', approvalId: approval.id });
      return approval;
    });
  }

  async find(tenantId: string, approvalId: string): Promise<Approval | null> {
    if (!UUID.test(approvalId)) return null;
    return this.db.getRepository(Approval).findOne({ where: { id: approvalId, tenantId } });
  }

  /**
   * Approves or denies a pending, unexpired approval that the decider did not request. Anything
   * else changes nothing and says why: unknown, self-approval, already decided, expired.
   */
  async decide(
    tenantId: string,
    approvalId: string,
    decider: Decider,
    decision: Decision,
    reason: string | null,
    audit?: (manager: EntityManager, before: Approval, after: Approval) => Promise<void>,
  ): Promise<Approval> {
    const before = await this.find(tenantId, approvalId);
    if (!before) throw new GatehouseError('not_found', `No approval "${approvalId}" in this tenant.`);
    if (before.requestedBy === decider.userId) {
      throw new GatehouseError(
        'self_approval',
        'You cannot decide on a call you made yourself: another approver has to (separation of duties).',
      );
    }
    return this.db.transaction(async (manager) => {
      const rows = await manager.query(
        `UPDATE approvals SET status = $4, decided_by = $3, decider_email = $5, reason = $6, decided_at = now(),
                execution = CASE WHEN $4 = 'approved' THEN 'queued' ELSE NULL END
          WHERE id = $1 AND tenant_id = $2 AND status = 'pending' AND expires_at > now() AND requested_by <> $3
          RETURNING id`,
        [approvalId, tenantId, decider.userId, decision === 'approve' ? 'approved' : 'denied', decider.email, reason],
      );
      if (!updatedAny(rows)) throw conflictFor(await this.find(tenantId, approvalId), decision);
      const after = await manager.findOneOrFail(Approval, { where: { id: approvalId, tenantId } });
      if (decision === 'deny')
        await this.closeTrace(manager, after, 'denied', { error: deniedMessage(after), errorCode: 'approval_denied' });
      await audit?.(manager, before, after);
      return after;
    });
  }

  /** Expires an approval whose deadline passed without a decision. Returns it, or null when it was decided in time. */
  async expire(tenantId: string, approvalId: string): Promise<Approval | null> {
    return this.db.transaction(async (manager) => {
      const rows = await manager.query(
        `UPDATE approvals SET status = 'expired', decided_at = now() WHERE id = $1 AND tenant_id = $2 AND status = 'pending' AND expires_at <= now() RETURNING id`,
        [approvalId, tenantId],
      );
      if (!updatedAny(rows)) return null;
      const expired = await manager.findOneOrFail(Approval, { where: { id: approvalId, tenantId } });
      await this.closeTrace(manager, expired, 'denied', { error: expiredMessage(expired), errorCode: 'approval_expired' });
      return expired;
    });
  }

  /**
   * The caller withdraws its own held call: possible while it is pending, or approved but not yet
   * claimed by a worker (the claim requires `approved`, so a withdrawn call can never start).
   * Returns the withdrawn approval, or null when it had already run, started or been decided
   * otherwise (the caller then reads the approval as it stands).
   */
  async withdraw(tenantId: string, approvalId: string, requestedBy: string): Promise<Approval | null> {
    return this.db.transaction(async (manager) => {
      const rows = await manager.query(
        `UPDATE approvals SET status = 'withdrawn', execution = NULL, decided_at = COALESCE(decided_at, now())
          WHERE id = $1 AND tenant_id = $2 AND requested_by = $3
            AND (status = 'pending' OR (status = 'approved' AND execution = 'queued')) RETURNING id`,
        [approvalId, tenantId, requestedBy],
      );
      if (!updatedAny(rows)) return null;
      const withdrawn = await manager.findOneOrFail(Approval, { where: { id: approvalId, tenantId } });
      await this.closeTrace(manager, withdrawn, 'error', { error: withdrawnMessage(withdrawn), errorCode: 'approval_withdrawn' });
      return withdrawn;
    });
  }

  /** One requester's held calls on one profile, newest first, keyset-paged (their MCP task list). */
  async listRequestedBy(
    tenantId: string,
    requestedBy: string,
    profile: string,
    after: { createdAt: Date; id: string } | null,
    limit: number,
  ): Promise<Approval[]> {
    const qb = this.db
      .getRepository(Approval)
      .createQueryBuilder('a')
      .where('a.tenant_id = :tenantId AND a.requested_by = :requestedBy AND a.profile = :profile', { tenantId, requestedBy, profile });
    // Cursors carry milliseconds; compare at that precision so no row is skipped or repeated.
    const createdMs = "date_trunc('milliseconds', a.created_at)";
    if (after) qb.andWhere(`(${createdMs}, a.id) < (:ct, :cid)`, { ct: after.createdAt, cid: after.id });
    return qb.orderBy(createdMs, 'DESC').addOrderBy('a.id', 'DESC').take(limit).getMany();
  }

  /** Claims an approved call for one worker. Only one claim ever succeeds; null for everyone else. */
  async claimExecution(tenantId: string, approvalId: string, workerId: string): Promise<Approval | null> {
    const rows = await this.db.query(
      `UPDATE approvals SET execution = 'running', executed_by = $3, executed_at = now()
        WHERE id = $1 AND tenant_id = $2 AND status = 'approved' AND execution = 'queued' RETURNING id`,
      [approvalId, tenantId, workerId],
    );
    return updatedAny(rows) ? this.find(tenantId, approvalId) : null;
  }

  /** Stores what the claimed execution produced, on the approval and its trace. */
  async finishExecution(approval: Approval, outcome: ExecutionOutcome, resultCapBytes?: number): Promise<Approval> {
    return this.db.transaction(async (manager) => {
      const ok = 'result' in outcome && outcome.result.isError !== true;
      await manager.query(
        `UPDATE approvals SET execution = $3, result = $4::jsonb, execution_error = $5 WHERE id = $1 AND tenant_id = $2 AND execution = 'running'`,
        'result' in outcome
          ? [approval.id, approval.tenantId, ok ? 'succeeded' : 'failed', JSON.stringify(outcome.result), null]
          : [approval.id, approval.tenantId, 'failed', null, outcome.error],
      );
      if ('result' in outcome) {
        await this.closeTrace(
          manager,
          approval,
          ok ? 'ok' : 'error',
          { ...(ok ? {} : { error: firstText(outcome.result), errorCode: 'tool_error' }) },
          { result: outcome.traceResult ?? outcome.result, capBytes: resultCapBytes, scan: outcome.scan },
        );
      } else {
        await this.closeTrace(manager, approval, outcome.blocked ? 'blocked' : 'error', { error: outcome.error, errorCode: outcome.errorCode }, outcome.scan ? { scan: outcome.scan } : undefined);
      }
      return manager.findOneOrFail(Approval, { where: { id: approval.id, tenantId: approval.tenantId } });
    });
  }

  /**
   * A claimed execution whose worker died: the upstream may or may not have run the call, so it is
   * never run again; it is recorded as interrupted for a human to check.
   */
  async interrupt(approval: Approval): Promise<Approval | null> {
    return this.db.transaction(async (manager) => {
      const message = `The gateway worker running this approved call (${approval.executedBy ?? 'unknown'}) stopped before it finished; the upstream may or may not have run it, and Gatehouse will not run it again.`;
      const rows = await manager.query(
        `UPDATE approvals SET execution = 'interrupted', execution_error = $3 WHERE id = $1 AND tenant_id = $2 AND execution = 'running' RETURNING id`,
        [approval.id, approval.tenantId, message],
      );
      if (!updatedAny(rows)) return null;
      await this.closeTrace(manager, approval, 'error', { error: message, errorCode: 'execution_interrupted' });
      return manager.findOneOrFail(Approval, { where: { id: approval.id, tenantId: approval.tenantId } });
    });
  }

  /**
   * Work a lost Redis job or a dead worker would leave undone: overdue pending holds, approved
   * calls still queued, and executions claimed longer ago than any call may run.
   */
  async stranded(runningLimitMs: number, limit = 100): Promise<{ overdue: Approval[]; queued: Approval[]; stuck: Approval[] }> {
    const repo = this.db.getRepository(Approval);
    const [overdue, queued, stuck] = await Promise.all([
      repo.createQueryBuilder('a').where(`a.status = 'pending' AND a.expires_at <= now()`).orderBy('a.expires_at').limit(limit).getMany(),
      repo.createQueryBuilder('a').where(`a.status = 'approved' AND a.execution = 'queued'`).orderBy('a.decided_at').limit(limit).getMany(),
      repo
        .createQueryBuilder('a')
        .where(`a.execution = 'running' AND a.executed_at < now() - make_interval(secs => :secs)`, { secs: runningLimitMs / 1000 })
        .limit(limit)
        .getMany(),
    ]);
    return { overdue, queued, stuck };
  }

  /** Empties arguments and results of decided approvals older than the tenant's retention. */
  async purgePayloads(tenantId: string, retentionSeconds: number): Promise<number> {
    const [rows] = (await this.db.query(
      `UPDATE approvals SET arguments = '{}'::jsonb, result = NULL, payload_purged = true, scan = ${SQL_SCAN_WITHOUT_EXCERPTS}
        WHERE tenant_id = $1 AND status <> 'pending' AND execution IS DISTINCT FROM 'running' AND execution IS DISTINCT FROM 'queued'
          AND created_at < now() - make_interval(secs => $2) AND NOT payload_purged
        RETURNING id`,
      [tenantId, retentionSeconds],
    )) as [unknown[], number];
    return rows.length;
  }

  private async closeTrace(
    manager: EntityManager,
    approval: Approval,
    status: TraceRecord['status'],
    fields: Partial<Trace>,
    outcome?: { result?: Record<string, unknown>; capBytes?: number; scan?: TraceScan | null },
  ): Promise<void> {
    if (!approval.traceId) return;
    const [row] = (await manager.query(
      `UPDATE traces SET latency_ms = EXTRACT(EPOCH FROM (now() - created_at)) * 1000 WHERE id = $1 AND tenant_id = $2 RETURNING payload_mode, scan`,
      [approval.traceId, approval.tenantId],
    )) as [Array<{ payload_mode: StoredPayloadMode | null; scan: TraceScan | null }>, number];
    const result = outcome?.result ? resultFields(outcome.result, row[0]?.payload_mode ?? null, outcome.capBytes) : {};
    // Excerpts quote the result: kept only where the trace keeps the result in full.
    const found = outcome?.scan && (row[0]?.payload_mode ? withoutExcerpts(outcome.scan) : outcome.scan);
    const scan = found ? { scan: mergeScans(row[0]?.scan, found) } : {};
    await manager.update(Trace, { id: approval.traceId, tenantId: approval.tenantId }, { ...fields, ...result, ...scan, status });
  }
}

/**
 * The result as the trace keeps it: the way the tenant's policy said when the call was made
 * (recorded on the trace); in full it is capped, hashed it is the hash of the whole result.
 */
function resultFields(result: Record<string, unknown>, mode: StoredPayloadMode | null, capBytes?: number): Partial<Trace> {
  const capped = capResult(result, capBytes);
  if (!mode || mode === 'full') return { result: capped.result, resultTruncated: capped.truncated, resultBytes: capped.bytes };
  return { result: keepPayload(result, mode), resultTruncated: false, resultBytes: capped.bytes };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** TypeORM's raw UPDATE … RETURNING answers `[rows, affectedCount]` on Postgres. */
function updatedAny(result: unknown): boolean {
  return Array.isArray(result) && Array.isArray(result[0]) && result[0].length > 0;
}

export function deniedMessage(approval: Approval): string {
  const reason = approval.reason?.replace(/[.\s]+$/, '');
  return `${approval.deciderEmail ?? 'An approver'} denied this call to "${approval.exposedTool}"${reason ? `: ${reason}` : ''}. It did not run.`;
}

export function expiredMessage(approval: Approval): string {
  const seconds = Math.round((approval.expiresAt.getTime() - approval.createdAt.getTime()) / 1000);
  const timeout = seconds >= 120 ? `${Math.round(seconds / 60)} min` : `${seconds} s`;
  return `No approver decided on this call to "${approval.exposedTool}" within ${timeout}; it expired and did not run.`;
}

export function withdrawnMessage(approval: Approval): string {
  return `The caller withdrew this call to "${approval.exposedTool}" before it ran; it did not run.`;
}

function conflictFor(current: Approval | null, decision: Decision): GatehouseError {
  if (!current) return new GatehouseError('not_found', 'This approval no longer exists.');
  const verb = decision === 'approve' ? 'approve' : 'deny';
  if (current.status === 'pending') {
    return new GatehouseError('conflict', `Cannot ${verb}: this approval expired at ${current.expiresAt.toISOString()}.`, {
      status: 'expired',
    });
  }
  const by = current.deciderEmail ? ` by ${current.deciderEmail}` : '';
  const at = current.decidedAt ? ` at ${current.decidedAt.toISOString()}` : '';
  return new GatehouseError('conflict', `Cannot ${verb}: this approval was already ${current.status}${by}${at}.`, {
    status: current.status,
  });
}

function firstText(result: Record<string, unknown>): string | null {
  const content = Array.isArray(result.content) ? (result.content as Array<{ type?: string; text?: string }>) : [];
  return content.find((c) => c.type === 'text')?.text?.slice(0, 2000) ?? null;
}

import { z } from 'zod';
import type { DataSource } from 'typeorm';
import type { Redis } from 'ioredis';
import { GatehouseError } from '@gatehouse/core';
import { decodeKeysetCursor, encodeKeysetCursor, recordAdminChange } from '@gatehouse/audit';
import { Approval, APPROVAL_STATUSES } from './approval.entity';
import type { ApprovalQueues } from './approval-queues';
import { publishResolved } from './approval-outcome';
import type { ApprovalStore, Decision } from './approval-store';

export const approvalListQuerySchema = z.object({
  status: z.enum(APPROVAL_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});
export type ApprovalListQuery = z.input<typeof approvalListQuerySchema>;

export const decisionBodySchema = z.object({ reason: z.string().trim().max(2000).optional() });

export interface Approver {
  tenantId: string;
  userId: string;
  email: string;
  role: 'admin' | 'approver' | 'member';
}

const RANK = { member: 0, approver: 1, admin: 2 } as const;
const MS_CREATED_AT = "date_trunc('milliseconds', a.created_at)";

/**
 * What approvers do with held calls: list and read them, approve or deny. A decision is one
 * conditional transition in the store, recorded in the admin audit log in the same transaction;
 * an approval then queues the execution (or the reconciler does, if Redis is away).
 */
export class ApprovalService {
  constructor(
    private readonly db: DataSource,
    private readonly store: ApprovalStore,
    private readonly queues: ApprovalQueues,
    private readonly publisher: Redis,
  ) {}

  async list(tenantId: string, rawQuery: ApprovalListQuery): Promise<{ items: Approval[]; nextCursor: string | null }> {
    const parsed = approvalListQuerySchema.safeParse(rawQuery);
    if (!parsed.success) throw new GatehouseError('validation_failed', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const query = parsed.data;
    const qb = this.db.getRepository(Approval).createQueryBuilder('a').where('a.tenant_id = :tenantId', { tenantId });
    if (query.status) qb.andWhere('a.status = :status', { status: query.status });
    if (query.cursor) {
      const cursor = decodeKeysetCursor(query.cursor);
      qb.andWhere(`(${MS_CREATED_AT}, a.id) < (:ct, :cid)`, { ct: new Date(cursor.t), cid: cursor.id });
    }
    const rows = await qb.orderBy(MS_CREATED_AT, 'DESC').addOrderBy('a.id', 'DESC').take(query.limit + 1).getMany();
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > query.limit && last ? encodeKeysetCursor(last) : null };
  }

  async get(tenantId: string, approvalId: string): Promise<Approval> {
    const approval = await this.store.find(tenantId, approvalId);
    if (!approval) throw new GatehouseError('not_found', `No approval "${approvalId}" in this tenant.`);
    return approval;
  }

  async decide(approver: Approver, approvalId: string, decision: Decision, body: unknown): Promise<Approval> {
    const parsedBody = decisionBodySchema.safeParse(body ?? {});
    if (!parsedBody.success) throw new GatehouseError('validation_failed', 'The body must be {"reason": "…"} with a reason of at most 2000 characters.');
    const { reason } = parsedBody.data;
    const settings = await this.store.settings(approver.tenantId);
    if (RANK[approver.role] < RANK[settings.approverRole]) {
      throw new GatehouseError('forbidden', `Only ${settings.approverRole}s may decide approvals in this tenant.`);
    }
    const decided = await this.store.decide(approver.tenantId, approvalId, { userId: approver.userId, email: approver.email }, decision, reason || null, (manager, before, after) =>
      recordAdminChange(manager, {
        tenantId: approver.tenantId,
        actor: approver.email,
        action: decision === 'approve' ? 'approval.approve' : 'approval.deny',
        targetType: 'approval',
        targetId: approvalId,
        before: { status: before.status },
        after: { status: after.status, reason: after.reason, tool: after.exposedTool, requester: after.requesterEmail },
      }),
    );
    const job = { approvalId, tenantId: approver.tenantId };
    // Either may fail with Redis away: the reconciler queues approved work, waiting gateways poll.
    if (decision === 'approve') await this.queues.execute(job).catch(() => undefined);
    else await publishResolved(this.publisher, approvalId).catch(() => undefined);
    return decided;
  }
}

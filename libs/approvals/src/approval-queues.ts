import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * The approval queues and their job payloads, defined once. Jobs carry only ids: the approval row
 * in Postgres is the record, so a lost, duplicated or redelivered job can never change an outcome.
 */
export const APPROVAL_QUEUES = {
  /** Runs an approved call on whichever gateway worker takes it. */
  execute: 'gatehouse-approval-execute',
  /** Delayed until the hold's deadline; expires the approval if nobody decided. */
  expire: 'gatehouse-approval-expire',
  /** Tells the tenant's approvers (webhook), retried with backoff. */
  notify: 'gatehouse-approval-notify',
} as const;

export const approvalJobSchema = z.object({ approvalId: z.string().uuid(), tenantId: z.string().uuid() });
export type ApprovalJob = z.infer<typeof approvalJobSchema>;

/** One job per approval and queue: re-adding an existing job is a no-op (BullMQ job ids). */
export const approvalJobId = (kind: keyof typeof APPROVAL_QUEUES, approvalId: string) => `${kind}-${approvalId}`;

/** Published when an approval reaches an outcome the waiting client can be given. */
export const APPROVAL_RESOLVED_CHANNEL = 'gatehouse:approval-resolved';

export interface QueueOptions {
  connection: Redis;
  prefix: string;
}

/**
 * Producer side of the approval queues. Adding a job never blocks the caller for long: when Redis
 * is unreachable the add fails after `timeoutMs`, and the reconciler re-adds the job from
 * Postgres later, so the approval row alone is enough to get the work done.
 */
export class ApprovalQueues {
  private readonly queues: Record<keyof typeof APPROVAL_QUEUES, Queue>;

  constructor(
    options: QueueOptions,
    private readonly timeoutMs = 2000,
  ) {
    const make = (name: string) => new Queue(name, { connection: options.connection, prefix: options.prefix });
    this.queues = { execute: make(APPROVAL_QUEUES.execute), expire: make(APPROVAL_QUEUES.expire), notify: make(APPROVAL_QUEUES.notify) };
  }

  execute(job: ApprovalJob): Promise<void> {
    return this.add('execute', job, { attempts: 3, backoff: { type: 'exponential', delay: 1000 } });
  }

  expireAt(job: ApprovalJob, at: Date): Promise<void> {
    return this.add('expire', job, { delay: Math.max(0, at.getTime() - Date.now()), attempts: 5, backoff: { type: 'exponential', delay: 1000 } });
  }

  notify(job: ApprovalJob): Promise<void> {
    // 1 s, 2 s, 4 s … about 4 min in all: an approver's chat tool being down briefly loses nothing.
    return this.add('notify', job, { attempts: 9, backoff: { type: 'exponential', delay: 1000 } });
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.close()));
  }

  private async add(kind: keyof typeof APPROVAL_QUEUES, job: ApprovalJob, options: JobsOptions): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not take the ${kind} job within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      await Promise.race([
        this.queues[kind].add(kind, job, { ...options, jobId: approvalJobId(kind, job.approvalId), removeOnComplete: true, removeOnFail: 1000 }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

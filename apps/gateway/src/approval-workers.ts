import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '@gatehouse/core';
import {
  APPROVAL_QUEUES,
  approvalJobSchema,
  deliverWebhook,
  publishResolved,
  type Approval,
  type ApprovalQueues,
  type ApprovalStore,
} from '@gatehouse/approvals';
import { runApprovedCall, type EndpointRegistry } from '@gatehouse/proxy';
import type { Scanner } from '@gatehouse/scanner';
import type { UpstreamPool } from '@gatehouse/upstream';

export interface ApprovalWorkerDeps {
  /** Resolves `${secret:NAME}` references (the webhook signing secret). */
  resolveSecrets: (tenantId: string, values: Record<string, string>) => Promise<Record<string, string>>;
  /** Blanks secret values out of what is stored (results an upstream echoes its credential into). */
  redact: <T>(value: T, tenantId: string) => T;
  store: ApprovalStore;
  queues: ApprovalQueues;
  registry: EndpointRegistry;
  pool: UpstreamPool;
  scanner?: Scanner;
  /** Runs PUBLISH; not the subscriber connection. */
  publisher: Redis;
  /** For BullMQ workers (blocking commands; `maxRetriesPerRequest: null`). */
  workerConnection: Redis;
  prefix: string;
  logger: Logger;
  resultCapBytes?: number;
  /** How often Postgres is swept for work a lost job or a dead worker left behind. */
  reconcileMs: number;
  /** An execution claimed longer ago than this is taken for dead (its worker stopped). */
  executionLimitMs: number;
  /** For the link in webhook events. */
  apiPublicUrl?: string;
}

/**
 * The gateway as an approval worker: runs approved calls (any replica may take any job), expires
 * holds nobody decided, and reconciles from Postgres what Redis lost. Every step is a conditional
 * transition in the approval store, so a job delivered twice, or to two workers, runs a call once.
 */
export class ApprovalWorkers {
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly workers: Worker[] = [];
  private sweep: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | null = null;

  constructor(private readonly deps: ApprovalWorkerDeps) {}

  start(): void {
    const { workerConnection: connection, prefix } = this.deps;
    const worker = (name: string, run: (approvalId: string, tenantId: string) => Promise<void>, concurrency: number) => {
      const w = new Worker(
        name,
        async (job: Job) => {
          const { approvalId, tenantId } = approvalJobSchema.parse(job.data);
          await run(approvalId, tenantId);
        },
        { connection, prefix, concurrency },
      );
      w.on('error', (error) => this.deps.logger.warn({ err: error, queue: name }, 'approval worker error'));
      w.on('failed', (job, error) => this.deps.logger.warn({ err: error, queue: name, jobId: job?.id }, 'approval job failed'));
      this.workers.push(w);
    };
    worker(APPROVAL_QUEUES.execute, (id, tenant) => this.execute(tenant, id), 16);
    worker(APPROVAL_QUEUES.expire, (id, tenant) => this.expire(tenant, id), 4);
    worker(APPROVAL_QUEUES.notify, (id, tenant) => this.notify(tenant, id), 4);
    this.sweep = setInterval(() => void this.reconcile(), this.deps.reconcileMs);
    void this.reconcile();
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    await Promise.all(this.workers.map((w) => w.close()));
    await this.sweeping;
  }

  /** Runs an approved call if this worker wins the claim; anyone else finds nothing to do. */
  async execute(tenantId: string, approvalId: string): Promise<void> {
    const claimed = await this.deps.store.claimExecution(tenantId, approvalId, this.workerId);
    if (!claimed) return;
    const outcome = await runApprovedCall(this.deps, claimed);
    await this.deps.store.finishExecution(claimed, this.deps.redact(outcome, claimed.tenantId), this.deps.resultCapBytes);
    this.deps.logger.info({ approvalId, tool: claimed.exposedTool, ok: 'result' in outcome }, 'approved call executed');
    await this.resolved(claimed);
  }

  /** Tells the tenant's approvers through its webhook; a failure throws, and BullMQ retries with backoff. */
  async notify(tenantId: string, approvalId: string): Promise<void> {
    const [approval, settings] = await Promise.all([this.deps.store.find(tenantId, approvalId), this.deps.store.settings(tenantId)]);
    if (!approval || approval.status !== 'pending' || !settings.webhookUrl || !settings.webhookSecret) return;
    // The signing secret is best a vault reference (`${secret:NAME}`); a literal one is used as given.
    const [secret] = Object.values(await this.deps.resolveSecrets(tenantId, { secret: settings.webhookSecret }));
    await deliverWebhook(settings.webhookUrl, secret as string, approval, this.deps.apiPublicUrl);
  }

  async expire(tenantId: string, approvalId: string): Promise<void> {
    const expired = await this.deps.store.expire(tenantId, approvalId);
    if (expired) await this.resolved(expired);
  }

  /** One sweep; overlapping sweeps are skipped. */
  reconcile(): Promise<void> {
    this.sweeping ??= this.sweepOnce()
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'approval reconciliation failed; retrying at the next sweep'))
      .finally(() => {
        this.sweeping = null;
      });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    const { overdue, queued, stuck } = await this.deps.store.stranded(this.deps.executionLimitMs);
    for (const a of overdue) await this.expire(a.tenantId, a.id);
    // Re-adding is a no-op while the job exists (job id); if Redis lost it, this brings it back.
    for (const a of queued) await this.deps.queues.execute({ approvalId: a.id, tenantId: a.tenantId }).catch(() => undefined);
    for (const a of stuck) {
      const interrupted = await this.deps.store.interrupt(a);
      if (interrupted) {
        this.deps.logger.error({ approvalId: a.id, worker: a.executedBy }, 'approved call interrupted: its worker stopped mid-call');
        await this.resolved(interrupted);
      }
    }
  }

  private async resolved(approval: Approval): Promise<void> {
    await publishResolved(this.deps.publisher, approval.id).catch((error: unknown) =>
      this.deps.logger.warn({ err: error, approvalId: approval.id }, 'could not announce the approval outcome; waiting gateways poll'),
    );
  }
}

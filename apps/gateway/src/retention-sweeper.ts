import type { DataSource } from 'typeorm';
import type { Logger } from '@gatehouse/core';
import { purgeTracePayloads, retentionPolicies } from '@gatehouse/audit';
import type { ApprovalStore } from '@gatehouse/approvals';

/**
 * Applies each tenant's payload retention: arguments and results older than it are purged from
 * traces and from decided approvals; the records stay. Every gateway sweeps on its own timer; the
 * purges are idempotent UPDATEs, so replicas overlapping costs nothing but a few empty queries.
 */
export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly db: DataSource,
    private readonly approvals: ApprovalStore,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  async sweep(): Promise<{ traces: number; approvals: number }> {
    if (this.running) return { traces: 0, approvals: 0 };
    const work = (async () => {
      let traces = 0;
      let approvals = 0;
      for (const policy of await retentionPolicies(this.db)) {
        traces += await purgeTracePayloads(this.db, policy);
        approvals += await this.approvals.purgePayloads(policy.tenantId, policy.retentionSeconds);
      }
      if (traces + approvals > 0) this.logger.info({ traces, approvals }, 'purged payloads past their retention');
      return { traces, approvals };
    })();
    this.running = work;
    try {
      return await work;
    } catch (error) {
      this.logger.warn({ err: error }, 'payload retention sweep failed; retrying at the next one');
      return { traces: 0, approvals: 0 };
    } finally {
      this.running = null;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

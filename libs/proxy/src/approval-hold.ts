import { ProtocolError, ProtocolErrorCode, type CallToolResult } from '@modelcontextprotocol/server';
import { GatehouseError, type Logger } from '@gatehouse/core';
import type { TraceRecord } from '@gatehouse/audit';
import { outcomeOf, type Approval, type ApprovalQueues, type ApprovalStore, type NewApproval } from '@gatehouse/approvals';
import type { ToolCallRequest } from './tool-call';

type HeldRequest = Pick<ToolCallRequest, 'signal' | 'progressToken' | 'notify'>;

export interface ApprovalHoldOptions {
  /** How often a held client hears a progress notification (when it sent a progress token). */
  progressIntervalMs: number;
  /** How often a held call re-reads its approval, in case a resolution message was missed. */
  pollIntervalMs: number;
}

/**
 * Holds tool calls that need a human decision. The approval row (with the call's trace) is
 * written first; the client is then kept waiting, with progress notifications so it does not time
 * out, until the approval resolves: woken by Redis pub/sub, or by its own poll when a message was
 * lost. The call itself runs on whichever gateway worker takes the execution job, so a client
 * whose gateway died can be answered by none, but the approval, its execution and its trace
 * stand regardless.
 */
export class ApprovalHolds {
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly store: ApprovalStore,
    private readonly queues: ApprovalQueues,
    private readonly logger: Logger,
    private readonly options: ApprovalHoldOptions,
  ) {}

  /** An approval resolved somewhere: wake the calls in this process that wait on it. */
  wake(approvalId: string): void {
    for (const wake of this.waiters.get(approvalId) ?? []) wake();
  }

  get holding(): number {
    return this.waiters.size;
  }

  async hold(input: NewApproval, trace: TraceRecord, request: HeldRequest): Promise<CallToolResult> {
    return this.waitFor(await this.open(input, trace), request);
  }

  /**
   * Records a held call (approval and trace together) and queues its deadline and approver
   * notification. What waits for the decision is up to the caller: this connection (`hold`) or an
   * MCP task the client polls from any gateway.
   */
  async open(input: NewApproval, trace: TraceRecord): Promise<Approval> {
    const settings = await this.store.settings(input.tenantId);
    const approval = await this.store.hold(input, trace, settings.timeoutSeconds).catch((error: unknown) => {
      this.logger.error({ err: error }, 'could not record an approval request');
      throw new GatehouseError(
        'unavailable',
        `This call to "${input.exposedTool}" needs approval, but Gatehouse cannot record the request right now; nothing ran. Try again shortly.`,
      );
    });
    const job = { approvalId: approval.id, tenantId: approval.tenantId };
    const enqueueFailed = (error: unknown) =>
      this.logger.warn({ err: error, approvalId: approval.id }, 'could not queue approval job; the reconciler will');
    void this.queues.expireAt(job, approval.expiresAt).catch(enqueueFailed);
    if (settings.webhookUrl) void this.queues.notify(job).catch(enqueueFailed);
    return approval;
  }

  find(tenantId: string, approvalId: string): Promise<Approval | null> {
    return this.store.find(tenantId, approvalId);
  }

  /** Resolves with the held call's result once its approval has an outcome (rejects with the decision otherwise). */
  async waitFor(approval: Approval, request: HeldRequest): Promise<CallToolResult> {
    return (await this.wait(approval, request)) as CallToolResult;
  }

  /**
   * Like `waitFor`, but gives up after `roundMs` with null: the held call is answered for now and
   * its client comes back (a 2026-07-28 multi-round-trip retry), on this gateway or any other.
   */
  waitRound(approval: Approval, request: HeldRequest, roundMs: number): Promise<CallToolResult | null> {
    return this.wait(approval, request, roundMs);
  }

  private wait(approval: Approval, request: HeldRequest, roundMs?: number): Promise<CallToolResult | null> {
    const { tenantId, id: approvalId, expiresAt, exposedTool: tool } = approval;
    return new Promise<CallToolResult | null>((resolve, reject) => {
      let settled = false;
      let checking: Promise<void> | null = null;
      let again = false;
      const check = (): void => {
        if (checking) {
          again = true;
          return;
        }
        checking = (async () => {
          do {
            again = false;
            try {
              const current = await this.store.find(tenantId, approvalId);
              const outcome = current
                ? outcomeOf(current)
                : { kind: 'error' as const, error: new GatehouseError('not_found', `Approval ${approvalId} no longer exists.`) };
              if (outcome.kind === 'waiting' || settled) continue;
              finish();
              if (outcome.kind === 'result') resolve(outcome.result as CallToolResult);
              else reject(outcome.error);
              return;
            } catch (error) {
              this.logger.warn({ err: error, approvalId }, 'could not read approval; retrying at the next poll');
            }
          } while (again && !settled);
        })().finally(() => {
          checking = null;
        });
      };

      let progress = 0;
      const ping = () => {
        progress += 1;
        const message = `Held for approval: an approver of your organisation must approve this call to "${tool}" (approval ${approvalId}, expires ${expiresAt.toISOString()}).`;
        void request
          .notify({ method: 'notifications/progress', params: { progressToken: request.progressToken, progress, message } })
          .catch(() => undefined);
      };
      const poll = setInterval(check, this.options.pollIntervalMs);
      const round =
        roundMs === undefined
          ? undefined
          : setTimeout(() => {
              if (settled) return;
              finish();
              resolve(null);
            }, roundMs);
      const pings = request.progressToken === undefined ? undefined : setInterval(ping, this.options.progressIntervalMs);
      const onAbort = () => {
        finish();
        reject(
          new ProtocolError(
            ProtocolErrorCode.InternalError,
            `The client stopped waiting; approval ${approvalId} still stands and its result will be in the trace.`,
            { code: 'cancelled', approvalId },
          ),
        );
      };
      const waiters = this.waiters.get(approvalId) ?? new Set();
      waiters.add(check);
      this.waiters.set(approvalId, waiters);
      const finish = () => {
        settled = true;
        clearInterval(poll);
        clearInterval(pings);
        clearTimeout(round);
        request.signal.removeEventListener('abort', onAbort);
        waiters.delete(check);
        if (waiters.size === 0) this.waiters.delete(approvalId);
      };
      request.signal.addEventListener('abort', onAbort, { once: true });
      if (request.progressToken !== undefined) ping();
      check();
    });
  }
}

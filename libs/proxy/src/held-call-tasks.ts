import { ProtocolError, ProtocolErrorCode, RELATED_TASK_META_KEY, type CallToolResult } from '@modelcontextprotocol/server';
import { decodeKeysetCursor, encodeKeysetCursor } from '@gatehouse/audit';
import { outcomeOf, type Approval, type ApprovalStore } from '@gatehouse/approvals';
import type { ApprovalHolds } from './approval-hold';
import type { Endpoint } from './endpoint-registry';
import type { CallerContext } from './call-context';
import { toProtocolError } from './json-rpc-errors';

/** The 2026-07-28 Tasks extension's identifier (clients declare it per request; servers in discover). */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** How often a client should poll a held call's task; approvals take human time, not milliseconds. */
export const TASK_POLL_INTERVAL_MS = 5000;

const TASK_PAGE_SIZE = 50;

type TaskStatus = 'working' | 'completed' | 'failed' | 'cancelled';

/** A held call seen as an MCP task: status, words for the user, and (when terminal) its outcome. */
export interface HeldCallTask {
  taskId: string;
  status: TaskStatus;
  statusMessage: string;
  createdAt: string;
  lastUpdatedAt: string;
  /** Set when completed: the tool result, exactly as a waiting client would have received it. */
  result?: CallToolResult;
  /** Set when failed: the JSON-RPC error a waiting client would have received. */
  error?: ProtocolError;
}

/**
 * A held call's approval, read as a task. `failed` carries a JSON-RPC error (denied, expired, the
 * approved call failing at the protocol level); a tool result with `isError` is `completed`, as
 * both task specs require.
 */
export function taskOf(approval: Approval): HeldCallTask {
  const outcome = outcomeOf(approval);
  const base = {
    taskId: approval.id,
    createdAt: approval.createdAt.toISOString(),
    lastUpdatedAt: lastUpdate(approval).toISOString(),
  };
  if (outcome.kind === 'result') {
    const summary = approval.execution === 'succeeded' ? 'ran' : 'ran and returned a tool error';
    return {
      ...base,
      status: 'completed',
      statusMessage: `Approved by ${approval.deciderEmail ?? 'an approver'}; the call ${summary}.`,
      result: outcome.result as CallToolResult,
    };
  }
  if (outcome.kind === 'error') {
    const error = toProtocolError(outcome.error);
    return approval.status === 'withdrawn'
      ? { ...base, status: 'cancelled', statusMessage: error.message }
      : { ...base, status: 'failed', statusMessage: error.message, error };
  }
  const statusMessage =
    approval.status === 'pending'
      ? `Waiting for an approver of your organisation (${approval.policyReason}); expires ${approval.expiresAt.toISOString()}.`
      : `Approved by ${approval.deciderEmail ?? 'an approver'}; ${approval.execution === 'running' ? 'running' : 'queued to run'}.`;
  return { ...base, status: 'working', statusMessage };
}

function lastUpdate(approval: Approval): Date {
  const times = [approval.createdAt, approval.decidedAt, approval.executedAt].filter((t): t is Date => t instanceof Date);
  return new Date(Math.max(...times.map((t) => t.getTime())));
}

/** The 2025-11-25 `Task` object (`tasks/get`, `tasks/list`, `tasks/cancel`, `CreateTaskResult.task`). */
export function legacyTaskShape(task: HeldCallTask): Record<string, unknown> {
  const { taskId, status, statusMessage, createdAt, lastUpdatedAt } = task;
  // Held calls are kept as audit records, so their tasks never lapse: ttl is unlimited (null).
  return { taskId, status, statusMessage, createdAt, lastUpdatedAt, ttl: null, pollInterval: TASK_POLL_INTERVAL_MS };
}

/** The 2026-07-28 Tasks extension's `DetailedTask`: the outcome is inlined as `result` or `error`. */
export function modernTaskShape(task: HeldCallTask): Record<string, unknown> {
  const { taskId, status, statusMessage, createdAt, lastUpdatedAt, result, error } = task;
  return {
    taskId,
    status,
    statusMessage,
    createdAt,
    lastUpdatedAt,
    ttlMs: null,
    pollIntervalMs: TASK_POLL_INTERVAL_MS,
    ...(result ? { result } : {}),
    ...(error ? { error: { code: error.code, message: error.message, ...(error.data === undefined ? {} : { data: error.data }) } } : {}),
  };
}

/**
 * The task side of held calls: what `tasks/*` requests read and change. A task id is an approval
 * id, and only its requester, through the same tenant and profile, can see or cancel it; to anyone
 * else it does not exist. Everything is read from Postgres, so any gateway answers for any task.
 */
export class HeldCallTasks {
  constructor(
    private readonly store: ApprovalStore,
    private readonly holds: ApprovalHolds,
    /** Tells every gateway that an approval resolved (Redis pub/sub), so their waiters wake. */
    private readonly announce: (approvalId: string) => Promise<void>,
  ) {}

  async get(endpoint: Endpoint, caller: CallerContext, taskId: string): Promise<HeldCallTask> {
    return taskOf(await this.own(endpoint, caller, taskId));
  }

  /** Blocks until the task is terminal, then answers as the original call would have (2025-11-25 `tasks/result`). */
  async result(endpoint: Endpoint, caller: CallerContext, taskId: string, signal: AbortSignal): Promise<CallToolResult> {
    const approval = await this.own(endpoint, caller, taskId);
    const related = { [RELATED_TASK_META_KEY]: { taskId } };
    try {
      const result = await this.holds.waitFor(approval, { signal, notify: async () => undefined });
      return { ...result, _meta: { ...(result._meta ?? {}), ...related } };
    } catch (error) {
      const protocolError = toProtocolError(error);
      throw new ProtocolError(protocolError.code, protocolError.message, { ...(protocolError.data as object | undefined), ...related });
    }
  }

  async list(
    endpoint: Endpoint,
    caller: CallerContext,
    cursor: string | undefined,
  ): Promise<{ tasks: HeldCallTask[]; nextCursor?: string }> {
    let after: { createdAt: Date; id: string } | null = null;
    if (cursor) {
      try {
        const decoded = decodeKeysetCursor(cursor);
        after = { createdAt: new Date(decoded.t), id: decoded.id };
      } catch {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid tasks/list cursor.');
      }
    }
    const rows = await this.store.listRequestedBy(
      endpoint.snapshot.tenantId,
      caller.principal.userId,
      endpoint.snapshot.profileSlug,
      after,
      TASK_PAGE_SIZE + 1,
    );
    const page = rows.slice(0, TASK_PAGE_SIZE);
    const last = page[page.length - 1];
    return { tasks: page.map(taskOf), ...(rows.length > TASK_PAGE_SIZE && last ? { nextCursor: encodeKeysetCursor(last) } : {}) };
  }

  /**
   * Withdraws the held call if it has not started. Returns the task as it stands afterwards: the
   * caller decides what a task that could not be cancelled means in its protocol era.
   */
  async cancel(endpoint: Endpoint, caller: CallerContext, taskId: string): Promise<{ task: HeldCallTask; withdrawn: boolean }> {
    const approval = await this.own(endpoint, caller, taskId);
    const withdrawn = await this.store.withdraw(approval.tenantId, approval.id, caller.principal.userId);
    if (withdrawn) {
      this.holds.wake(withdrawn.id);
      await this.announce(withdrawn.id).catch(() => undefined); // other gateways' waiters also poll
    }
    return { task: taskOf(withdrawn ?? (await this.own(endpoint, caller, taskId))), withdrawn: withdrawn !== null };
  }

  private async own(endpoint: Endpoint, caller: CallerContext, taskId: string): Promise<Approval> {
    const approval = await this.store.find(endpoint.snapshot.tenantId, taskId);
    if (!approval || approval.requestedBy !== caller.principal.userId || approval.profile !== endpoint.snapshot.profileSlug) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Failed to retrieve task: no task "${taskId}" on this endpoint.`);
    }
    return approval;
  }
}

import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { performance } from 'node:perf_hooks';
import { ProtocolError, ProtocolErrorCode, type CallToolResult } from '@modelcontextprotocol/server';
import { GatehouseError } from '@gatehouse/core';
import { approvalReason, requiresApproval, rewriteArguments, type Rate } from '@gatehouse/catalog';
import { capResult, keepPayload, payloadModeFor, withoutExcerpts, type TraceRecord, type TraceStatus } from '@gatehouse/audit';
import type { CallRelay, UpstreamPool } from '@gatehouse/upstream';
import type { Endpoint } from './endpoint-registry';
import type { CallerContext } from './call-context';
import { toProtocolError } from './json-rpc-errors';
import type { Approval, NewApproval } from '@gatehouse/approvals';
import type { ApprovalHolds } from './approval-hold';
import { bucketsFor, type RateLimiter } from './rate-limiter';
import type { Scanner } from '@gatehouse/scanner';
import { inspect, mergeScans, scanBlockedError } from './call-scanning';

export interface ToolCallRequest {
  name: string;
  arguments?: Record<string, unknown>;
  progressToken?: string | number;
  signal: AbortSignal;
  /** Sends a notification related to the downstream request (progress). */
  notify: (notification: { method: 'notifications/progress'; params: Record<string, unknown> }) => Promise<void>;
  /** Reaches the calling client for the upstream's sampling/elicitation requests and log messages. */
  relay?: CallRelay;
  /** `_meta` to send upstream (e.g. the session's log level for 2026-era upstreams). */
  meta?: Record<string, unknown>;
  /**
   * The client asked for (2025-11-25) or accepts (2026-07-28 Tasks extension) a task: a call that
   * must wait for approval then answers at once with its task instead of holding the connection.
   */
  asTask?: 'requested' | 'accepted';
  /**
   * 2026-07-28 multi-round-trip holding: wait at most `roundMs` per request, then answer
   * `input_required` so the client retries (to any gateway); `resume` is the approval a retry's
   * verified `requestState` names.
   */
  rounds?: { roundMs: number; resume?: string };
}

/** A held call answered as a task: the client polls it, from any gateway, for the outcome. */
export class HeldAsTask {
  constructor(readonly approval: Approval) {}
}

/** A held call still undecided at the end of a round: its client is asked to come back. */
export class StillHeld {
  constructor(readonly approval: Approval) {}
}

export interface ToolCallDeps {
  pool: UpstreamPool;
  recordTrace: (trace: TraceRecord) => void;
  /** Holds calls that need a human decision. */
  approvals: ApprovalHolds;
  /** Blanks secret values (credentials an upstream echoes back) from results and errors. */
  redact?: <T>(value: T, tenantId: string) => T;
  /** Enforces the tenant's call limits (Redis token buckets shared by every gateway). */
  limiter?: RateLimiter;
  /** Scans arguments and results under each profile's policy (injection, hidden Unicode, secrets, exfiltration). */
  scanner?: Scanner;
  resultCapBytes?: number;
}

/**
 * One `tools/call`, end to end: resolve the exposed name, rewrite arguments (pins; refusing
 * hidden ones), forward to the upstream with progress and cancellation wired through, and record
 * exactly one trace whatever happens. Errors from the upstream pass through unchanged.
 */
export async function handleToolCall(
  deps: ToolCallDeps,
  endpoint: Endpoint,
  caller: CallerContext,
  request: ToolCallRequest,
): Promise<CallToolResult | HeldAsTask | StillHeld> {
  const started = performance.now();
  const trace = baseTrace(endpoint, caller, request);
  const finish = (status: TraceStatus, fields: Partial<TraceRecord>) => {
    deps.recordTrace(keptPayloads({ ...trace, ...fields, status, latencyMs: Math.round((performance.now() - started) * 1000) / 1000 }));
  };

  const toolset = await endpoint.toolset();
  const tool = toolset.byName.get(request.name);
  if (!tool) {
    const withheld = toolset.withheld.get(request.name);
    const error = withheld
      ? new GatehouseError(
          'tool_not_found',
          `Tool "${request.name}" is currently unavailable: ${redactedDetail(deps, endpoint, withheld.detail)}.`,
          {
            reason: withheld.reason,
          },
        )
      : new GatehouseError('tool_not_found', `Unknown tool "${request.name}" on profile "${endpoint.snapshot.profileSlug}".`);
    finish(withheld?.reason === 'drift' ? 'blocked' : 'error', { error: error.message, errorCode: error.code });
    throw toProtocolError(error);
  }

  const { entry } = tool;
  trace.server = entry.server.name;
  trace.upstreamTool = entry.upstreamName;
  const mode = payloadModeFor(endpoint.snapshot.payloadPolicy, entry.server.name, entry.upstreamName);
  if (mode !== 'full') trace.payloadMode = mode;
  let upstreamArgs: Record<string, unknown>;
  try {
    upstreamArgs = rewriteArguments(request.arguments, entry.overrides);
  } catch (error) {
    const gatehouseError = error as GatehouseError;
    finish('denied', { error: gatehouseError.message, errorCode: gatehouseError.code });
    throw toProtocolError(error);
  }
  trace.arguments = upstreamArgs;
  const scanning = endpoint.snapshot.scanning;
  const argumentsScan = inspect(deps.scanner, scanning, upstreamArgs, 'arguments');
  if (argumentsScan.scan) {
    trace.scan = argumentsScan.scan;
    // The trace keeps what was found, never a secret itself; the upstream gets the call as sent.
    trace.arguments = deps.scanner?.mask(upstreamArgs, scanning.options) ?? upstreamArgs;
    if (argumentsScan.blocked) {
      const error = scanBlockedError('arguments', request.name, argumentsScan.scan);
      finish('blocked', { error: error.message, errorCode: error.code });
      throw toProtocolError(error);
    }
  }
  if (request.rounds?.resume) {
    return resumeHeldCall(
      deps,
      endpoint,
      caller,
      request,
      { roundMs: request.rounds.roundMs, approvalId: request.rounds.resume },
      upstreamArgs,
    );
  }

  if (deps.limiter) {
    const buckets = bucketsFor(endpoint.snapshot.limits, {
      tenantId: endpoint.snapshot.tenantId,
      userId: caller.principal.userId,
      server: entry.server.name,
      tool: entry.upstreamName,
    });
    const verdict = await deps.limiter.take(buckets);
    if (!verdict.ok) {
      const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
      const error = new GatehouseError(
        'rate_limited',
        `Rate limit reached for ${verdict.limit.label} (${describeRate(verdict.limit.rate)}); retry in ${seconds} s.`,
        {
          retryAfterSeconds: seconds,
        },
      );
      finish('denied', { error: error.message, errorCode: 'rate_limited' });
      throw toProtocolError(error);
    }
  }

  const held = requiresApproval(entry.approval, tool.upstream.annotations);
  if (!held && request.asTask === 'requested') {
    // 2025-11-25: only tools that advertise execution.taskSupport may be called as tasks.
    const error = new ProtocolError(
      ProtocolErrorCode.MethodNotFound,
      `Tool "${request.name}" does not run as a task (its execution.taskSupport is absent): only calls that wait for approval do. Call it without "task".`,
      { code: 'task_not_supported' },
    );
    finish('error', { error: error.message, errorCode: 'task_not_supported' });
    throw error;
  }
  if (held) {
    const approval: NewApproval = {
      tenantId: endpoint.snapshot.tenantId,
      tenantSlug: endpoint.snapshot.tenantSlug,
      requestedBy: caller.principal.userId,
      requesterEmail: caller.principal.email,
      clientName: caller.clientName,
      clientVersion: caller.clientVersion,
      sessionId: caller.sessionId,
      profile: endpoint.snapshot.profileSlug,
      profileToolId: entry.profileToolId,
      exposedTool: request.name,
      server: entry.server.name,
      upstreamTool: entry.upstreamName,
      arguments: upstreamArgs,
      policyReason: approvalReason(entry.approval, tool.upstream.annotations),
    };
    // The hold writes this call's trace itself and updates it as the approval resolves.
    try {
      const heldTrace = keptPayloads(trace);
      if (request.asTask) return new HeldAsTask(await deps.approvals.open(approval, heldTrace));
      if (request.rounds) {
        const opened = await deps.approvals.open(approval, heldTrace);
        return (await deps.approvals.waitRound(opened, request, request.rounds.roundMs)) ?? new StillHeld(opened);
      }
      return await deps.approvals.hold(approval, heldTrace, request);
    } catch (error) {
      throw toProtocolError(error);
    }
  }

  const onprogress =
    request.progressToken === undefined
      ? undefined
      : (progress: { progress: number; total?: number; message?: string }) => {
          void request.notify({ method: 'notifications/progress', params: { ...progress, progressToken: request.progressToken } });
        };

  const upstreamStarted = performance.now();
  const upstreamTiming = () => ({
    upstreamStartMs: Math.round((upstreamStarted - started) * 1000) / 1000,
    upstreamMs: Math.round((performance.now() - upstreamStarted) * 1000) / 1000,
  });
  try {
    const raw = await deps.pool
      .get(entry.server, caller.principal.userId) // a per-user OAuth server acts as the caller
      .callTool(entry.upstreamName, upstreamArgs, { signal: request.signal, onprogress, relay: request.relay, meta: request.meta });
    const result = deps.redact ? deps.redact(raw, endpoint.snapshot.tenantId) : raw;
    const resultScan = inspect(deps.scanner, scanning, result, 'result');
    trace.scan = mergeScans(trace.scan, resultScan.scan);
    const kept = resultScan.scan ? (deps.scanner?.mask(result, scanning.options) ?? result) : result;
    const capped = capResult(kept as Record<string, unknown>, deps.resultCapBytes);
    const resultFields = {
      ...upstreamTiming(),
      // A hashed result is the hash of the whole result, not of what the cap would have kept.
      result: trace.payloadMode ? (kept as Record<string, unknown>) : capped.result,
      resultTruncated: trace.payloadMode ? false : capped.truncated,
      resultBytes: capped.bytes,
    };
    if (resultScan.blocked && resultScan.scan) {
      const error = scanBlockedError('result', request.name, resultScan.scan);
      finish('blocked', { ...resultFields, error: error.message, errorCode: error.code });
      throw toProtocolError(error);
    }
    finish(result.isError ? 'error' : 'ok', {
      ...resultFields,
      error: result.isError ? firstText(result) : null,
      errorCode: result.isError ? 'tool_error' : null,
    });
    return result;
  } catch (error) {
    const failure = upstreamFailure(error, request.signal);
    const protocolError = deps.redact
      ? new ProtocolError(
          failure.code,
          deps.redact(failure.message, endpoint.snapshot.tenantId),
          deps.redact(failure.data, endpoint.snapshot.tenantId),
        )
      : failure;
    finish('error', {
      ...upstreamTiming(),
      error: protocolError.message,
      errorCode: String((protocolError.data as { code?: string })?.code ?? protocolError.code),
    });
    throw protocolError;
  }
}

/**
 * A multi-round-trip retry of a held call: re-attaches to its approval instead of holding the call
 * again. The sealed requestState already names the caller; the approval must also be this caller's
 * call of this tool with these arguments, so a state can never be replayed onto another call.
 */
async function resumeHeldCall(
  deps: ToolCallDeps,
  endpoint: Endpoint,
  caller: CallerContext,
  request: ToolCallRequest,
  rounds: { roundMs: number; approvalId: string },
  upstreamArgs: Record<string, unknown>,
): Promise<CallToolResult | StillHeld> {
  const approval = await deps.approvals.find(endpoint.snapshot.tenantId, rounds.approvalId);
  const same =
    approval !== null &&
    approval.requestedBy === caller.principal.userId &&
    approval.profile === endpoint.snapshot.profileSlug &&
    approval.exposedTool === request.name &&
    isDeepStrictEqual(approval.arguments, upstreamArgs);
  if (!approval || !same) {
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      'This requestState belongs to a different held call; send the call again without it.',
      {
        code: 'validation_failed',
      },
    );
  }
  try {
    return (await deps.approvals.waitRound(approval, request, rounds.roundMs)) ?? new StillHeld(approval);
  } catch (error) {
    throw toProtocolError(error);
  }
}

/** Why a tool is withheld may quote an upstream's connection error: blank any secret it echoed. */
function redactedDetail(deps: ToolCallDeps, endpoint: Endpoint, detail: string): string {
  return deps.redact ? deps.redact(detail, endpoint.snapshot.tenantId) : detail;
}

/**
 * The trace as the tenant's payload policy keeps it (the mode was set on it when the tool was
 * known). Scanner excerpts quote the payload, so they go with it.
 */
function keptPayloads(trace: TraceRecord): TraceRecord {
  if (!trace.payloadMode) return trace;
  return {
    ...trace,
    arguments: keepPayload(trace.arguments, trace.payloadMode) as Record<string, unknown> | null,
    result: keepPayload(trace.result, trace.payloadMode) as Record<string, unknown> | null,
    scan: trace.scan ? withoutExcerpts(trace.scan) : trace.scan,
  };
}

function describeRate(rate: Rate): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  const unit = units.find(([ms]) => rate.periodMs % ms === 0) ?? [1000, 'second'];
  const per = rate.periodMs / unit[0];
  return `${rate.count} call${rate.count === 1 ? '' : 's'} per ${per === 1 ? unit[1] : `${per} ${unit[1]}s`}`;
}

function upstreamFailure(error: unknown, signal: AbortSignal): ProtocolError {
  if (signal.aborted) {
    return new ProtocolError(ProtocolErrorCode.InternalError, 'The call was cancelled by the client.', { code: 'cancelled' });
  }
  return toProtocolError(error);
}

function firstText(result: CallToolResult): string | null {
  const text = result.content?.find((c) => c.type === 'text');
  return text && 'text' in text ? text.text.slice(0, 2000) : null;
}

function baseTrace(endpoint: Endpoint, caller: CallerContext, request: ToolCallRequest): TraceRecord {
  return {
    id: randomUUID(),
    tenantId: endpoint.snapshot.tenantId,
    createdAt: new Date().toISOString(),
    userId: caller.principal.userId,
    userEmail: caller.principal.email,
    clientName: caller.clientName,
    clientVersion: caller.clientVersion,
    sessionId: caller.sessionId,
    protocolVersion: caller.protocolVersion,
    profile: endpoint.snapshot.profileSlug,
    server: null,
    upstreamTool: null,
    exposedTool: request.name,
    arguments: request.arguments ?? null,
    result: null,
    resultTruncated: false,
    resultBytes: null,
    error: null,
    errorCode: null,
    status: 'ok',
    latencyMs: 0,
    approvalId: null,
  };
}

import { createHash } from 'node:crypto';
import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type HrTime, type SpanContext } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { payloadHash, type AdminAuditEntry, type Trace } from '@gatehouse/audit';
import type { Approval } from '@gatehouse/approvals';
import type { ExportPayloads } from './export-settings.entity';

const SCOPE = { name: 'gatehouse', version: '0.1.0' };
const RESOURCE: Resource = resourceFromAttributes({ 'service.name': 'gatehouse', 'service.namespace': 'gatehouse' });

const hr = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

/** Stable ids: the trace id IS the Gatehouse trace id (a UUID is 128 bits), span ids derive from it, so a re-sent record has the same ids. */
const traceIdOf = (id: string) => id.replace(/-/g, '');
const spanIdOf = (id: string, part: string) => createHash('sha256').update(`${id}\0${part}`).digest('hex').slice(0, 16);

export interface SpanContextInput {
  tenantSlug: string;
  /** The record's outbox id: increasing in export order, so a consumer can check order and gaps. */
  sequence: number;
  payloads: ExportPayloads;
  approval: Approval | null;
}

/**
 * One tool call as spans: the gateway's handling (SERVER), with the approval wait and the upstream
 * call as children where their timings are known. Attributes follow the OpenTelemetry semantic
 * conventions for MCP and GenAI (`mcp.method.name`, `gen_ai.tool.name`, …) plus Gatehouse's own.
 */
export function toolCallSpans(trace: Trace, input: SpanContextInput): ReadableSpan[] {
  const start = trace.createdAt.getTime();
  const end = start + trace.latencyMs;
  const traceId = traceIdOf(trace.id);
  const root: SpanContext = { traceId, spanId: spanIdOf(trace.id, 'call'), traceFlags: TraceFlags.SAMPLED };
  const failed = trace.status !== 'ok';
  const common: Attributes = {
    'gatehouse.tenant': input.tenantSlug,
    'gatehouse.profile': trace.profile,
    'gatehouse.trace.id': trace.id,
  };
  const attributes: Attributes = {
    ...common,
    'mcp.method.name': 'tools/call',
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': trace.exposedTool,
    ...(trace.sessionId ? { 'mcp.session.id': trace.sessionId } : {}),
    ...(trace.protocolVersion ? { 'mcp.protocol.version': trace.protocolVersion } : {}),
    ...(trace.userEmail ? { 'gatehouse.user': trace.userEmail } : {}),
    ...(trace.clientName ? { 'gatehouse.client.name': trace.clientName, 'gatehouse.client.version': trace.clientVersion ?? '' } : {}),
    ...(trace.server ? { 'gatehouse.server': trace.server, 'gatehouse.upstream.tool': trace.upstreamTool ?? '' } : {}),
    'gatehouse.status': trace.status,
    'gatehouse.export.sequence': input.sequence,
    ...(trace.errorCode ? { 'error.type': trace.errorCode } : {}),
    ...(input.approval ? { 'gatehouse.approval.id': input.approval.id, 'gatehouse.approval.decision': input.approval.status } : {}),
    ...payloadAttributes(trace, input.payloads),
    ...scanAttributes(trace),
  };
  const spans = [
    span(
      `tools/call ${trace.exposedTool}`,
      SpanKind.SERVER,
      root,
      undefined,
      start,
      end,
      attributes,
      failed ? { code: SpanStatusCode.ERROR, message: trace.error ?? trace.status } : { code: SpanStatusCode.OK },
    ),
  ];
  const approval = input.approval;
  if (approval?.decidedAt) {
    const decided = Math.min(approval.decidedAt.getTime(), end);
    spans.push(
      span('approval wait', SpanKind.INTERNAL, { ...root, spanId: spanIdOf(trace.id, 'approval') }, root, start, decided, {
        ...common,
        'gatehouse.approval.decision': approval.status,
        ...(approval.deciderEmail ? { 'gatehouse.approval.decided_by': approval.deciderEmail } : {}),
      }),
    );
  }
  const upstream = upstreamWindow(trace, approval, start, end);
  if (upstream && trace.server) {
    spans.push(
      span(
        `tools/call ${trace.upstreamTool}`,
        SpanKind.CLIENT,
        { ...root, spanId: spanIdOf(trace.id, 'upstream') },
        root,
        upstream[0],
        upstream[1],
        {
          ...common,
          'mcp.method.name': 'tools/call',
          'gen_ai.tool.name': trace.upstreamTool ?? '',
          'gatehouse.server': trace.server,
        },
      ),
    );
  }
  return spans;
}

/** What the scanner found (rule ids and categories, never the matched text) and what it did. */
function scanAttributes(trace: Trace): Attributes {
  if (!trace.scan) return {};
  return {
    'gatehouse.scan.action': trace.scan.action,
    'gatehouse.scan.ruleset': trace.scan.ruleset,
    'gatehouse.scan.rules': [...new Set(trace.scan.findings.map((f) => f.rule))],
    'gatehouse.scan.categories': [...new Set(trace.scan.findings.map((f) => f.category))],
  };
}

/** When the upstream ran the call: measured by the gateway for direct calls, from the execution record for approved ones. */
function upstreamWindow(trace: Trace, approval: Approval | null, start: number, end: number): [number, number] | null {
  if (approval?.executedAt) return [approval.executedAt.getTime(), end];
  if (trace.upstreamStartMs !== null && trace.upstreamMs !== null)
    return [start + trace.upstreamStartMs, start + trace.upstreamStartMs + trace.upstreamMs];
  return null;
}

function payloadAttributes(trace: Trace, payloads: ExportPayloads): Attributes {
  if (payloads === 'none') return {};
  const out: Attributes = {};
  for (const [name, value] of [
    ['arguments', trace.arguments],
    ['result', trace.result],
  ] as const) {
    if (value === null) continue;
    // Stored hashed (the tenant's trace policy): only the hash exists, whatever export asks for.
    const stored = value as { sha256?: string };
    const alreadyHashed = trace.payloadMode === 'hashed' && typeof stored.sha256 === 'string';
    if (payloads === 'hashed' || alreadyHashed)
      out[`gatehouse.tool.${name}.sha256`] = alreadyHashed ? (stored.sha256 as string) : payloadHash(value);
    else out[`gatehouse.tool.${name}`] = JSON.stringify(value);
  }
  return out;
}

function span(
  name: string,
  kind: SpanKind,
  context: SpanContext,
  parent: SpanContext | undefined,
  startMs: number,
  endMs: number,
  attributes: Attributes,
  status: ReadableSpan['status'] = { code: SpanStatusCode.UNSET },
): ReadableSpan {
  return {
    name,
    kind,
    spanContext: () => context,
    parentSpanContext: parent,
    startTime: hr(startMs),
    endTime: hr(endMs),
    duration: hr(Math.max(0, endMs - startMs)),
    status,
    attributes,
    links: [],
    events: [],
    ended: true,
    resource: RESOURCE,
    instrumentationScope: SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** One admin audit entry (an apply change, an approval decision, a secret change…) as a log record. */
export function auditLogRecord(entry: AdminAuditEntry, tenantSlug: string, sequence: number): ReadableLogRecord {
  const decision = entry.action === 'approval.approve' ? 'approved' : entry.action === 'approval.deny' ? 'denied' : undefined;
  return {
    hrTime: hr(entry.createdAt.getTime()),
    hrTimeObserved: hr(entry.createdAt.getTime()),
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    eventName: `gatehouse.${entry.action}`,
    body: `${entry.actor}: ${entry.action} ${entry.targetType}${entry.targetId ? ` ${entry.targetId}` : ''}`,
    resource: RESOURCE,
    instrumentationScope: SCOPE,
    attributes: {
      'gatehouse.event.id': entry.id,
      'gatehouse.export.sequence': sequence,
      'gatehouse.tenant': tenantSlug,
      'gatehouse.actor': entry.actor,
      'gatehouse.action': entry.action,
      'gatehouse.target.type': entry.targetType,
      ...(entry.targetId ? { 'gatehouse.target.id': entry.targetId } : {}),
      ...(decision ? { 'gatehouse.approval.decision': decision } : {}),
      ...(entry.before !== null && entry.before !== undefined ? { 'gatehouse.change.before': JSON.stringify(entry.before) } : {}),
      ...(entry.after !== null && entry.after !== undefined ? { 'gatehouse.change.after': JSON.stringify(entry.after) } : {}),
    },
    droppedAttributesCount: 0,
  };
}

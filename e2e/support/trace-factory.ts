import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Trace, type TraceRecord } from '@gatehouse/audit';

/**
 * Traces written straight to the traces table, for tests that need many calls or
 * calls at chosen times (aggregates per hour, exports of thousands of rows), which a real client
 * cannot make in a test's time. Tests of what a real call records go through the gateway instead.
 */
export function traceRecord(tenantId: string, fields: Partial<TraceRecord> = {}): TraceRecord {
  return {
    id: randomUUID(),
    tenantId,
    createdAt: new Date().toISOString(),
    userId: null,
    userEmail: null,
    clientName: 'factory',
    clientVersion: '1.0.0',
    sessionId: null,
    protocolVersion: null,
    profile: 'coding',
    server: 'codehost',
    upstreamTool: 'list_repositories',
    exposedTool: 'list_repositories',
    arguments: {},
    result: { content: [] },
    resultTruncated: false,
    resultBytes: null,
    error: null,
    errorCode: null,
    status: 'ok',
    latencyMs: 10,
    approvalId: null,
    ...fields,
  };
}

export async function insertTraceRecords(db: DataSource, records: TraceRecord[]): Promise<void> {
  const rows = records.map((r) => ({ ...r, createdAt: new Date(r.createdAt) }));
  for (let i = 0; i < rows.length; i += 500) await db.getRepository(Trace).insert(rows.slice(i, i + 500));
}

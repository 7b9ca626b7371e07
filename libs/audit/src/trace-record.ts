import type { TraceScan, TraceStatus } from './trace.entity';
import type { StoredPayloadMode } from './trace-payloads';

/** What the gateway hands to the trace pipeline for one call. Plain data: it goes to disk too. */
export interface TraceRecord {
  id: string;
  tenantId: string;
  createdAt: string;
  userId: string | null;
  userEmail: string | null;
  clientName: string | null;
  clientVersion: string | null;
  sessionId: string | null;
  protocolVersion: string | null;
  profile: string;
  server: string | null;
  upstreamTool: string | null;
  exposedTool: string;
  arguments: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  resultTruncated: boolean;
  resultBytes: number | null;
  error: string | null;
  errorCode: string | null;
  status: TraceStatus;
  latencyMs: number;
  approvalId: string | null;
  /** The upstream call's start (ms after the trace's start) and duration, when the gateway made it directly. */
  upstreamStartMs?: number | null;
  upstreamMs?: number | null;
  /** How arguments and result were kept; absent or null: in full. */
  payloadMode?: StoredPayloadMode | null;
  /** Scanner findings; absent or null: none. */
  scan?: TraceScan | null;
}

export const DEFAULT_RESULT_CAP_BYTES = 64 * 1024;

/**
 * Caps a result for storage. A result over the cap is stored as its first bytes (as text) with
 * the truncated flag set, so a 50 MB tool answer never bloats the trace table.
 */
export function capResult(
  result: Record<string, unknown> | null,
  capBytes = DEFAULT_RESULT_CAP_BYTES,
): { result: Record<string, unknown> | null; truncated: boolean; bytes: number } {
  const json = JSON.stringify(result);
  const bytes = Buffer.byteLength(json);
  if (bytes <= capBytes) return { result, truncated: false, bytes };
  return { result: { truncated: Buffer.from(json).subarray(0, capBytes).toString('utf8') }, truncated: true, bytes };
}

/** The console's one way to the API: same-origin /api/*, JSON in and out, errors as `ApiError`. */

export type Role = 'admin' | 'approver' | 'member';

export interface Me {
  user: { id: string; email: string };
  tenant: { id: string; slug: string };
  role: Role;
  profiles: string[];
  csrfToken?: string;
  sessionExpiresAt?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Approval {
  id: string;
  traceId: string | null;
  status: 'pending' | 'approved' | 'denied' | 'expired' | 'withdrawn';
  requesterEmail: string;
  clientName: string | null;
  clientVersion: string | null;
  profile: string;
  exposedTool: string;
  server: string;
  upstreamTool: string;
  arguments: Record<string, unknown> | null;
  policyReason: string;
  deciderEmail: string | null;
  reason: string | null;
  createdAt: string;
  decidedAt: string | null;
  expiresAt: string;
  execution: 'queued' | 'running' | 'succeeded' | 'failed' | 'interrupted' | null;
  executedAt: string | null;
  result: Record<string, unknown> | null;
  executionError: string | null;
  payloadPurged: boolean;
  /** Scanner findings in the arguments (profiles that flag); null: none. */
  scan: Trace['scan'];
}

export const TRACE_STATUSES = ['ok', 'error', 'denied', 'pending_approval', 'blocked'] as const;

export interface Trace {
  id: string;
  createdAt: string;
  userEmail: string | null;
  clientName: string | null;
  clientVersion: string | null;
  sessionId: string | null;
  profile: string;
  server: string | null;
  upstreamTool: string | null;
  exposedTool: string;
  arguments: unknown;
  result: unknown;
  resultTruncated: boolean;
  error: string | null;
  errorCode: string | null;
  status: (typeof TRACE_STATUSES)[number];
  latencyMs: number;
  approvalId: string | null;
  payloadMode: string | null;
  scan: { action: string; findings: Array<{ rule: string; category: string; in: string; path: string }> } | null;
}

export interface AuditEntry {
  id: string;
  createdAt: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const ROLE_RANK: Record<Role, number> = { member: 0, approver: 1, admin: 2 };

export async function api<T>(path: string, init: RequestInit & { csrfToken?: string } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('accept', 'application/json');
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  if (init.csrfToken) headers.set('x-csrf-token', init.csrfToken);
  const response = await fetch(path, { ...init, headers, credentials: 'same-origin', cache: 'no-store' });
  const text = await response.text();
  const body: unknown = text ? safeJson(text) : null;
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string }; message?: string } | null) ?? null;
    throw new ApiError(
      response.status,
      error?.error?.code ?? 'http_' + response.status,
      error?.error?.message ?? error?.message ?? `The API answered ${response.status}.`,
    );
  }
  return body as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 300) };
  }
}

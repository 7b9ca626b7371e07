/**
 * Domain errors carry a stable machine `code` and a human message. They are mapped to an HTTP
 * response by the API/gateway edges and to a JSON-RPC error on the MCP path — in one place each.
 */
export const ERROR_HTTP_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  sso_rejected: 401,
  csrf_failed: 403,
  token_expired: 401,
  forbidden: 403,
  self_approval: 403,
  approval_denied: 403,
  approval_expired: 408,
  approval_withdrawn: 409,
  tenant_not_found: 404,
  profile_not_found: 404,
  tool_not_found: 404,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  scanner_blocked: 403,
  upstream_unavailable: 502,
  upstream_error: 502,
  upstream_timeout: 504,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

export class GatehouseError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'GatehouseError';
  }

  get httpStatus(): number {
    return ERROR_HTTP_STATUS[this.code];
  }

  toJSON(): { error: { code: ErrorCode; message: string; details?: Record<string, unknown> } } {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export function isGatehouseError(e: unknown): e is GatehouseError {
  return e instanceof GatehouseError;
}

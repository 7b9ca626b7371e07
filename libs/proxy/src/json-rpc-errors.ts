import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import { isGatehouseError, type ErrorCode } from '@gatehouse/core';

const JSON_RPC_CODE: Partial<Record<ErrorCode, number>> = {
  validation_failed: ProtocolErrorCode.InvalidParams,
  bad_request: ProtocolErrorCode.InvalidRequest,
  tool_not_found: ProtocolErrorCode.InvalidParams,
  not_found: ProtocolErrorCode.InvalidParams,
  forbidden: ProtocolErrorCode.InvalidRequest,
  approval_denied: ProtocolErrorCode.InvalidRequest,
  approval_expired: ProtocolErrorCode.InvalidRequest,
  // Implementation-defined server error (JSON-RPC -32000…-32099); `data.retryAfterSeconds` says when.
  rate_limited: -32029 as ProtocolErrorCode,
  // A policy refusal, not bad params: the same arguments will be refused again. `data.findings` says why.
  scanner_blocked: -32030 as ProtocolErrorCode,
};

/**
 * The one mapper from errors to JSON-RPC errors on the MCP path. Upstream protocol errors pass
 * through with their own code and message; Gatehouse errors keep their stable code in `data`.
 */
export function toProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  if (isGatehouseError(error)) {
    return new ProtocolError(JSON_RPC_CODE[error.code] ?? ProtocolErrorCode.InternalError, error.message, {
      code: error.code,
      ...(error.details ?? {}),
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ProtocolError(ProtocolErrorCode.InternalError, `Gateway error: ${message}`, { code: 'internal' });
}

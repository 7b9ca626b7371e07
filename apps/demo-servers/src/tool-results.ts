import type { CallToolResult } from '@modelcontextprotocol/server';

/**
 * The two result shapes every demo tool returns. Tool-level failures are
 * results with `isError: true` (the model can read and react to them), not
 * JSON-RPC errors, as the MCP spec asks for errors the caller could fix.
 */

/** Rows or objects as pretty JSON text plus the same value as `structuredContent`. */
export function structuredResult(value: object): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
    structuredContent: value,
  };
}

export function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

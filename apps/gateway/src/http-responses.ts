import type { ServerResponse } from 'node:http';
import { GatehouseError, isGatehouseError } from '@gatehouse/core';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** The one mapping from domain errors to HTTP responses at the gateway edge. */
export function sendError(res: ServerResponse, error: unknown, headers: Record<string, string> = {}): void {
  const e = isGatehouseError(error) ? error : new GatehouseError('internal', 'Internal gateway error.');
  sendJson(res, e.httpStatus, e.toJSON(), headers);
}

/** A JSON-RPC error outside any session (parse errors, oversized bodies), as the spec shapes it. */
export function sendJsonRpcError(res: ServerResponse, httpStatus: number, code: number, message: string): void {
  sendJson(res, httpStatus, { jsonrpc: '2.0', id: null, error: { code, message } });
}

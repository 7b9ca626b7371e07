import { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/client';

export const MODERN_VERSION = '2026-07-28';
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

export interface RpcReply {
  status: number;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: Record<string, unknown> };
}

/**
 * One stateless 2026-07-28 JSON-RPC exchange over Streamable HTTP, written out by hand: the SDK's
 * `Client` does not implement the Tasks extension (it rejects `resultType: "task"`), so tests of
 * that extension speak the wire format the extension's spec gives, headers included.
 */
export async function modernRpc(
  endpointUrl: string,
  token: string,
  method: string,
  params: Record<string, unknown>,
  options: { tasks?: boolean } = {},
): Promise<RpcReply> {
  const capabilities = options.tasks === false ? {} : { extensions: { [TASKS_EXTENSION]: {} } };
  const body = {
    jsonrpc: '2.0',
    id: 1,
    method,
    params: {
      ...params,
      _meta: {
        [PROTOCOL_VERSION_META_KEY]: MODERN_VERSION,
        [CLIENT_INFO_META_KEY]: { name: 'e2e-raw-tasks', version: '1.0.0' },
        [CLIENT_CAPABILITIES_META_KEY]: capabilities,
      },
    },
  };
  const name = (params.taskId ?? params.name) as string | undefined;
  const response = await fetch(endpointUrl, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN_VERSION,
      'mcp-method': method,
      ...(name ? { 'mcp-name': name } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const message = response.headers.get('content-type')?.includes('text/event-stream')
    ? lastResponseInStream(text)
    : text
      ? JSON.parse(text)
      : {};
  return {
    status: response.status,
    ...(message.result ? { result: message.result } : {}),
    ...(message.error ? { error: message.error } : {}),
  };
}

function lastResponseInStream(text: string): { result?: Record<string, unknown>; error?: RpcReply['error'] } {
  const messages = text
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => JSON.parse(line.slice(5)) as { id?: unknown; result?: Record<string, unknown>; error?: RpcReply['error'] });
  return messages.reverse().find((m) => m.id !== undefined) ?? {};
}

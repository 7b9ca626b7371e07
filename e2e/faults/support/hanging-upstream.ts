import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { z } from 'zod';
import { McpServer, createMcpHandler, isInitializeRequest } from '@modelcontextprotocol/server';
import { NodeStreamableHTTPServerTransport, toNodeHandler } from '@modelcontextprotocol/node';

/**
 * How the upstream serves: `modern` answers both eras statelessly (`createMcpHandler`; the gateway
 * negotiates 2026-07-28, where a call is cancelled by closing its request), `sessions` is a
 * 2025-era server with sessions (a call is cancelled with `notifications/cancelled`, which reaches
 * the same server instance and aborts the tool).
 */
export type HangingUpstreamKind = 'modern' | 'sessions';

export interface HangingUpstream {
  url: string;
  /** `hang` calls that started, and those whose handler saw its abort signal (the cancellation arrived). */
  hangs(): { started: number; aborted: number };
  /** `notifications/cancelled` messages received, with the request id and reason the gateway sent. */
  cancelledNotifications(): Array<{ requestId: unknown; reason?: string }>;
  /** TCP connections from the gateway currently open. */
  openConnections(): number;
  close(): Promise<void>;
}

/** A real SDK upstream over Streamable HTTP with a tool that never answers (`hang`) and one that does (`quick`). */
export async function startHangingUpstream(kind: HangingUpstreamKind): Promise<HangingUpstream> {
  const state = { started: 0, aborted: 0, cancelled: [] as Array<{ requestId: unknown; reason?: string }> };
  const factory = () => {
    const server = new McpServer({ name: `hanging-${kind}`, version: '1.0.0' });
    server.registerTool(
      'hang',
      { description: 'Never answers.', inputSchema: z.object({}), annotations: { readOnlyHint: true } },
      (_args, ctx) =>
        new Promise(() => {
          state.started += 1;
          ctx.mcpReq.signal.addEventListener('abort', () => (state.aborted += 1), { once: true });
        }),
    );
    server.registerTool(
      'quick',
      { description: 'Answers at once.', inputSchema: z.object({}), annotations: { readOnlyHint: true } },
      async () => ({ content: [{ type: 'text', text: 'quick answer' }] }),
    );
    return server;
  };

  const record = (body: unknown) => {
    for (const message of Array.isArray(body) ? body : [body]) {
      const m = message as { method?: string; params?: { requestId?: unknown; reason?: string } };
      if (m?.method === 'notifications/cancelled') state.cancelled.push({ requestId: m.params?.requestId, reason: m.params?.reason });
    }
  };

  let serve: (req: IncomingMessage, res: ServerResponse, body: unknown) => Promise<void>;
  let closeHandler: () => Promise<void>;
  if (kind === 'modern') {
    const handler = createMcpHandler(factory);
    const node = toNodeHandler(handler);
    serve = (req, res, body) => node(req, res, body);
    closeHandler = () => handler.close();
  } else {
    const sessions = new Map<string, NodeStreamableHTTPServerTransport>();
    serve = async (req, res, body) => {
      const id = req.headers['mcp-session-id'];
      const existing = typeof id === 'string' ? sessions.get(id) : undefined;
      if (existing) return existing.handleRequest(req, res, body);
      if (req.method !== 'POST' || !isInitializeRequest(body)) {
        // What a 2025-era server says to anything but initialize without a session (server/discover included).
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Bad Request: No valid session ID provided' } }),
        );
        return;
      }
      const transport = new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => void sessions.set(sid, transport),
      });
      await factory().connect(transport);
      await transport.handleRequest(req, res, body);
    };
    closeHandler = async () => {
      await Promise.all([...sessions.values()].map((t) => t.close().catch(() => undefined)));
    };
  }

  const sockets = new Set<Socket>();
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      record(body);
      void serve(req, res, body);
    });
  });
  http.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    hangs: () => ({ started: state.started, aborted: state.aborted }),
    cancelledNotifications: () => [...state.cancelled],
    openConnections: () => sockets.size,
    async close() {
      await closeHandler();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}

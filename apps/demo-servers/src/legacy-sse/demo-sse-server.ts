/**
 * Serves the `kb` demo over the deprecated HTTP+SSE transport (protocol
 * 2024-11-05): `GET /sse` opens the event stream and announces a
 * `/messages?sessionId=...` endpoint the client POSTs to.
 *
 * Built on the v1 SDK's `SSEServerTransport` because the v2 server has none.
 * Each SSE connection gets its own v1 `McpServer` (a v1 server binds one
 * transport); the execution counter is shared across them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { listen, sendJson, shutdown } from '../http/node-http-listener';
import { createLegacyKbServer } from './kb-legacy-server';
import { KB_TOOLS } from '../kb/kb-server';
import { ToolExecutionCounter, type ToolExecutionCounts } from '../tool-execution-counter';

/** The demos available in the legacy-SSE flavour. */
export type LegacySseDemoName = 'kb';

export interface DemoSseServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export interface DemoSseServer {
  /** The `GET /sse` endpoint a legacy SSE client connects to. */
  readonly url: string;
  close(): Promise<void>;
  stats(): ToolExecutionCounts;
}

const MESSAGES_PATH = '/messages';

export async function startDemoSseServer(
  name: LegacySseDemoName,
  options: DemoSseServerOptions = {},
): Promise<DemoSseServer> {
  const host = options.host ?? '127.0.0.1';
  const counter = new ToolExecutionCounter(KB_TOOLS);
  const sessions = new Map<string, SSEServerTransport>();
  const report = (error: unknown): void => {
    process.stderr.write(`[demo-servers:${name}:sse] ${error instanceof Error ? error.message : String(error)}\n`);
  };

  const openStream = async (res: ServerResponse): Promise<void> => {
    const transport = new SSEServerTransport(MESSAGES_PATH, res);
    const server = createLegacyKbServer(counter);
    sessions.set(transport.sessionId, transport);
    res.on('close', () => {
      sessions.delete(transport.sessionId);
      server.close().catch(report);
    });
    await server.connect(transport);
  };

  const postMessage = async (req: IncomingMessage, res: ServerResponse, sessionId: string | null): Promise<void> => {
    const transport = sessionId === null ? undefined : sessions.get(sessionId);
    if (transport === undefined) {
      sendJson(res, 404, { error: 'unknown_session', message: 'No open SSE stream for this sessionId.' });
      return;
    }
    await transport.handlePostMessage(req, res);
  };

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/sse') {
      openStream(res).catch(report);
    } else if (req.method === 'POST' && url.pathname === MESSAGES_PATH) {
      postMessage(req, res, url.searchParams.get('sessionId')).catch(report);
    } else if (req.method === 'GET' && url.pathname === '/stats') {
      sendJson(res, 200, counter.snapshot());
    } else if (req.method === 'GET' && url.pathname === '/healthz') {
      sendJson(res, 200, { status: 'ok', server: name, transport: 'sse' });
    } else {
      sendJson(res, 404, { error: 'not_found', message: `No route for ${req.method ?? 'GET'} ${url.pathname}` });
    }
  });

  const baseUrl = await listen(http, options.port ?? 0, host);

  return {
    url: `${baseUrl}/sse`,
    stats: () => counter.snapshot(),
    close: async () => {
      await Promise.all([...sessions.values()].map((transport) => transport.close()));
      await shutdown(http);
    },
  };
}

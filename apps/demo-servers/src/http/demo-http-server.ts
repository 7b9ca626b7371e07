/**
 * Serves one demo over Streamable HTTP on plain `node:http`.
 *
 * `createMcpHandler` answers both protocol eras from the same factory: the
 * 2026-07-28 per-request envelope on the modern path and, by default
 * (`legacy: 'stateless'`), 2025-era traffic with a fresh instance per request.
 * Besides `/mcp` it serves `GET /stats` (per-tool execution counts, for tests
 * asserting what reached the upstream) and `GET /healthz`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { listen, sendJson, shutdown } from './node-http-listener';
import { DEMO_SERVERS, type DemoServerName } from '../demo-servers';
import type { ToolExecutionCounts } from '../tool-execution-counter';

export interface DemoHttpServerOptions {
  /** 0 (the default) picks a free port; `url` reports the real one. */
  port?: number;
  host?: string;
}

export interface DemoHttpServer {
  /** `http://127.0.0.1:PORT/mcp` (or the given host). */
  readonly url: string;
  close(): Promise<void>;
  stats(): ToolExecutionCounts;
}

export async function startDemoHttpServer(
  name: DemoServerName,
  options: DemoHttpServerOptions = {},
): Promise<DemoHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const demo = DEMO_SERVERS[name]();
  const report = (error: Error): void => {
    process.stderr.write(`[demo-servers:${name}] ${error.message}\n`);
  };
  const mcpHandler = createMcpHandler(demo.factory, { onerror: report });
  const serveMcp = toNodeHandler(mcpHandler, { onerror: report });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/mcp') {
      void serveMcp(req, res);
    } else if (req.method === 'GET' && path === '/stats') {
      sendJson(res, 200, demo.stats());
    } else if (req.method === 'GET' && path === '/healthz') {
      sendJson(res, 200, { status: 'ok', server: name });
    } else {
      sendJson(res, 404, { error: 'not_found', message: `No route for ${req.method ?? 'GET'} ${path}` });
    }
  });

  const baseUrl = await listen(server, options.port ?? 0, host);

  return {
    url: `${baseUrl}/mcp`,
    stats: () => demo.stats(),
    close: async () => {
      await mcpHandler.close();
      await shutdown(server);
    },
  };
}

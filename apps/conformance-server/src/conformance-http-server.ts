/**
 * Serves the conformance MCP server over Streamable HTTP at `/mcp` on plain
 * `node:http`, for both protocol eras:
 *
 * - 2026-07-28 (modern, per-request `_meta` envelope): `createMcpHandler` with
 *   `legacy: 'reject'`, a fresh instance per request.
 * - 2025 era (legacy): a *sessionful* `WebStandardStreamableHTTPServerTransport`
 *   per `initialize`, with an in-memory event store (priming events,
 *   `Last-Event-ID` resumption) so that server→client requests (sampling,
 *   elicitation), log/progress notifications, `resources/subscribe` and
 *   SSE polling (SEP-1699) work as the conformance scenarios expect.
 *
 * Requests are routed with `isLegacyRequest`, the entry's own classifier.
 * Host and Origin headers are validated (DNS rebinding protection): only
 * loopback names are allowed unless `allowedHostnames` says otherwise.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createMcpHandler,
  hostHeaderValidationResponse,
  isLegacyRequest,
  localhostAllowedHostnames,
  originValidationResponse,
  WebStandardStreamableHTTPServerTransport,
  type McpServer,
} from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createConformanceMcpServer, type ConformanceServerState } from './conformance-mcp-server';
import { InMemoryEventStore } from './event-store';

export interface ConformanceServerOptions {
  /** 0 (the default) picks a free port; `url` reports the real one. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /**
   * Hostnames (no port; IPv6 in brackets) accepted in `Host` and `Origin`.
   * Default: `localhost`, `127.0.0.1`, `[::1]`, plus `host` when it is not a wildcard.
   */
  allowedHostnames?: string[];
  /** SSE `retry` hint (ms) sent in priming events of 2025-era streams. Default 500. */
  retryIntervalMs?: number;
  /**
   * Serve 2025-era POSTs at the session's negotiated protocol version when the
   * client's `MCP-Protocol-Version` header names an older supported one
   * (default `true`; see `pinProtocolVersion`).
   */
  pinNegotiatedProtocolVersion?: boolean;
  /** A 2025-era session unused for this long is closed. Default 10 minutes. */
  sessionIdleTimeoutMs?: number;
  /** Out-of-band errors; default writes one line to stderr. */
  onerror?: (error: Error) => void;
}

export interface ConformanceServer {
  /** `http://HOST:PORT/mcp`. */
  readonly url: string;
  /** Open 2025-era sessions (for tests). */
  legacySessionCount(): number;
  close(): Promise<void>;
}

interface LegacySession {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly server: McpServer;
  readonly subscriptions: Set<string>;
  lastSeen: number;
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: '2.0', error: { code, message }, id: null }, { status });
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export async function startConformanceServer(options: ConformanceServerOptions = {}): Promise<ConformanceServer> {
  const host = options.host ?? '127.0.0.1';
  const onerror =
    options.onerror ?? ((error: Error) => process.stderr.write(`[conformance-server] ${error.message}\n`));
  const allowedHostnames = options.allowedHostnames ?? [
    ...localhostAllowedHostnames(),
    ...(host === '0.0.0.0' || host === '::' ? [] : [formatHost(host)]),
  ];
  const retryInterval = options.retryIntervalMs ?? 500;
  const idleTimeoutMs = options.sessionIdleTimeoutMs ?? 10 * 60_000;

  const sessions = new Map<string, LegacySession>();

  const state: ConformanceServerState = {
    watchedVersion: 1,
    resourceUpdated: (uri) => {
      for (const session of sessions.values()) {
        if (!session.subscriptions.has(uri)) continue;
        session.server.server.sendResourceUpdated({ uri }).catch((error: unknown) => {
          onerror(error instanceof Error ? error : new Error(String(error)));
        });
      }
      modern.notify.resourceUpdated(uri);
    },
  };

  const modern = createMcpHandler(() => createConformanceMcpServer({ era: 'modern', state }), {
    legacy: 'reject',
    onerror,
  });

  async function closeSession(sessionId: string): Promise<void> {
    const session = sessions.get(sessionId);
    if (!session) return;
    sessions.delete(sessionId);
    await session.server.close().catch(() => undefined);
  }

  /**
   * A client may send an older (still supported) `MCP-Protocol-Version` header
   * than the session negotiated (the conformance SSE scenarios send
   * `2025-03-26` on a `2025-11-25` session). The session's negotiated version
   * is what this server honours, so the header is pinned to it: otherwise the
   * transport would switch off SEP-1699 priming events and stream closing.
   */
  async function pinProtocolVersion(request: Request, session: LegacySession): Promise<Request> {
    if (options.pinNegotiatedProtocolVersion === false) return request;
    const negotiated = session.server.server.getNegotiatedProtocolVersion();
    const sent = request.headers.get('mcp-protocol-version');
    if (request.method !== 'POST' || !negotiated || !sent || sent === negotiated || sent > negotiated) {
      return request;
    }
    const headers = new Headers(request.headers);
    headers.set('mcp-protocol-version', negotiated);
    const body = await request.text();
    return new Request(request.url, { method: request.method, headers, body, signal: request.signal });
  }

  async function serveLegacy(request: Request): Promise<Response> {
    const sessionId = request.headers.get('mcp-session-id');
    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session) return jsonRpcError(404, -32001, 'Session not found');
      session.lastSeen = Date.now();
      return session.transport.handleRequest(await pinProtocolVersion(request, session));
    }
    if (request.method !== 'POST') {
      return jsonRpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    }
    // A new session: the transport itself rejects anything but `initialize`.
    const subscriptions = new Set<string>();
    const server = createConformanceMcpServer({ era: 'legacy', state, subscriptions });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: new InMemoryEventStore(),
      retryInterval,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, subscriptions, lastSeen: Date.now() });
      },
      onsessionclosed: (id) => {
        void closeSession(id);
      },
    });
    transport.onerror = onerror;
    await server.connect(transport);
    const response = await transport.handleRequest(request);
    if (transport.sessionId === undefined || !sessions.has(transport.sessionId)) {
      await server.close().catch(() => undefined);
    }
    return response;
  }

  const composed = {
    fetch: async (request: Request): Promise<Response> => {
      const rejected =
        hostHeaderValidationResponse(request, allowedHostnames) ??
        originValidationResponse(request, allowedHostnames);
      if (rejected) return rejected;
      if (await isLegacyRequest(request)) return serveLegacy(request);
      return modern.fetch(request);
    },
  };
  const serveMcp = toNodeHandler(composed, { onerror });

  const http: HttpServer = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/mcp') {
      void serveMcp(req, res);
      return;
    }
    res.writeHead(path === '/healthz' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify(
        path === '/healthz'
          ? { status: 'ok', server: 'conformance' }
          : { error: 'not_found', message: `No route for ${req.method ?? 'GET'} ${path}` },
      ),
    );
  });

  const sweeper = setInterval(
    () => {
      const cutoff = Date.now() - idleTimeoutMs;
      for (const [id, session] of sessions) if (session.lastSeen < cutoff) void closeSession(id);
    },
    Math.min(idleTimeoutMs, 60_000),
  );
  sweeper.unref();

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const { port } = http.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : formatHost(host);

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}/mcp`,
    legacySessionCount: () => sessions.size,
    close: () => {
      closing ??= (async () => {
        clearInterval(sweeper);
        await Promise.all([...sessions.keys()].map((id) => closeSession(id)));
        await modern.close();
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

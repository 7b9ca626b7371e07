import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { toNodeHandler } from '@modelcontextprotocol/node';
import {
  isJSONRPCRequest,
  WebStandardStreamableHTTPServerTransport,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/server';
import type { Logger } from '@gatehouse/core';
import type { Principal } from '@gatehouse/identity';
import { applySessionState, createProxyServer, type Endpoint, type ProxyServerDeps, type SessionState } from '@gatehouse/proxy';
import type { LegacySession, LegacySessionStore } from './legacy-sessions';
import { postedRequestIds, RedisSessionEventStore, type RedisEventStoreLimits } from './redis-event-store';
import { relayRemoteStream } from './remote-stream-relay';
import type { Replica } from './replica';
import type { SessionBus, SessionBusMessage } from './session-bus';
import type { SessionDirectory, SessionRecord } from './session-directory';

export interface SessionOwner {
  principal: Principal;
  endpoint: Endpoint;
  endpointKey: string;
}

export interface LegacySessionHostDeps {
  proxy: ProxyServerDeps;
  store: LegacySessionStore;
  directory: SessionDirectory;
  bus: SessionBus;
  replica: Replica;
  /** For the session event streams (not the subscriber connection). */
  redis: Redis;
  events: RedisEventStoreLimits;
  retryMs: number;
  maxBodyBytes: number;
  logger: Logger;
}

/**
 * 2025-era (initialize-based) sessions on a fleet of replicas. The replica that opens a session
 * records it in Redis; any other replica that receives a request for it rebuilds it from that
 * record (a proxy server and transport with the same session id, the client's `initialize`
 * replayed in-process), so a load balancer needs no stickiness. Resumable SSE events live in Redis
 * (see RedisSessionEventStore), and what a client posts that is not a request — answers to relayed
 * sampling/elicitation requests, cancellations — and changes of log level or subscriptions cross
 * to the other replicas on the session bus.
 */
export class LegacySessionHost {
  private readonly rebuilding = new Map<string, Promise<LegacySession | null>>();

  constructor(private readonly deps: LegacySessionHostDeps) {}

  /** Opens a session with the client's `initialize` POST (a body `isInitializeRequest` accepted). */
  async open(owner: SessionOwner, req: IncomingMessage, res: ServerResponse, body: object): Promise<void> {
    const initialize = body as JSONRPCMessage;
    const id = randomUUID();
    const session = await this.build(id, owner, {
      onInitialized: async () => {
        this.deps.store.add(session);
        const record: SessionRecord = {
          userId: owner.principal.userId,
          endpointKey: owner.endpointKey,
          initialize,
          state: { subscriptions: [] },
        };
        // Without Redis the session still works here; other replicas then answer 404.
        await this.deps.directory.save(id, record).catch((error: unknown) => {
          this.deps.logger.warn({ err: error, session: id }, 'could not record the session in Redis; only this replica can serve it');
        });
      },
    });
    await this.serve(session, req, res, initialize);
  }

  /** The caller's session, held here or rebuilt from its record; null when unknown, expired or someone else's. */
  async find(id: string, owner: SessionOwner): Promise<LegacySession | null> {
    const local = this.deps.store.get(id, owner.principal.userId, owner.endpointKey);
    if (local) return local;
    let pending = this.rebuilding.get(id);
    if (!pending) {
      pending = this.rebuild(id, owner).finally(() => this.rebuilding.delete(id));
      this.rebuilding.set(id, pending);
    }
    const rebuilt = await pending;
    // A concurrent rebuild may have been started by another caller: the binding check still applies.
    return rebuilt && rebuilt.userId === owner.principal.userId && rebuilt.endpointKey === owner.endpointKey ? rebuilt : null;
  }

  async serve(session: LegacySession, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    pinNegotiatedProtocolVersion(req, session.server.getNegotiatedProtocolVersion());
    const messages = req.method === 'POST' ? (Array.isArray(body) ? body : [body]) : [];
    for (const message of messages.filter((m) => !isJSONRPCRequest(m) && !isInitializedNotification(m))) {
      void this.deps.bus.publish({ kind: 'client', session: session.id, message: message as JSONRPCMessage }).catch(() => undefined);
    }
    const requestIds = messages.filter((m) => isJSONRPCRequest(m)).map((m) => (m as { id: RequestId }).id);
    this.touch(session);
    const lastEventId = req.method === 'GET' ? req.headers['last-event-id'] : undefined;
    if (typeof lastEventId === 'string' && session.events.resumesRemoteRequest(lastEventId)) {
      return relayRemoteStream(session.events, session.id, lastEventId, req, res, this.deps.retryMs);
    }
    await postedRequestIds.run(requestIds, () => session.serve(req, res, body));
    if (req.method === 'DELETE') {
      this.forget(session);
      await this.deps.directory.delete(session.id).catch(() => undefined);
      await this.deps.bus.publish({ kind: 'closed', session: session.id }).catch(() => undefined);
    }
  }

  /** A message from another replica about a session this one may hold. */
  deliver(message: SessionBusMessage): void {
    const session = this.deps.store.peek(message.session);
    this.deps.logger.debug({ session: message.session, kind: message.kind, held: !!session }, 'session bus message');
    if (!session) return;
    if (message.kind === 'client') session.transport.onmessage?.(message.message);
    else if (message.kind === 'state') applySessionState(session.server, message.state);
    else if (message.kind === 'closed') {
      this.forget(session);
      void session.transport.close().catch(() => undefined);
    }
  }

  private async rebuild(id: string, owner: SessionOwner): Promise<LegacySession | null> {
    const record = await this.deps.directory.load(id).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, session: id }, 'could not read the session record from Redis');
      return null;
    });
    if (!record || record.userId !== owner.principal.userId || record.endpointKey !== owner.endpointKey) return null;
    const session = await this.build(id, owner, { restore: record.state });
    const events = session.events;
    events.muted = true;
    try {
      const init = await session.transport.handleRequest(internalPost(record.initialize));
      await init.text();
      if (!init.ok || !session.transport.sessionId) throw new Error(`replayed initialize answered HTTP ${init.status}`);
      const version = session.server.getNegotiatedProtocolVersion();
      const initialized = await session.transport.handleRequest(
        internalPost(
          { jsonrpc: '2.0', method: 'notifications/initialized' },
          { 'mcp-session-id': id, ...(version ? { 'mcp-protocol-version': version } : {}) },
        ),
      );
      await initialized.text();
    } catch (error) {
      this.deps.logger.error({ err: error, session: id }, 'could not rebuild a session from its record');
      await session.transport.close().catch(() => undefined);
      return null;
    } finally {
      events.muted = false;
    }
    this.deps.store.add(session);
    this.deps.logger.debug({ session: id }, 'session rebuilt from its Redis record');
    return session;
  }

  private async build(
    id: string,
    owner: SessionOwner,
    options: { restore?: SessionState; onInitialized?: () => Promise<void> },
  ): Promise<LegacySession> {
    const events = new RedisSessionEventStore(this.deps.redis, id, this.deps.replica, this.deps.events);
    const server = createProxyServer(this.deps.proxy, owner.endpoint, owner.principal, 'legacy', {
      ...(options.restore ? { restore: options.restore } : {}),
      onChange: (state) => void this.stateChanged(id, state),
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      // Resumable streams (SEP-1699): priming events, `retry:` and Last-Event-ID replay, on any replica.
      eventStore: events,
      retryInterval: this.deps.retryMs,
      ...(options.onInitialized ? { onsessioninitialized: options.onInitialized } : {}),
    });
    const now = Date.now();
    const session = {
      id,
      userId: owner.principal.userId,
      tenantId: owner.principal.tenantId,
      endpointKey: owner.endpointKey,
      transport,
      server,
      serve: toNodeHandler(
        { fetch: (request, opts) => transport.handleRequest(request, opts) },
        { maxRequestBodySize: this.deps.maxBodyBytes },
      ),
      lastSeen: now,
      touchedAt: now,
      events,
    };
    transport.onclose = () => this.forget(session);
    transport.onerror = (error) => this.deps.logger.debug({ err: error, session: id }, 'session transport error');
    await server.connect(transport);
    return session;
  }

  private async stateChanged(id: string, state: SessionState): Promise<void> {
    await Promise.all([this.deps.directory.updateState(id, state), this.deps.bus.publish({ kind: 'state', session: id, state })]).catch(
      (error: unknown) => this.deps.logger.warn({ err: error, session: id }, 'could not share a session state change with other replicas'),
    );
  }

  private touch(session: LegacySession): void {
    const now = Date.now();
    if (now - session.touchedAt < this.deps.directory.touchEveryMs) return;
    session.touchedAt = now;
    this.deps.directory.touch(session.id);
  }

  private forget(session: LegacySession): void {
    if (this.deps.store.peek(session.id) === session) this.deps.store.remove(session.id);
  }
}

function isInitializedNotification(message: unknown): boolean {
  return (message as { method?: unknown } | null)?.method === 'notifications/initialized';
}

function internalPost(message: JSONRPCMessage, headers: Record<string, string> = {}): Request {
  return new Request('http://gatehouse.internal/mcp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(message),
  });
}

/**
 * A client may send an older (still supported) `MCP-Protocol-Version` on a session that
 * negotiated a newer one (the conformance suite's SSE scenarios send 2025-03-26 on a 2025-11-25
 * session). The session's negotiated version is what governs it, so the header is raised to it;
 * otherwise the transport would drop the resumability features the session agreed to.
 */
function pinNegotiatedProtocolVersion(req: IncomingMessage, negotiated: string | undefined): void {
  const sent = req.headers['mcp-protocol-version'];
  if (req.method === 'POST' && negotiated && typeof sent === 'string' && sent < negotiated)
    req.headers['mcp-protocol-version'] = negotiated;
}

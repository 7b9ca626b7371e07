import type { NodeMcpRequestHandler } from '@modelcontextprotocol/node';
import type { Server, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import type { RedisSessionEventStore } from './redis-event-store';

/** A 2025-era (initialize-based) MCP session, bound to the user and endpoint that opened it. */
export interface LegacySession {
  id: string;
  userId: string;
  tenantId: string;
  endpointKey: string;
  transport: WebStandardStreamableHTTPServerTransport;
  server: Server;
  /** The transport behind a Node `(req, res, body)` face. */
  serve: NodeMcpRequestHandler;
  /** Its resumable SSE events (in Redis, shared by every replica). */
  events: RedisSessionEventStore;
  lastSeen: number;
  /** When this replica last refreshed the session's record in Redis. */
  touchedAt: number;
}

/**
 * The legacy sessions this replica holds (opened here or rebuilt from Redis). Sessions expire
 * after an idle period; a session id is only honoured for the user and endpoint that created it,
 * so a leaked id is useless elsewhere.
 */
export class LegacySessionStore {
  private readonly sessions = new Map<string, LegacySession>();
  private readonly reaper: NodeJS.Timeout;

  constructor(
    private readonly idleMs: number,
    private readonly onCountChange: (count: number) => void = () => undefined,
  ) {
    this.reaper = setInterval(() => this.reapIdle(), Math.min(idleMs, 60_000));
    this.reaper.unref();
  }

  add(session: LegacySession): void {
    this.sessions.set(session.id, session);
    this.onCountChange(this.sessions.size);
  }

  get(id: string, userId: string, endpointKey: string): LegacySession | null {
    const session = this.sessions.get(id);
    if (!session || session.userId !== userId || session.endpointKey !== endpointKey) return null;
    session.lastSeen = Date.now();
    return session;
  }

  /** The session whatever its owner: for messages from other replicas, never for client requests. */
  peek(id: string): LegacySession | undefined {
    return this.sessions.get(id);
  }

  remove(id: string): void {
    if (this.sessions.delete(id)) this.onCountChange(this.sessions.size);
  }

  all(): LegacySession[] {
    return [...this.sessions.values()];
  }

  /** Sessions of one tenant, or of every tenant for null. */
  forTenant(tenantId: string | null): LegacySession[] {
    return [...this.sessions.values()].filter((s) => tenantId === null || s.tenantId === tenantId);
  }

  forEndpoint(endpointKey: string): LegacySession[] {
    return [...this.sessions.values()].filter((s) => s.endpointKey === endpointKey);
  }

  get size(): number {
    return this.sessions.size;
  }

  async closeAll(): Promise<void> {
    clearInterval(this.reaper);
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => s.transport.close().catch(() => undefined)));
  }

  private reapIdle(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const session of this.sessions.values()) {
      if (session.lastSeen < cutoff) {
        this.remove(session.id);
        void session.transport.close().catch(() => undefined);
      }
    }
  }
}

import type { Logger } from '@gatehouse/core';
import { connectionFingerprint, type UpstreamServerConfig } from './upstream-config';
import { UpstreamConnection, type UpstreamConnectionEvents } from './upstream-connection';
import type { UpstreamCredentials } from './transport-factory';

/**
 * Every upstream connection of this gateway process, keyed by server id. A server whose
 * connection-relevant config changed gets a fresh connection; the old one is closed.
 */
export class UpstreamPool {
  private readonly connections = new Map<string, { fingerprint: string; connection: UpstreamConnection }>();

  constructor(
    private readonly credentials: UpstreamCredentials,
    private readonly logger: Logger,
    private readonly events: UpstreamConnectionEvents = {},
    private readonly toolsRefreshMs = 60_000,
  ) {}

  /**
   * The connection to a server. For a per-user OAuth server, `actingUserId` selects that user's
   * own connection (their token, their upstream session); without it, the server's own identity.
   */
  get(config: UpstreamServerConfig, actingUserId?: string): UpstreamConnection {
    const asUser = config.oauth?.perUser && actingUserId ? actingUserId : undefined;
    const key = asUser ? `${config.id}\0${asUser}` : config.id;
    const fingerprint = connectionFingerprint(config);
    const existing = this.connections.get(key);
    if (existing && existing.fingerprint === fingerprint) return existing.connection;
    if (existing) void existing.connection.close();
    const connection = new UpstreamConnection(config, this.credentials, this.logger, this.events, this.toolsRefreshMs, asUser);
    this.connections.set(key, { fingerprint, connection });
    return connection;
  }

  /** Closes connections to servers that no longer exist. */
  retain(liveServerIds: Set<string>): void {
    for (const [id, entry] of this.connections) {
      if (!liveServerIds.has(id.split('\0')[0] as string)) {
        this.connections.delete(id);
        void entry.connection.close();
      }
    }
  }

  status(): Array<{ id: string; name: string; connected: boolean; lastError: string | null }> {
    return [...this.connections.entries()].map(([id, { connection }]) => ({ id, name: connection.config.name, ...connection.status }));
  }

  /** The shared (not per-user) connections, with the tool list each holds: what the console shows as health. */
  sharedConnections(): UpstreamConnection[] {
    return [...this.connections.entries()].filter(([key]) => !key.includes('\0')).map(([, { connection }]) => connection);
  }

  async close(): Promise<void> {
    await Promise.all([...this.connections.values()].map(({ connection }) => connection.close()));
    this.connections.clear();
  }
}

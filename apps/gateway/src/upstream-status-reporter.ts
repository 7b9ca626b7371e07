import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { Logger } from '@gatehouse/core';
import { McpServer } from '@gatehouse/catalog';
import {
  reportUpstreamStatus,
  serveUpstreamProbes,
  toUpstreamConfig,
  type UpstreamProbeResult,
  type UpstreamServerStatus,
} from '@gatehouse/proxy';
import { UpstreamConnection, type UpstreamCredentials, type UpstreamPool } from '@gatehouse/upstream';

/**
 * This replica's side of upstream health for the console: its view of every shared upstream
 * connection, written to Redis every `intervalMs`, and "test connection" probes, answered with a
 * fresh connection (never the pooled one, whose state the probe must not disturb).
 */
export class UpstreamStatusReporter {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly deps: {
      /** This gateway's replica id (see Replica): whose view each report is. */
      replica: string;
      db: DataSource;
      redis: Redis;
      subscriber: Redis;
      pool: UpstreamPool;
      credentials: UpstreamCredentials;
      logger: Logger;
    },
    private readonly intervalMs: number,
  ) {}

  async start(): Promise<void> {
    await serveUpstreamProbes(this.deps.subscriber, this.deps.redis, async ({ tenantId, serverId }) => {
      const server = await this.deps.db.getRepository(McpServer).findOne({ where: { id: serverId, tenantId } });
      return server ? () => this.probe(server) : null;
    });
    const tick = () =>
      void this.report().catch((error: unknown) => this.deps.logger.debug({ err: error }, 'could not report upstream status'));
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async report(): Promise<void> {
    const byTenant = new Map<string, UpstreamServerStatus[]>();
    for (const connection of this.deps.pool.sharedConnections()) {
      const list = byTenant.get(connection.config.tenantId) ?? [];
      list.push({
        serverId: connection.config.id,
        ...connection.status,
        tools: connection.cachedTools()?.map((t) => ({ name: t.name, description: t.description ?? null })) ?? null,
      });
      byTenant.set(connection.config.tenantId, list);
    }
    // Three missed reports and the API treats this replica's view as gone.
    await reportUpstreamStatus(this.deps.redis, this.deps.replica, byTenant, this.intervalMs * 3);
  }

  private async probe(server: McpServer): Promise<UpstreamProbeResult> {
    const started = performance.now();
    const result = (fields: Partial<UpstreamProbeResult>): UpstreamProbeResult => ({
      ok: false,
      replica: this.deps.replica,
      latencyMs: Math.round(performance.now() - started),
      error: null,
      protocolVersion: null,
      tools: [],
      ...fields,
    });
    const connection = new UpstreamConnection(toUpstreamConfig(server), this.deps.credentials, this.deps.logger, {}, 0);
    try {
      const tools = await connection.listTools();
      return result({
        ok: true,
        protocolVersion: connection.status.protocolVersion,
        tools: tools.map((t) => ({ name: t.name, description: t.description ?? null })),
      });
    } catch (error) {
      return result({ error: error instanceof Error ? error.message : String(error) });
    } finally {
      await connection.close().catch(() => undefined);
    }
  }
}

import { randomUUID } from 'node:crypto';
import { Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { McpServer } from '@gatehouse/catalog';
import { TenantScope } from '@gatehouse/tenancy';
import { describeUpstreamHealth, requestUpstreamProbe, type UpstreamHealth, type UpstreamProbeResult } from '@gatehouse/proxy';
import { RequireRole } from '../auth/access.decorator';
import type { RequestWithPrincipal } from '../auth/access.guard';
import { UpstreamStatusRedis } from './upstream-status-redis';
import { principalOf } from './principal';

/** Reports older than this are from a replica that stopped; gateways report every 10 s by default. */
const FRESH_MS = 60_000;
const PROBE_TIMEOUT_MS = 15_000;

/** The tenant's MCP servers with their health as the gateways report it, and "test connection". Admins only. */
@Controller('api/tenants/:tenant/servers')
@RequireRole('admin')
export class ServersController {
  constructor(
    private readonly db: DataSource,
    private readonly redis: UpstreamStatusRedis,
  ) {}

  @Get()
  async list(@Req() req: RequestWithPrincipal): Promise<{ items: UpstreamHealth[] }> {
    return { items: await describeUpstreamHealth(this.db, this.redis.client, principalOf(req).tenantId, FRESH_MS) };
  }

  /** One gateway connects to the server afresh, lists its tools and disconnects. */
  @Post(':name/test')
  @HttpCode(200)
  async test(@Req() req: RequestWithPrincipal, @Param('name') name: string): Promise<UpstreamProbeResult> {
    const { tenantId } = principalOf(req);
    const server = await new TenantScope(this.db.manager, tenantId).findOne(McpServer, { name });
    if (!server) throw new GatehouseError('not_found', `No server "${name}" in this tenant.`);
    const result = await requestUpstreamProbe(
      this.redis.client,
      { probeId: randomUUID(), tenantId, serverId: server.id },
      PROBE_TIMEOUT_MS,
    );
    if (!result)
      throw new GatehouseError(
        'unavailable',
        `No gateway answered within ${PROBE_TIMEOUT_MS / 1000} s: is one running and connected to Redis?`,
      );
    return result;
  }
}

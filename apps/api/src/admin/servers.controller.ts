import { randomUUID } from 'node:crypto';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { McpServer } from '@gatehouse/catalog';
import { TenantScope } from '@gatehouse/tenancy';
import { literalCredentialFields, putServer, readServers, removeServer, serversYaml, type ServerEntry } from '@gatehouse/config';
import { describeUpstreamHealth, requestUpstreamProbe, type UpstreamHealth, type UpstreamProbeResult } from '@gatehouse/proxy';
import { RequireRole } from '../auth/access.decorator';
import type { RequestWithPrincipal } from '../auth/access.guard';
import { ConfigChangeAnnouncer } from './config-change-announcer';
import { ServerEditPolicy } from './server-edit-policy';
import { UpstreamStatusRedis } from './upstream-status-redis';
import { principalOf } from './principal';

/** Reports older than this are from a replica that stopped; gateways report every 10 s by default. */
const FRESH_MS = 60_000;
const PROBE_TIMEOUT_MS = 15_000;

interface ServersView {
  /** Health and tool lists as the gateways report them. */
  items: UpstreamHealth[];
  /** The servers as a config file declares them (`${secret:NAME}` references as written, never resolved). */
  config: ServerEntry[];
  /** The `servers:` block of the tenant's config file, to commit. */
  yaml: string;
  /** Whether this API accepts stdio servers (`API_ALLOW_STDIO_FROM_CONSOLE`). */
  stdioAllowed: boolean;
}

interface ServerChangeView {
  server: ServerEntry | null;
  changed: boolean;
  /** Fields holding a literal value rather than a `${secret:NAME}` reference (accepted; better in the vault). */
  literalCredentials: string[];
  yaml: string;
}

/**
 * The tenant's MCP servers: health as the gateways report it, "test connection", and create,
 * replace and remove through the `servers:` step of `gatehouse apply` (`@gatehouse/config`), so the
 * console can never accept a server a config file would refuse. Admins only; audited; each change
 * is announced to the gateways at once.
 */
@Controller('api/tenants/:tenant/servers')
@RequireRole('admin')
export class ServersController {
  constructor(
    private readonly db: DataSource,
    private readonly redis: UpstreamStatusRedis,
    private readonly changes: ConfigChangeAnnouncer,
    private readonly policy: ServerEditPolicy,
  ) {}

  @Get()
  async list(@Req() req: RequestWithPrincipal): Promise<ServersView> {
    const { tenantId, tenantSlug } = principalOf(req);
    const [items, config] = await Promise.all([
      describeUpstreamHealth(this.db, this.redis.client, tenantId, FRESH_MS),
      readServers(this.db, tenantId),
    ]);
    return { items, config, yaml: serversYaml(tenantSlug, config), stdioAllowed: this.policy.allowStdio };
  }

  /** Creates or replaces one server. Body: an entry of `servers:` in a config file, e.g. `{ "transport": "http", "url": "…" }`. */
  @Put(':name')
  async put(@Req() req: RequestWithPrincipal, @Param('name') name: string, @Body() body: unknown): Promise<ServerChangeView> {
    const principal = principalOf(req);
    const { changes, server } = await putServer(this.db, principal.tenantId, name, body, principal.email, {
      allowStdio: this.policy.allowStdio,
    });
    if (changes.length) await this.changes.announce(principal.tenantId, `server ${name} saved`);
    return {
      server,
      changed: changes.length > 0,
      literalCredentials: literalCredentialFields(server),
      yaml: serversYaml(principal.tenantSlug, await readServers(this.db, principal.tenantId)),
    };
  }

  /** Removes a server no profile, limit or trace rule uses any more (409 naming them otherwise). */
  @Delete(':name')
  @HttpCode(200)
  async remove(@Req() req: RequestWithPrincipal, @Param('name') name: string): Promise<ServerChangeView> {
    const principal = principalOf(req);
    await removeServer(this.db, principal.tenantId, name, principal.email);
    await this.changes.announce(principal.tenantId, `server ${name} removed`);
    return {
      server: null,
      changed: true,
      literalCredentials: [],
      yaml: serversYaml(principal.tenantSlug, await readServers(this.db, principal.tenantId)),
    };
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

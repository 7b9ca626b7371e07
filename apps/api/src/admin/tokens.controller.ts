import { Body, Controller, Delete, Get, Param, Post, Req } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createTenantToken, listTenantTokens, revokeTenantToken, type TokenSummary } from '@gatehouse/identity';
import { RequireRole } from '../auth/access.decorator';
import type { RequestWithPrincipal } from '../auth/access.guard';
import { ConfigChangeAnnouncer } from './config-change-announcer';
import { principalOf } from './principal';

/** The tenant's personal access tokens: list (never the token or its hash), issue, revoke. Admins only; audited. */
@Controller('api/tenants/:tenant/tokens')
@RequireRole('admin')
export class TokensController {
  constructor(
    private readonly db: DataSource,
    private readonly changes: ConfigChangeAnnouncer,
  ) {}

  @Get()
  async list(@Req() req: RequestWithPrincipal): Promise<{ items: TokenSummary[] }> {
    return { items: await listTenantTokens(this.db, principalOf(req).tenantId) };
  }

  /** Body: `{ "email": "…", "name": "…", "expiresIn": "30d" }`. The token is in this answer only. */
  @Post()
  async create(@Req() req: RequestWithPrincipal, @Body() body: unknown): Promise<{ token: string; item: TokenSummary }> {
    const principal = principalOf(req);
    const { token, summary } = await createTenantToken(this.db, principal.tenantId, body ?? {}, principal.email);
    return { token, item: summary };
  }

  @Delete(':id')
  async revoke(@Req() req: RequestWithPrincipal, @Param('id') id: string): Promise<{ item: TokenSummary; gatewaysNotified: boolean }> {
    const principal = principalOf(req);
    const { summary, changed } = await revokeTenantToken(this.db, principal.tenantId, id, principal.email);
    // Gateways cache principals for seconds; without this a revoked token would keep working that long.
    const gatewaysNotified = changed ? await this.changes.announce(principal.tenantId, 'token revoked') : true;
    return { item: summary, gatewaysNotified };
  }
}

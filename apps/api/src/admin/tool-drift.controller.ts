import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { GatehouseError } from '@gatehouse/core';
import { approveToolDrift, listPendingDrift, type PendingDrift } from '@gatehouse/config';
import { RequireRole } from '../auth/access.decorator';
import type { RequestWithPrincipal } from '../auth/access.guard';
import { ConfigChangeAnnouncer } from './config-change-announcer';
import { principalOf } from './principal';

const approveBody = z.object({ profile: z.string().min(1), tool: z.string().min(1).optional() }).strict();

/** Tools withheld because their upstream definition changed, and their re-approval. Admins only; audited. */
@Controller('api/tenants/:tenant/drift')
@RequireRole('admin')
export class ToolDriftController {
  constructor(
    private readonly db: DataSource,
    private readonly changes: ConfigChangeAnnouncer,
  ) {}

  @Get()
  async list(@Req() req: RequestWithPrincipal): Promise<{ items: PendingDrift[] }> {
    return { items: await listPendingDrift(this.db, principalOf(req).tenantId) };
  }

  /** Re-approves the current upstream definition. Body: `{ "profile": "…", "tool": "…" }` (tool optional: the whole profile). */
  @Post('approve')
  @HttpCode(200)
  async approve(@Req() req: RequestWithPrincipal, @Body() body: unknown): Promise<{ approved: string[] }> {
    const parsed = approveBody.safeParse(body ?? {});
    if (!parsed.success) throw new GatehouseError('validation_failed', 'The body must be {"profile": "…", "tool": "…"} (tool optional).');
    const principal = principalOf(req);
    const changes = await approveToolDrift(this.db, principal.tenantId, parsed.data, principal.email);
    if (parsed.data.tool && changes.length === 0) {
      throw new GatehouseError('not_found', `Tool "${parsed.data.tool}" of profile "${parsed.data.profile}" has no pending drift.`);
    }
    if (changes.length) await this.changes.announce(principal.tenantId, 'tools approve');
    return { approved: changes.map((c) => c.name) };
  }
}

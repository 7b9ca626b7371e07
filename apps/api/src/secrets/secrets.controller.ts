import { Body, Controller, Delete, Get, HttpCode, Param, Put, Req } from '@nestjs/common';
import { z } from 'zod';
import { GatehouseError } from '@gatehouse/core';
import { Vault, type SecretMetadata } from '@gatehouse/vault';
import { RequireRole } from '../auth/access.decorator';
import type { RequestWithPrincipal } from '../auth/access.guard';

/** Tells the gateways a tenant's secrets changed, so none keeps using an old value from its cache. */
export abstract class SecretChangeAnnouncer {
  abstract announce(tenantId: string): Promise<void>;
}

const secretBody = z.object({ value: z.string(), description: z.string().max(500).nullable().optional() }).strict();

/**
 * A tenant's upstream credentials, write-only: values go in and are never returned, listed or
 * logged; only names, descriptions and when they last changed come out. Admins only; audited.
 */
@Controller('api/tenants/:tenant/secrets')
@RequireRole('admin')
export class SecretsController {
  constructor(
    private readonly vault: Vault,
    private readonly changes: SecretChangeAnnouncer,
  ) {}

  @Get()
  async list(@Req() req: RequestWithPrincipal): Promise<{ items: SecretMetadata[] }> {
    return { items: await this.vault.list(principalOf(req).tenantId) };
  }

  /** Creates or replaces a secret. Body: `{ "value": "…", "description": "…" }`. */
  @Put(':name')
  @HttpCode(200)
  async put(
    @Req() req: RequestWithPrincipal,
    @Param('name') name: string,
    @Body() body: unknown,
  ): Promise<SecretMetadata & { created: boolean }> {
    const parsed = secretBody.safeParse(body ?? {});
    if (!parsed.success)
      throw new GatehouseError('validation_failed', 'The body must be {"value": "…", "description": "…"} (description optional).');
    const principal = principalOf(req);
    const saved = await this.vault.put(principal.tenantId, name, parsed.data.value, principal.email, parsed.data.description);
    await this.changes.announce(principal.tenantId).catch(() => undefined); // caches expire anyway
    return saved;
  }

  @Delete(':name')
  @HttpCode(204)
  async remove(@Req() req: RequestWithPrincipal, @Param('name') name: string): Promise<void> {
    const principal = principalOf(req);
    await this.vault.remove(principal.tenantId, name, principal.email);
    await this.changes.announce(principal.tenantId).catch(() => undefined);
  }
}

function principalOf(req: RequestWithPrincipal) {
  return req.principal as NonNullable<RequestWithPrincipal['principal']>;
}

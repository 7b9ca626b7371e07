import { Body, Controller, Get, Put, Req } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { recordAdminChange } from '@gatehouse/audit';
import { SamlService, SsoSettings, describeSsoSettings, saveSsoSettings } from '@gatehouse/identity';
import { RequireRole } from '../auth/access.decorator';
import type { RequestWithPrincipal } from '../auth/access.guard';

/** A tenant's SAML IdP settings, and the SP URLs to hand the IdP team. Admins only. */
@Controller('api/tenants/:tenant/sso')
@RequireRole('admin')
export class SsoSettingsController {
  constructor(
    private readonly db: DataSource,
    private readonly saml: SamlService,
  ) {}

  @Get()
  async get(@Req() req: RequestWithPrincipal) {
    const principal = req.principal as NonNullable<RequestWithPrincipal['principal']>;
    const settings = await this.db.getRepository(SsoSettings).findOne({ where: { tenantId: principal.tenantId } });
    return { settings: describeSsoSettings(settings), serviceProvider: this.serviceProvider(principal.tenantSlug) };
  }

  @Put()
  async put(@Req() req: RequestWithPrincipal, @Body() body: unknown) {
    const principal = req.principal as NonNullable<RequestWithPrincipal['principal']>;
    if (body === undefined || body === null || typeof body !== 'object') throw new GatehouseError('validation_failed', 'Send the SSO settings as a JSON object.');
    const result = await this.db.transaction(async (manager) => {
      const saved = await saveSsoSettings(manager, principal.tenantId, body);
      if (saved.changed) {
        await recordAdminChange(manager, {
          tenantId: principal.tenantId,
          actor: principal.email,
          action: saved.before ? 'sso.update' : 'sso.create',
          targetType: 'sso',
          targetId: principal.tenantId,
          before: saved.before,
          after: saved.after,
        });
      }
      return saved;
    });
    return { settings: result.after, changed: result.changed, serviceProvider: this.serviceProvider(principal.tenantSlug) };
  }

  private serviceProvider(tenantSlug: string) {
    return {
      entityId: this.saml.spEntityId(tenantSlug),
      acsUrl: this.saml.acsUrl(tenantSlug),
      metadataUrl: this.saml.spEntityId(tenantSlug),
      loginUrl: this.saml.acsUrl(tenantSlug).replace(/\/acs$/, '/login'),
    };
  }
}

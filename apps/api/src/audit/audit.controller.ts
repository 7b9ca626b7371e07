import { Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { searchAdminAudit, type AdminAuditPage, type AdminAuditQuery } from '@gatehouse/audit';
import { TenantPrincipalGuard, type RequestWithPrincipal } from '../auth/tenant-principal.guard';

@Controller('api/tenants/:tenant/audit')
@UseGuards(TenantPrincipalGuard)
export class AuditController {
  constructor(private readonly db: DataSource) {}

  /** Every change an admin made to the tenant, through the API or `gatehouse apply`. Admins only. */
  @Get()
  async search(@Req() req: RequestWithPrincipal, @Query() query: AdminAuditQuery): Promise<AdminAuditPage> {
    const principal = req.principal as NonNullable<RequestWithPrincipal['principal']>;
    if (principal.role !== 'admin') throw new GatehouseError('forbidden', 'Only admins of this tenant can read its admin audit log.');
    return searchAdminAudit(this.db, principal.tenantId, query);
  }
}

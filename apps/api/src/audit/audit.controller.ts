import { Controller, Get, Query, Req } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { searchAdminAudit, type AdminAuditPage, type AdminAuditQuery } from '@gatehouse/audit';
import { RequireRole } from '../auth/access.decorator';
import type { RequestWithPrincipal } from '../auth/access.guard';

@Controller('api/tenants/:tenant/audit')
@RequireRole('admin')
export class AuditController {
  constructor(private readonly db: DataSource) {}

  /** Every change an admin made to the tenant, through the API or `gatehouse apply`. Admins only. */
  @Get()
  async search(@Req() req: RequestWithPrincipal, @Query() query: AdminAuditQuery): Promise<AdminAuditPage> {
    const principal = req.principal as NonNullable<RequestWithPrincipal['principal']>;
    return searchAdminAudit(this.db, principal.tenantId, query);
  }
}

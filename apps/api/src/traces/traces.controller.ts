import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { findTrace, searchTraces, type Trace, type TracePage, type TraceQuery } from '@gatehouse/audit';
import { RequireRole } from '../auth/access.decorator';
import type { RequestWithPrincipal } from '../auth/access.guard';

@Controller('api/tenants/:tenant/traces')
@RequireRole('member')
export class TracesController {
  constructor(private readonly db: DataSource) {}

  /** Admins and approvers read every trace of their tenant; members only their own. */
  @Get()
  async search(@Req() req: RequestWithPrincipal, @Query() query: Record<string, string>): Promise<TracePage> {
    const principal = req.principal as NonNullable<RequestWithPrincipal['principal']>;
    const filters: TraceQuery = principal.role === 'member' ? { ...query, user: principal.email } : query;
    return searchTraces(this.db, principal.tenantId, filters);
  }

  /** One trace, for a shared link; the same visibility as the search. */
  @Get(':id')
  async one(@Req() req: RequestWithPrincipal, @Param('id') id: string): Promise<Trace> {
    const principal = req.principal as NonNullable<RequestWithPrincipal['principal']>;
    return findTrace(this.db, principal.tenantId, id, principal.role === 'member' ? principal.email : undefined);
  }
}

import { Controller, Get, Query, Req } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { traceOverview, type OverviewQuery, type TraceOverview } from '@gatehouse/audit';
import type { Principal } from '@gatehouse/identity';
import { RequireRole } from '../auth/access.decorator';
import type { RequestWithPrincipal } from '../auth/access.guard';

@Controller('api/tenants/:tenant/overview')
@RequireRole('member')
export class OverviewController {
  constructor(private readonly db: DataSource) {}

  /** Call volume, errors and latency over `?window=24h|7d`; members see the numbers of their own calls, as in trace search. */
  @Get()
  async overview(@Req() req: RequestWithPrincipal, @Query() query: OverviewQuery): Promise<TraceOverview> {
    const principal = req.principal as Principal;
    return traceOverview(
      this.db,
      { tenantId: principal.tenantId, onlyUserEmail: principal.role === 'member' ? principal.email : undefined },
      query,
    );
  }
}

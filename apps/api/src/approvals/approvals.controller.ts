import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { Approval, ApprovalListQuery } from '@gatehouse/approvals';
import { ApprovalService } from '@gatehouse/approvals';
import { RequireRole } from '../auth/access.decorator';
import type { RequestWithPrincipal } from '../auth/access.guard';

/** Held tool calls of a tenant, for its approvers. Logic lives in `ApprovalService`. */
@Controller('api/tenants/:tenant/approvals')
@RequireRole('approver')
export class ApprovalsController {
  constructor(private readonly approvals: ApprovalService) {}

  @Get()
  list(@Req() req: RequestWithPrincipal, @Query() query: ApprovalListQuery): Promise<{ items: Approval[]; nextCursor: string | null }> {
    return this.approvals.list(principalOf(req).tenantId, query);
  }

  @Get(':id')
  get(@Req() req: RequestWithPrincipal, @Param('id') id: string): Promise<Approval> {
    return this.approvals.get(principalOf(req).tenantId, id);
  }

  /** Approves a pending call: it then runs once, on a gateway worker. Body: `{ "reason": "…" }` (optional). */
  @Post(':id/approve')
  @HttpCode(200)
  approve(@Req() req: RequestWithPrincipal, @Param('id') id: string, @Body() body: unknown): Promise<Approval> {
    return this.approvals.decide(approverOf(req), id, 'approve', body);
  }

  /** Denies a pending call: the waiting client gets an error naming the decision and the reason. */
  @Post(':id/deny')
  @HttpCode(200)
  deny(@Req() req: RequestWithPrincipal, @Param('id') id: string, @Body() body: unknown): Promise<Approval> {
    return this.approvals.decide(approverOf(req), id, 'deny', body);
  }
}

function principalOf(req: RequestWithPrincipal) {
  return req.principal as NonNullable<RequestWithPrincipal['principal']>;
}

function approverOf(req: RequestWithPrincipal) {
  const p = principalOf(req);
  return { tenantId: p.tenantId, userId: p.userId, email: p.email, role: p.role };
}

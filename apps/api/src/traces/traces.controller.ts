import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import {
  exportTraces,
  recordAdminChange,
  findTrace,
  searchTraces,
  type Trace,
  type TraceExportQuery,
  type TracePage,
  type TraceQuery,
} from '@gatehouse/audit';
import type { Principal } from '@gatehouse/identity';
import { RequireRole } from '../auth/access.decorator';
import type { RequestWithPrincipal } from '../auth/access.guard';

const principalOf = (req: RequestWithPrincipal) => req.principal as Principal;

/** Admins and approvers read every trace of their tenant; members only their own, whatever they ask for. */
const visible = <Q extends { user?: string }>(principal: Principal, query: Q): Q =>
  principal.role === 'member' ? { ...query, user: principal.email } : query;

@Controller('api/tenants/:tenant/traces')
@RequireRole('member')
export class TracesController {
  constructor(private readonly db: DataSource) {}

  @Get()
  async search(@Req() req: RequestWithPrincipal, @Query() query: Record<string, string>): Promise<TracePage> {
    const principal = principalOf(req);
    return searchTraces(this.db, principal.tenantId, visible(principal, query as TraceQuery));
  }

  /**
   * Every trace the same filters find (not one page), streamed as a download in CSV or JSON lines.
   * Declared before `:id` so "export" is never read as a trace id.
   */
  @Get('export')
  async export(@Req() req: RequestWithPrincipal, @Query() query: Record<string, string>, @Res() res: Response): Promise<void> {
    const principal = principalOf(req);
    const asked = visible(principal, query as unknown as TraceExportQuery);
    // Throws on a bad filter before any header is sent: a clear 400, never half a file.
    const file = exportTraces(this.db, principal.tenantId, asked);
    // Taking a copy of call records out of the product is recorded before the first byte leaves.
    await recordAdminChange(this.db.manager, {
      tenantId: principal.tenantId,
      actor: principal.email,
      action: 'traces.export',
      targetType: 'traces',
      targetId: null,
      before: null,
      after: { format: file.format, filters: asked },
    });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.status(200);
    res.setHeader('content-type', file.contentType);
    res.setHeader('content-disposition', `attachment; filename="traces-${principal.tenantSlug}-${stamp}.${file.format}"`);
    res.setHeader('cache-control', 'no-store');
    // pipeline stops reading the database when the client goes away, and on a database error
    // mid-stream it destroys the response: the status is already sent, so the client sees an
    // aborted download (no final chunk), never a file that looks complete. Nothing is left to answer.
    await pipeline(Readable.from(file.chunks), res).catch((error: unknown) => {
      if (!res.destroyed) res.destroy(error instanceof Error ? error : undefined);
    });
  }

  /** One trace, for a shared link; the same visibility as the search. */
  @Get(':id')
  async one(@Req() req: RequestWithPrincipal, @Param('id') id: string): Promise<Trace> {
    const principal = principalOf(req);
    return findTrace(this.db, principal.tenantId, id, principal.role === 'member' ? principal.email : undefined);
  }
}

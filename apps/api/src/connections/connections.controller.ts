import { Controller, Delete, Get, HttpCode, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isGatehouseError } from '@gatehouse/core';
import { Public, RequireRole } from '../auth/access.decorator';
import type { RequestWithPrincipal } from '../auth/access.guard';
import { connectedPage, connectFailedPage, PAGE_HEADERS } from '../oauth/consent-page';
import { UserConnections } from './user-connections';

/** The caller's own accounts of per-user OAuth servers: list, connect (a browser redirect), disconnect. */
@Controller('api/tenants/:tenant/connections')
@RequireRole('member')
export class ConnectionsController {
  constructor(private readonly connections: UserConnections) {}

  @Get()
  async list(@Req() req: RequestWithPrincipal): Promise<{ items: Array<{ server: string; connected: boolean }> }> {
    const p = principalOf(req);
    return { items: await this.connections.list(p.tenantId, p.userId) };
  }

  /** Sends the browser to the server's authorization server; it comes back to the callback. */
  @Get(':server/connect')
  async connect(@Req() req: RequestWithPrincipal, @Param('server') server: string, @Res() res: Response): Promise<void> {
    const p = principalOf(req);
    res.redirect(302, await this.connections.start(p.tenantId, { userId: p.userId, email: p.email }, server));
  }

  @Delete(':server')
  @HttpCode(204)
  async disconnect(@Req() req: RequestWithPrincipal, @Param('server') server: string): Promise<void> {
    const p = principalOf(req);
    await this.connections.disconnect(p.tenantId, { userId: p.userId, email: p.email }, server);
  }
}

/** Where authorization servers send the browser back. The one-use state says whose connection it is. */
@Controller('api/upstream-oauth')
@Public()
export class UpstreamCallbackController {
  constructor(private readonly connections: UserConnections) {}

  @Get('callback')
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      const { server } = await this.connections.finish(new URL(req.originalUrl, this.connections.callbackUrl));
      res.status(200).set(PAGE_HEADERS).send(connectedPage(server));
    } catch (error) {
      const message = isGatehouseError(error) ? error.message : 'The connection could not be completed.';
      res.status(400).set(PAGE_HEADERS).send(connectFailedPage(message));
    }
  }
}

function principalOf(req: RequestWithPrincipal) {
  return req.principal as NonNullable<RequestWithPrincipal['principal']>;
}

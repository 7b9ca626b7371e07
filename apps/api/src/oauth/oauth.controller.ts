import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuthorizationServer, OAuthProtocolError, RedirectableAuthorizeError, SigningKeys } from '@gatehouse/identity';
import { Public } from '../auth/access.decorator';
import { BROWSER_SESSION_READER, ssoLoginPath, type BrowserSessionReader } from './browser-session';
import { ConsentTickets } from './consent-tickets';
import { PAGE_HEADERS, consentPage, errorPage } from './consent-page';

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/**
 * The HTTP face of a tenant's OAuth 2.1 authorization server for MCP clients. Endpoints are
 * public by nature (clients call them before they hold a token); the authorize step requires a
 * signed-in browser session and the user's explicit consent.
 */
@Controller()
@Public()
export class OAuthController {
  constructor(
    private readonly server: AuthorizationServer,
    private readonly keys: SigningKeys,
    private readonly tickets: ConsentTickets,
    @Inject(BROWSER_SESSION_READER) private readonly sessions: BrowserSessionReader,
  ) {}

  /** RFC 8414: `/.well-known/oauth-authorization-server` + the issuer's path. */
  @Get('.well-known/oauth-authorization-server/api/oauth/:tenant')
  async metadata(@Param('tenant') tenant: string, @Res() res: Response): Promise<void> {
    res.set({ 'access-control-allow-origin': '*', 'cache-control': 'max-age=300' }).json(await this.server.metadata(tenant));
  }

  @Get('api/oauth/:tenant/jwks')
  async jwks(@Param('tenant') tenant: string, @Res() res: Response): Promise<void> {
    await this.server.metadata(tenant); // 404 for an unknown tenant
    res.set({ 'access-control-allow-origin': '*', 'cache-control': 'max-age=60' }).json(await this.keys.publicJwks());
  }

  /** RFC 7591 dynamic client registration. */
  @Post('api/oauth/:tenant/register')
  async register(@Param('tenant') tenant: string, @Body() body: unknown, @Res() res: Response): Promise<void> {
    await this.oauthJson(res, 201, async () => {
      const tenantId = await this.tenantId(tenant);
      return this.server.clients.register(tenantId, body);
    });
  }

  @Get('api/oauth/:tenant/authorize')
  async authorize(@Param('tenant') tenant: string, @Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    let request;
    try {
      request = await this.server.validateAuthorize(tenant, query);
    } catch (error) {
      return this.authorizeFailure(res, error);
    }
    const user = await this.sessions.principal(req, tenant);
    if (!user) {
      res.redirect(302, ssoLoginPath(tenant, req.originalUrl));
      return;
    }
    const ticket = await this.tickets.create(request, user.userId);
    res.status(200).set(PAGE_HEADERS).send(consentPage(request, user.email, ticket));
  }

  /** The consent form's answer. The ticket ties it to the request shown and the user it was shown to. */
  @Post('api/oauth/:tenant/authorize')
  async decide(@Param('tenant') tenant: string, @Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const user = await this.sessions.principal(req, tenant);
    const request = user && typeof body?.ticket === 'string' ? await this.tickets.take(body.ticket, user.userId) : null;
    if (!user || !request || request.tenantSlug !== tenant) {
      res.status(400).set(PAGE_HEADERS).send(errorPage('The consent form expired or was not shown to you. Start the sign-in again from your application.'));
      return;
    }
    const location = body.decision === 'approve' ? await this.server.approve(request, user) : this.server.deny(request);
    res.redirect(302, location);
  }

  @Post('api/oauth/:tenant/token')
  @HttpCode(200)
  async token(@Param('tenant') tenant: string, @Body() body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    await this.oauthJson(res, 200, () => this.server.token(tenant, body ?? {}));
  }

  /** RFC 7009: always 200, whether or not the token was known. */
  @Post('api/oauth/:tenant/revoke')
  async revoke(@Param('tenant') tenant: string, @Body() body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    await this.oauthJson(res, 200, async () => {
      if (typeof body?.token !== 'string') throw new OAuthProtocolError('invalid_request', 'token is required.');
      await this.server.revoke(tenant, body.token);
      return {};
    });
  }

  private async tenantId(slug: string): Promise<string> {
    return (await this.server.tenantRecord(slug)).id;
  }

  /** OAuth endpoints answer errors in OAuth's shape (RFC 6749 §5.2), not the API's. */
  private async oauthJson(res: Response, status: number, work: () => Promise<unknown>): Promise<void> {
    try {
      const body = await work();
      res.status(status).set(NO_STORE).json(body);
    } catch (error) {
      if (!(error instanceof OAuthProtocolError)) throw error;
      res.status(error.status).set(NO_STORE).json(error.toJSON());
    }
  }

  private authorizeFailure(res: Response, error: unknown): void {
    if (error instanceof RedirectableAuthorizeError) {
      res.redirect(302, error.location);
      return;
    }
    if (error instanceof OAuthProtocolError) {
      res.status(400).set(PAGE_HEADERS).send(errorPage(error.description));
      return;
    }
    throw error;
  }
}

import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { GatehouseError } from '@gatehouse/core';
import { BrowserSessions, SamlService, safeReturnTo } from '@gatehouse/identity';
import { Public } from '../auth/access.decorator';
import { SessionCookie } from '../auth/session-cookie';
import { errorPage, PAGE_HEADERS, signedOutPage } from '../oauth/consent-page';

/**
 * SAML 2.0 service provider endpoints, one set per tenant. Public by nature: the ACS authenticates
 * the IdP's signed assertion itself. Hand these URLs to the IdP team (see README "Single sign-on").
 */
@Controller('api/auth/saml/:tenant')
@Public()
export class SamlController {
  constructor(
    private readonly saml: SamlService,
    private readonly sessions: BrowserSessions,
    private readonly cookie: SessionCookie,
  ) {}

  /** SP-initiated login: redirects to the tenant's IdP; `returnTo` (a path on this site) is where the user lands after. */
  @Get('login')
  async login(@Param('tenant') tenant: string, @Query('returnTo') returnTo: string | undefined, @Res() res: Response): Promise<void> {
    res.redirect(302, await this.saml.loginUrl(tenant, returnTo));
  }

  /** Assertion consumer service (HTTP-POST binding). */
  @Post('acs')
  async acs(@Param('tenant') tenant: string, @Body() body: Record<string, unknown>, @Res() res: Response): Promise<void> {
    let login;
    try {
      login = await this.saml.acs(tenant, body ?? {});
    } catch (error) {
      if (error instanceof GatehouseError && error.code === 'sso_rejected') {
        res.status(401).set(PAGE_HEADERS).send(errorPage(error.message));
        return;
      }
      throw error;
    }
    const previous = this.cookie.read(res.req);
    if (previous) await this.sessions.destroy(previous); // a new sign-in never reuses a session id (fixation)
    const { id } = await this.sessions.create({
      tenantId: login.user.tenantId,
      tenantSlug: tenant,
      userId: login.user.userId,
      saml: { nameId: login.nameId, nameIdFormat: login.nameIdFormat, sessionIndex: login.sessionIndex },
    });
    this.cookie.set(res, id);
    res.redirect(303, login.returnTo);
  }

  @Get('metadata')
  async metadata(@Param('tenant') tenant: string, @Res() res: Response): Promise<void> {
    res.type('application/samlmetadata+xml').send(await this.saml.metadata(tenant));
  }

  /**
   * Single logout. With a SAMLRequest, the IdP is ending the user's sessions (IdP-initiated): end
   * them here and answer with a LogoutResponse. Otherwise the IdP is returning the browser after an
   * SP-initiated logout, whose local session is already gone.
   */
  @Get('slo')
  async slo(@Param('tenant') tenant: string, @Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    if (query.SAMLRequest === undefined) {
      res.redirect(302, safeReturnTo(typeof query.RelayState === 'string' ? query.RelayState : undefined));
      return;
    }
    let logout;
    try {
      logout = await this.saml.idpLogout(tenant, query, req.originalUrl.split('?')[1] ?? '');
    } catch (error) {
      if (error instanceof GatehouseError && error.code === 'sso_rejected') {
        res.status(401).set(PAGE_HEADERS).send(errorPage(error.message));
        return;
      }
      throw error;
    }
    await this.sessions.endSamlSessions(logout.tenantId, logout.nameId, logout.sessionIndex);
    this.cookie.clear(res);
    if (logout.responseUrl) res.redirect(302, logout.responseUrl);
    else res.status(200).set(PAGE_HEADERS).send(signedOutPage());
  }
}

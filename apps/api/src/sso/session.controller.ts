import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { SamlService } from '@gatehouse/identity';
import { SignedIn } from '../auth/access.decorator';
import type { RequestWithPrincipal } from '../auth/access.guard';
import { SessionCookie } from '../auth/session-cookie';

@Controller('api')
@SignedIn()
export class SessionController {
  constructor(
    private readonly cookie: SessionCookie,
    private readonly saml: SamlService,
  ) {}

  /** Who is signed in: user, tenant, role and profiles (and, for a console session, its CSRF token). */
  @Get('me')
  async me(@Req() req: RequestWithPrincipal) {
    const principal = req.principal as NonNullable<RequestWithPrincipal['principal']>;
    const current = await this.cookie.current(req);
    return {
      user: { id: principal.userId, email: principal.email },
      tenant: { id: principal.tenantId, slug: principal.tenantSlug },
      role: principal.role,
      profiles: principal.profiles,
      ...(current ? { csrfToken: current.session.csrfToken, sessionExpiresAt: new Date(current.session.createdAt + this.cookie.sessions.policy.absoluteMs).toISOString() } : {}),
    };
  }

  /** Ends the console session everywhere; returns the IdP's logout URL when the tenant has single logout. */
  @Post('auth/logout')
  @HttpCode(200)
  async logout(@Req() req: RequestWithPrincipal, @Res() res: Response): Promise<void> {
    const current = await this.cookie.current(req);
    let idpLogoutUrl: string | null = null;
    if (current) {
      await this.cookie.sessions.destroy(current.id);
      if (current.session.saml) idpLogoutUrl = await this.saml.logoutUrl(current.session.tenantSlug, current.session.saml, '/');
    }
    this.cookie.clear(res);
    res.json({ loggedOut: true, idpLogoutUrl });
  }
}

import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { resolvePersonalAccessToken, type Principal } from '@gatehouse/identity';
import type { Role } from '@gatehouse/tenancy';
import { ACCESS_POLICY, type AccessPolicy } from './access.decorator';
import { SessionCookie } from './session-cookie';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export type RequestWithPrincipal = Request & { principal?: Principal };

const ROLE_RANK: Record<Role, number> = { member: 0, approver: 1, admin: 2 };

/**
 * The API's one gate, global: reads the route's access policy, authenticates, binds the caller to
 * the route's `:tenant` and checks the role. A caller of another tenant gets the same 404 as an
 * unknown tenant: it learns nothing about the one it probed.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly db: DataSource,
    private readonly cookie: SessionCookie,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<AccessPolicy | undefined>(ACCESS_POLICY, [context.getHandler(), context.getClass()]);
    if (!policy) throw new GatehouseError('internal', 'This route declares no access policy; it is closed until it does.');
    if (policy.kind === 'public') return true;

    const req = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const principal = await this.authenticate(req);
    if (policy.kind === 'signed-in') {
      req.principal = principal;
      return true;
    }
    const tenant = req.params.tenant;
    if (tenant === undefined) throw new GatehouseError('internal', 'A role-gated route must be under /api/tenants/:tenant.');
    if (principal.tenantSlug !== tenant) throw new GatehouseError('tenant_not_found', `Unknown tenant "${String(tenant)}".`);
    if (ROLE_RANK[principal.role] < ROLE_RANK[policy.role]) {
      throw new GatehouseError('forbidden', `This needs the ${policy.role} role in tenant "${tenant}"; you are ${principal.role}.`);
    }
    req.principal = principal;
    return true;
  }

  /**
   * A bearer personal access token, or the console session cookie. Cookies ride along on
   * cross-site requests, so a state-changing request authenticated by cookie must also carry the
   * session's CSRF token in `X-CSRF-Token` (a synchronizer token a foreign page cannot read).
   */
  private async authenticate(req: Request): Promise<Principal> {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (match?.[1]) return resolvePersonalAccessToken(this.db, match[1]);
    const current = await this.cookie.current(req);
    if (!current) throw new GatehouseError('unauthorized', 'Sign in, or send "Authorization: Bearer <personal access token>".');
    if (!SAFE_METHODS.has(req.method) && req.headers['x-csrf-token'] !== current.session.csrfToken) {
      throw new GatehouseError('csrf_failed', 'Missing or wrong X-CSRF-Token header for a request signed in by cookie.');
    }
    return current.principal;
  }
}

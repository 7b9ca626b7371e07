import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { resolvePersonalAccessToken, type Principal } from '@gatehouse/identity';

export type RequestWithPrincipal = Request & { principal?: Principal };

/**
 * Authenticates a bearer personal access token and binds it to the `:tenant` of the route. A
 * token of another tenant gets the same 404 as an unknown tenant: it learns nothing.
 */
@Injectable()
export class TenantPrincipalGuard implements CanActivate {
  constructor(private readonly db: DataSource) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<RequestWithPrincipal>();
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match?.[1]) throw new GatehouseError('unauthorized', 'Missing bearer token: send "Authorization: Bearer <token>".');
    const principal = await resolvePersonalAccessToken(this.db, match[1]);
    if (principal.tenantSlug !== req.params.tenant) throw new GatehouseError('tenant_not_found', `Unknown tenant "${String(req.params.tenant)}".`);
    req.principal = principal;
    return true;
  }
}

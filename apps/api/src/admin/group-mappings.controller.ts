import { Body, Controller, Delete, Get, HttpCode, Param, Put, Req } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { Profile } from '@gatehouse/catalog';
import { TenantScope } from '@gatehouse/tenancy';
import { applyGroupMappings, groupMappingsYaml, readGroupMappings, type GroupMapping } from '@gatehouse/config';
import { RequireRole } from '../auth/access.decorator';
import type { RequestWithPrincipal } from '../auth/access.guard';
import { ConfigChangeAnnouncer } from './config-change-announcer';
import { principalOf } from './principal';

interface GroupMappingsView {
  items: GroupMapping[];
  /** The tenant's profile slugs, what a mapping may grant. */
  profiles: string[];
  /** The mappings as a config file's `groups:` block, to commit next to the rest of the config. */
  yaml: string;
}

/**
 * IdP group → role + profiles. Every edit is turned into the tenant's complete list of mappings and
 * applied through `@gatehouse/config`, the code path of `gatehouse apply`. Admins only; audited.
 */
@Controller('api/tenants/:tenant/groups')
@RequireRole('admin')
export class GroupMappingsController {
  constructor(
    private readonly db: DataSource,
    private readonly changes: ConfigChangeAnnouncer,
  ) {}

  @Get()
  async list(@Req() req: RequestWithPrincipal): Promise<GroupMappingsView> {
    const principal = principalOf(req);
    return this.view(principal.tenantId, principal.tenantSlug, await readGroupMappings(this.db, principal.tenantId));
  }

  /** Adds or replaces one mapping. Body: `{ "role": "member", "profiles": ["support"] }`. */
  @Put(':idpGroup')
  async put(@Req() req: RequestWithPrincipal, @Param('idpGroup') idpGroup: string, @Body() body: unknown): Promise<GroupMappingsView> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new GatehouseError('validation_failed', 'Send the mapping as {"role": "member", "profiles": ["…"]}.');
    }
    const principal = principalOf(req);
    const current = await readGroupMappings(this.db, principal.tenantId);
    const next: unknown[] = current.filter((m) => m.idpGroup !== idpGroup);
    next.push({ ...body, idpGroup });
    return this.apply(principal, next);
  }

  @Delete(':idpGroup')
  @HttpCode(200)
  async remove(@Req() req: RequestWithPrincipal, @Param('idpGroup') idpGroup: string): Promise<GroupMappingsView> {
    const principal = principalOf(req);
    const current = await readGroupMappings(this.db, principal.tenantId);
    if (!current.some((m) => m.idpGroup === idpGroup)) throw new GatehouseError('not_found', `No mapping for IdP group "${idpGroup}".`);
    return this.apply(
      principal,
      current.filter((m) => m.idpGroup !== idpGroup),
    );
  }

  private async apply(principal: ReturnType<typeof principalOf>, desired: unknown[]): Promise<GroupMappingsView> {
    const { changes, mappings } = await applyGroupMappings(this.db, principal.tenantId, desired, principal.email);
    // Roles and profiles ride on cached principals in the gateways.
    if (changes.length) await this.changes.announce(principal.tenantId, 'group mappings changed');
    return this.view(principal.tenantId, principal.tenantSlug, mappings);
  }

  private async view(tenantId: string, tenantSlug: string, items: GroupMapping[]): Promise<GroupMappingsView> {
    const profiles = (await new TenantScope(this.db.manager, tenantId).find(Profile)).map((p) => p.slug).sort();
    return { items, profiles, yaml: groupMappingsYaml(tenantSlug, items) };
  }
}

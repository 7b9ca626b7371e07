import { Body, Controller, Get, Param, Put, Req } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { Profile } from '@gatehouse/catalog';
import { TenantScope } from '@gatehouse/tenancy';
import { applyProfileToolEdits, profileToolsYaml, readProfileTools, type ProfileToolEntry } from '@gatehouse/config';
import { describeUpstreamHealth, previewToolList, type ToolListPreview } from '@gatehouse/proxy';
import { RequireRole } from '../auth/access.decorator';
import type { RequestWithPrincipal } from '../auth/access.guard';
import { ConfigChangeAnnouncer } from './config-change-announcer';
import { UpstreamStatusRedis } from './upstream-status-redis';
import { principalOf } from './principal';

interface ProfileView {
  slug: string;
  description: string | null;
  /** The entries as a config file declares them. */
  tools: ProfileToolEntry[];
  /** What each server offers, from the tool lists gateways report (null: none reported yet). */
  catalog: Array<{ server: string; tools: Array<{ name: string; description: string | null }> | null }>;
  preview: ToolListPreview;
  yaml: string;
}

/**
 * Profiles and their tools: the entries (rename, description, pin, hide, approval), what the
 * servers offer, and the tool list a client gets with its size in tokens. Edits go through the
 * apply path (`@gatehouse/config`). Admins only; audited.
 */
@Controller('api/tenants/:tenant/profiles')
@RequireRole('admin')
export class ProfilesController {
  constructor(
    private readonly db: DataSource,
    private readonly redis: UpstreamStatusRedis,
    private readonly changes: ConfigChangeAnnouncer,
  ) {}

  @Get()
  async list(@Req() req: RequestWithPrincipal): Promise<{ items: Array<{ slug: string; description: string | null }> }> {
    const profiles = await new TenantScope(this.db.manager, principalOf(req).tenantId).find(Profile, {}, { slug: 'ASC' });
    return { items: profiles.map((p) => ({ slug: p.slug, description: p.description })) };
  }

  @Get(':slug')
  async get(@Req() req: RequestWithPrincipal, @Param('slug') slug: string): Promise<ProfileView> {
    const principal = principalOf(req);
    return this.view(principal.tenantId, principal.tenantSlug, slug);
  }

  /** Replaces the profile's tool entries. Body: `{ "tools": [{ "server": "…", "tool": "…", "as": "…", … }] }`, as in a config file. */
  @Put(':slug/tools')
  async putTools(@Req() req: RequestWithPrincipal, @Param('slug') slug: string, @Body() body: unknown): Promise<ProfileView> {
    const tools = (body as { tools?: unknown } | null)?.tools;
    if (!Array.isArray(tools))
      throw new GatehouseError('validation_failed', 'Send {"tools": [...]}, the profile\'s entries as in a config file.');
    const principal = principalOf(req);
    const changes = await applyProfileToolEdits(this.db, principal.tenantId, slug, tools, principal.email);
    if (changes.length) await this.changes.announce(principal.tenantId, 'profile tools changed');
    return this.view(principal.tenantId, principal.tenantSlug, slug);
  }

  private async view(tenantId: string, tenantSlug: string, slug: string): Promise<ProfileView> {
    const profile = await new TenantScope(this.db.manager, tenantId).findOne(Profile, { slug });
    if (!profile) throw new GatehouseError('profile_not_found', `No profile "${slug}" in this tenant.`);
    const [tools, health, preview] = await Promise.all([
      readProfileTools(this.db, tenantId, slug),
      describeUpstreamHealth(this.db, this.redis.client, tenantId, 60_000),
      previewToolList(this.db, tenantId, slug),
    ]);
    return {
      slug,
      description: profile.description,
      tools,
      catalog: health.map((h) => ({ server: h.name, tools: h.tools })),
      preview,
      yaml: profileToolsYaml(tenantSlug, slug, tools),
    };
  }
}

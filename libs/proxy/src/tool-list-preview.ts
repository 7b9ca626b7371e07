import type { Tool } from '@modelcontextprotocol/server';
import type { DataSource } from 'typeorm';
import { In, IsNull } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { DriftEvent, exposeTool, Profile, ProfileTool, toolListTokens, type UpstreamToolDefinition } from '@gatehouse/catalog';
import { TenantScope } from '@gatehouse/tenancy';
import { listedDefinition } from './proxy-server';

export interface ToolListPreview {
  /** The `tools/list` result a client of the current protocol gets, in the gateway's order. */
  result: { tools: Tool[] };
  /** Its size in model tokens (`toolListTokens`). */
  tokens: number;
  /** Entries a client does not see now, and why. */
  withheld: Array<{ tool: string; reason: string }>;
}

/**
 * A profile's tool list exactly as the gateway builds it (approved upstream definitions through
 * `exposeTool` and `listedDefinition`), assuming every upstream answers: an unreachable server's
 * tools are missing from the real list until it is back.
 */
export async function previewToolList(db: DataSource, tenantId: string, slug: string): Promise<ToolListPreview> {
  const scope = new TenantScope(db.manager, tenantId);
  const profile = await scope.findOne(Profile, { slug });
  if (!profile) throw new GatehouseError('profile_not_found', `No profile "${slug}" in this tenant.`);
  const entries = await scope.find(ProfileTool, { profileId: profile.id }, { exposedName: 'ASC' });
  const drifted = new Set(
    (await db.manager.find(DriftEvent, { where: { tenantId, resolvedAt: IsNull(), profileToolId: In(entries.map((e) => e.id)) } })).map(
      (e) => e.profileToolId,
    ),
  );
  const tools: Tool[] = [];
  const withheld: ToolListPreview['withheld'] = [];
  for (const entry of entries) {
    if (drifted.has(entry.id)) withheld.push({ tool: entry.exposedName, reason: 'its upstream definition changed and awaits re-approval' });
    else if (!entry.approvedDefinition)
      withheld.push({ tool: entry.exposedName, reason: 'no gateway has seen its upstream definition yet' });
    else {
      const overrides = {
        exposedName: entry.exposedName,
        descriptionOverride: entry.descriptionOverride,
        pin: entry.pin,
        hide: entry.hide,
      };
      tools.push(listedDefinition(exposeTool(entry.approvedDefinition as UpstreamToolDefinition, overrides) as Tool, false));
    }
  }
  const result = { tools };
  return { result, tokens: await toolListTokens(result), withheld };
}

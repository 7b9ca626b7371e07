import type { DataSource } from 'typeorm';
import { LimitSettings, McpServer, Profile, ProfileTool, type ApprovalPolicy, type ToolOverrides } from '@gatehouse/catalog';
import { Tenant, TenantScope } from '@gatehouse/tenancy';
import type { UpstreamServerConfig } from '@gatehouse/upstream';
import { KEEP_ALL_PAYLOADS, TraceSettings, type PayloadPolicy } from '@gatehouse/audit';
import { ScanSettings, scanPolicyFor, type ProfileScanPolicy } from '@gatehouse/scanner';

export interface ProfileToolEntry {
  profileToolId: string;
  server: UpstreamServerConfig;
  upstreamName: string;
  overrides: ToolOverrides;
  approval: ApprovalPolicy;
  approvedHash: string | null;
}

/** Everything the gateway needs to serve one `/mcp/{tenant}/{profile}` endpoint, read at once. */
export interface ProfileSnapshot {
  tenantId: string;
  tenantSlug: string;
  profileId: string;
  profileSlug: string;
  tools: ProfileToolEntry[];
  resourceServers: UpstreamServerConfig[];
  promptServers: UpstreamServerConfig[];
  /** How the tenant's traces keep arguments and results. */
  payloadPolicy: PayloadPolicy;
  /** The tenant's call limits; null: unlimited. */
  limits: LimitSettings | null;
  /** How this profile's arguments and results are scanned. */
  scanning: ProfileScanPolicy;
}

/** A stored server as the upstream layer connects to it. */
export function toUpstreamConfig(server: McpServer): UpstreamServerConfig {
  return {
    id: server.id,
    tenantId: server.tenantId,
    name: server.name,
    transport: server.transport,
    url: server.url,
    command: server.command,
    args: server.args,
    env: server.env,
    headers: server.headers,
    oauth: server.oauth,
    timeoutMs: server.timeoutMs,
  };
}

export async function findTenantBySlug(db: DataSource, slug: string): Promise<Tenant | null> {
  return db.getRepository(Tenant).findOne({ where: { slug } });
}

/** Loads a profile of one tenant with its tools and servers; null when the profile does not exist. */
export async function loadProfileSnapshot(db: DataSource, tenant: Tenant, profileSlug: string): Promise<ProfileSnapshot | null> {
  const scope = new TenantScope(db.manager, tenant.id);
  const profile = await scope.findOne(Profile, { slug: profileSlug });
  if (!profile) return null;
  const [tools, servers, traceSettings, limits, scanSettings] = await Promise.all([
    scope.find(ProfileTool, { profileId: profile.id }, { exposedName: 'ASC' }),
    scope.find(McpServer),
    db.getRepository(TraceSettings).findOne({ where: { tenantId: tenant.id } }),
    db.getRepository(LimitSettings).findOne({ where: { tenantId: tenant.id } }),
    db.getRepository(ScanSettings).findOne({ where: { tenantId: tenant.id } }),
  ]);
  const serversById = new Map(servers.map((s) => [s.id, toUpstreamConfig(s)]));
  const pick = (ids: string[]) => ids.flatMap((id) => serversById.get(id) ?? []);
  return {
    tenantId: tenant.id,
    tenantSlug: tenant.slug,
    profileId: profile.id,
    profileSlug: profile.slug,
    tools: tools.flatMap((t) => {
      const server = serversById.get(t.serverId);
      if (!server) return [];
      return [
        {
          profileToolId: t.id,
          server,
          upstreamName: t.upstreamName,
          overrides: { exposedName: t.exposedName, descriptionOverride: t.descriptionOverride, pin: t.pin, hide: t.hide },
          approval: t.approval,
          approvedHash: t.approvedHash,
        },
      ];
    }),
    resourceServers: pick(profile.resourceServerIds),
    promptServers: pick(profile.promptServerIds),
    payloadPolicy: traceSettings ? { default: traceSettings.payloads, rules: traceSettings.toolRules } : KEEP_ALL_PAYLOADS,
    limits,
    scanning: scanPolicyFor(scanSettings, profile.slug),
  };
}

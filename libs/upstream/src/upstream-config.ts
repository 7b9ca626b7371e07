import type { UpstreamOAuthSettings, UpstreamTransportKind } from '@gatehouse/catalog';

/** What the gateway needs to reach one upstream MCP server. */
export interface UpstreamServerConfig {
  id: string;
  tenantId: string;
  name: string;
  transport: UpstreamTransportKind;
  url: string | null;
  command: string | null;
  args: string[];
  env: Record<string, string>;
  headers: Record<string, string>;
  /** Absent or null: the upstream takes no OAuth token from Gatehouse. */
  oauth?: UpstreamOAuthSettings | null;
  timeoutMs: number;
}

/** Changes to any of these fields mean the live connection must be replaced. */
export function connectionFingerprint(config: UpstreamServerConfig): string {
  const { transport, url, command, args, env, headers, oauth } = config;
  return JSON.stringify({ transport, url, command, args, env, headers, oauth: oauth ?? null });
}

import type { UpstreamTransportKind } from '@gatehouse/catalog';

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
  timeoutMs: number;
}

/** Changes to any of these fields mean the live connection must be replaced. */
export function connectionFingerprint(config: UpstreamServerConfig): string {
  const { transport, url, command, args, env, headers } = config;
  return JSON.stringify({ transport, url, command, args, env, headers });
}

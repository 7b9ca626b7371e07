export interface ToolSummary {
  name: string;
  description: string | null;
}

/** A server of the tenant with what the gateways report about it (GET /api/tenants/{t}/servers). */
export interface ServerHealth {
  name: string;
  transport: string;
  target: string;
  replicas: number;
  connectedOn: number;
  lastError: string | null;
  protocolVersion: string | null;
  tools: ToolSummary[] | null;
}

/** One gateway's fresh connection attempt (POST …/servers/{name}/test). */
export interface ProbeResult {
  ok: boolean;
  replica: string;
  latencyMs: number;
  error: string | null;
  protocolVersion: string | null;
  tools: ToolSummary[];
}

export type Transport = 'http' | 'sse' | 'stdio';

/** A server as a config file declares it (an entry of `servers:`); `${secret:NAME}` references are never resolved. */
export interface ServerEntry {
  name: string;
  transport: Transport;
  url?: string;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Not edited by the console; kept as it is when a server is edited. */
  oauth?: Record<string, unknown>;
}

/** GET /api/tenants/{t}/servers. */
export interface ServersView {
  items: ServerHealth[];
  config: ServerEntry[];
  yaml: string;
  stdioAllowed: boolean;
}

/** The answer to PUT and DELETE …/servers/{name}. */
export interface ServerChangeView {
  server: ServerEntry | null;
  changed: boolean;
  literalCredentials: string[];
  yaml: string;
}

export const serverPath = (tenant: string, name?: string) =>
  `/api/tenants/${encodeURIComponent(tenant)}/servers${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;

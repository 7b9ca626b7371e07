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

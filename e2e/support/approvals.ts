import { expect, inject } from 'vitest';
import type { DataSource } from 'typeorm';
import { startDemoHttpServer, type DemoHttpServer } from '@gatehouse/demo-servers';
import type { RunningGateway } from '@gatehouse/gateway';
import { loadApiConfig, startApi, type RunningApi } from '@gatehouse/api';
import { applyYaml, issueToken, openTestDatabase, startTestGateway } from './test-gateway';

/** The API as an approver uses it: list, read, decide. */
export class ApproverApi {
  constructor(
    private readonly apiUrl: string,
    private readonly tenant: string,
  ) {}

  async list(token: string, status?: string): Promise<Array<Record<string, unknown>>> {
    const response = await fetch(`${this.apiUrl}/api/tenants/${this.tenant}/approvals${status ? `?status=${status}` : ''}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: Array<Record<string, unknown>> }).items;
  }

  async get(token: string, id: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.apiUrl}/api/tenants/${this.tenant}/approvals/${id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  decide(token: string, id: string, decision: 'approve' | 'deny', reason?: string): Promise<Response> {
    return fetch(`${this.apiUrl}/api/tenants/${this.tenant}/approvals/${id}/${decision}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(reason ? { reason } : {}),
    });
  }

  /** Waits until a call to `tool` is held, and returns its approval. */
  async waitForPending(token: string, tool: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const held = (await this.list(token, 'pending')).find((a) => a.exposedTool === tool);
      if (held) return held;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no pending approval for ${tool} within ${timeoutMs} ms`);
  }

  /** Waits until the approval reaches a final execution state (or a non-approved status). */
  async waitForOutcome(token: string, id: string, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const approval = await this.get(token, id);
      if (approval.status !== 'pending' && approval.execution !== 'queued' && approval.execution !== 'running') return approval;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`approval ${id} did not finish within ${timeoutMs} ms`);
  }
}

/** A tenant with a code host upstream, two gateway workers on one queue, the API, and tokens per user. */
export interface ApprovalStage {
  db: DataSource;
  upstream: DemoHttpServer;
  gateways: RunningGateway[];
  api: RunningApi;
  approvers: ApproverApi;
  /** Bearer tokens by the local part of each user's email. */
  tokens: Record<string, string>;
  /** How often the upstream itself ran `delete_repository`. */
  deletes(): number;
  close(): Promise<void>;
}

export async function startApprovalStage(options: {
  tenant: string;
  yaml: (tenant: string, upstreamUrl: string) => string;
  users: string[];
  gatewayEnv: Record<string, string>;
}): Promise<ApprovalStage> {
  const db = await openTestDatabase();
  const upstream = await startDemoHttpServer('codehost');
  await applyYaml(db, options.yaml(options.tenant, upstream.url));
  const tokens: Record<string, string> = {};
  for (const who of options.users) tokens[who] = await issueToken(db, options.tenant, `${who}@${options.tenant}.test`);
  // Two gateway workers on one queue: whichever takes a job runs it.
  const gateways = [await startTestGateway(options.gatewayEnv), await startTestGateway(options.gatewayEnv)];
  const api = await startApi(
    loadApiConfig({ DATABASE_URL: inject('databaseUrl'), REDIS_URL: inject('redisUrl'), API_PORT: '0', LOG_LEVEL: 'silent' }),
  );
  return {
    db,
    upstream,
    gateways,
    api,
    tokens,
    approvers: new ApproverApi(api.url, options.tenant),
    deletes: () => upstream.stats().delete_repository ?? 0,
    close: async () => {
      await api.close();
      for (const g of gateways) await g.close();
      await upstream.close();
      await db.destroy();
    },
  };
}

/**
 * The tenant the approval, trace and export specs share: the demo code host, one `coding`
 * profile, developers (members) and leads (approvers). `settings` are tenant-level YAML lines
 * (approvals:, traces:, export: …), indented four spaces.
 */
export function codingTenantYaml(
  slug: string,
  url: string,
  options: { settings?: string; tools?: string[]; devs?: string[]; leads?: string[] } = {},
): string {
  const tools = options.tools ?? ['{ server: codehost, tool: list_repositories }', '{ server: codehost, tool: delete_repository }'];
  const users = [
    ...(options.devs ?? ['dev']).map((who) => `{ email: ${who}@${slug}.test, groups: [devs] }`),
    ...(options.leads ?? ['lead']).map((who) => `{ email: ${who}@${slug}.test, groups: [leads] }`),
  ];
  return `
tenants:
  - slug: ${slug}
    name: ${slug}${options.settings ? `\n${options.settings.replace(/^\n+|\n+$/g, '')}` : ''}
    servers: [{ name: codehost, transport: http, url: "${url}" }]
    profiles:
      - slug: coding
        tools:
${tools.map((t) => `          - ${t}`).join('\n')}
    groups:
      - { idpGroup: devs, role: member, profiles: [coding] }
      - { idpGroup: leads, role: approver, profiles: [coding] }
    users:
${users.map((u) => `      - ${u}`).join('\n')}
`;
}

import { expect } from 'vitest';

/** The API as an approver uses it: list, read, decide. */
export class ApproverApi {
  constructor(
    private readonly apiUrl: string,
    private readonly tenant: string,
  ) {}

  async list(token: string, status?: string): Promise<Array<Record<string, unknown>>> {
    const response = await fetch(`${this.apiUrl}/api/tenants/${this.tenant}/approvals${status ? `?status=${status}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: Array<Record<string, unknown>> }).items;
  }

  async get(token: string, id: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.apiUrl}/api/tenants/${this.tenant}/approvals/${id}`, { headers: { authorization: `Bearer ${token}` } });
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

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payloadHash, Trace } from '@gatehouse/audit';
import { connectClient, uniqueSlug } from '../support/test-gateway';
import { codingTenantYaml, startApprovalStage, type ApprovalStage } from '../support/approvals';
import { startOtlpReceiver } from '../support/otlp-receiver';

let receiverUrl = '';
const yaml = (slug: string, url: string) =>
  codingTenantYaml(slug, url, {
    settings: `
    export:
      otlp: { endpoint: "${receiverUrl}" }
      events: [tool_calls, audit]
      payloads: hashed`,
  });

const until = async (check: () => boolean, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('OpenTelemetry export: every tool call as spans and every audit event as a log record, to the tenant collector', () => {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let stage: ApprovalStage;
  const acme = uniqueSlug('acme');
  const rootsOf = (tool: string) =>
    receiver.spans.filter((s) => s.kind === 2 && s.attributes['gen_ai.tool.name'] === tool && s.attributes['gatehouse.tenant'] === acme);

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    receiverUrl = receiver.url;
    stage = await startApprovalStage({
      tenant: acme,
      yaml,
      users: ['dev', 'lead'],
      gatewayEnv: { GATEWAY_EXPORT_INTERVAL_MS: '100', GATEWAY_APPROVAL_POLL_MS: '2000' },
    });
  });
  afterAll(async () => {
    await stage?.close();
    await receiver?.stop();
  });

  it('exports a tool call as a SERVER span with MCP and GenAI attributes and its upstream call as a child', async () => {
    const client = await connectClient(stage.gateways[0]!.url, acme, 'coding', stage.tokens.dev!);
    const result = await client.callTool({ name: 'list_repositories', arguments: { owner: 'acme' } });
    await until(() => rootsOf('list_repositories').length === 1, 'the tool call span');
    const [root] = rootsOf('list_repositories');
    await stage.gateways[0]!.traces.flush();
    const trace = await stage.db.getRepository(Trace).findOneByOrFail({ exposedTool: 'list_repositories', userEmail: `dev@${acme}.test` });
    expect(root).toMatchObject({
      traceId: trace.id.replace(/-/g, ''),
      name: 'tools/call list_repositories',
      attributes: {
        'mcp.method.name': 'tools/call',
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'list_repositories',
        'mcp.session.id': trace.sessionId,
        'mcp.protocol.version': '2025-11-25',
        'gatehouse.tenant': acme,
        'gatehouse.profile': 'coding',
        'gatehouse.user': `dev@${acme}.test`,
        'gatehouse.server': 'codehost',
        'gatehouse.status': 'ok',
        'gatehouse.tool.arguments.sha256': payloadHash({ owner: 'acme' }),
        'gatehouse.tool.result.sha256': payloadHash(result),
      },
    });
    expect(JSON.stringify(root)).not.toContain('payments-api'); // hashed: the payload itself is not exported
    const upstream = receiver.spans.find((s) => s.parentSpanId === root!.spanId);
    expect(upstream).toMatchObject({ kind: 3, name: 'tools/call list_repositories', traceId: root!.traceId });
    await client.close();
  });

  it('exports a held call with its approval wait, and the decision as an audit log record', async () => {
    const client = await connectClient(stage.gateways[1]!.url, acme, 'coding', stage.tokens.dev!);
    const call = client.callTool({ name: 'delete_repository', arguments: { name: 'payments-api' } });
    const held = await stage.approvers.waitForPending(stage.tokens.lead!, 'delete_repository');
    expect((await stage.approvers.decide(stage.tokens.lead!, held.id as string, 'approve', 'CHG-7')).status).toBe(200);
    await call;
    await until(() => rootsOf('delete_repository').length === 1, 'the held call span');
    const [root] = rootsOf('delete_repository');
    expect(root!.attributes).toMatchObject({ 'gatehouse.approval.id': held.id, 'gatehouse.approval.decision': 'approved' });
    const children = receiver.spans.filter((s) => s.parentSpanId === root!.spanId);
    expect(children.map((s) => s.name).sort()).toEqual(['approval wait', 'tools/call delete_repository']);
    expect(children.find((s) => s.name === 'approval wait')!.attributes).toMatchObject({
      'gatehouse.approval.decided_by': `lead@${acme}.test`,
    });

    await until(
      () => receiver.logs.some((l) => l.attributes['gatehouse.action'] === 'approval.approve' && l.attributes['gatehouse.tenant'] === acme),
      'the decision log record',
    );
    const decision = receiver.logs.find(
      (l) => l.attributes['gatehouse.action'] === 'approval.approve' && l.attributes['gatehouse.tenant'] === acme,
    )!;
    expect(decision).toMatchObject({
      eventName: 'gatehouse.approval.approve',
      attributes: { 'gatehouse.actor': `lead@${acme}.test`, 'gatehouse.target.id': held.id, 'gatehouse.approval.decision': 'approved' },
    });
    await client.close();
  });

  it('keeps records while the collector is down under load, then delivers every one, once, in order', async () => {
    const client = await connectClient(stage.gateways[0]!.url, acme, 'coding', stage.tokens.dev!);
    const before = rootsOf('list_repositories').length;
    await receiver.stop();
    const calls = 80;
    await Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        for (let i = worker; i < calls; i += 8)
          expect(
            (await client.callTool({ name: 'list_repositories', arguments: { owner: `o${String(i).padStart(3, '0')}` } })).isError,
          ).toBeFalsy();
      }),
    );
    await new Promise((r) => setTimeout(r, 1500)); // export attempts fail meanwhile; the outbox keeps everything
    const waiting = await stage.db.query(
      `SELECT count(*)::int AS n FROM telemetry_outbox o JOIN tenants t ON t.id = o.tenant_id WHERE t.slug = $1`,
      [acme],
    );
    expect(waiting[0].n).toBeGreaterThanOrEqual(calls);
    await receiver.start();
    await until(() => rootsOf('list_repositories').length >= before + calls, 'every span after the outage', 60_000);
    await new Promise((r) => setTimeout(r, 500));
    const arrived = rootsOf('list_repositories').slice(before);
    expect(arrived).toHaveLength(calls); // none missing, none twice
    expect(new Set(arrived.map((s) => s.spanId)).size).toBe(calls);
    // In order: each record carries its outbox sequence, and they arrived strictly increasing.
    const sequence = arrived.map((s) => Number(s.attributes['gatehouse.export.sequence']));
    expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
    expect(new Set(sequence).size).toBe(calls);
    await client.close();
  });
});

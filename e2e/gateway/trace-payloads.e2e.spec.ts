import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payloadHash, Trace } from '@gatehouse/audit';
import { Approval } from '@gatehouse/approvals';
import { parseConfig } from '@gatehouse/config';
import { connectClient, uniqueSlug } from '../support/test-gateway';
import { codingTenantYaml, startApprovalStage, type ApprovalStage } from '../support/approvals';

const yaml = (
  slug: string,
  url: string,
  traces = `
    traces:
      payloads: full
      retention: 1d
      tools:
        - { server: codehost, tool: list_repositories, payloads: hashed }
        - { server: codehost, tool: delete_repository, payloads: none }`,
) =>
  codingTenantYaml(slug, url, {
    settings: traces,
    tools: [
      '{ server: codehost, tool: list_repositories }',
      '{ server: codehost, tool: clone_repository, approval: never }',
      '{ server: codehost, tool: delete_repository }',
    ],
  });

describe('trace payload policy: per tool in full, hashed or not at all, and purged after the retention', () => {
  let stage: ApprovalStage;
  const acme = uniqueSlug('acme');
  const traceOf = async (tool: string) => {
    await stage.gateways[0]!.traces.flush();
    const rows = await stage.db
      .getRepository(Trace)
      .find({ where: { exposedTool: tool, profile: 'coding' }, order: { createdAt: 'DESC' } });
    return rows.find((r) => r.userEmail === `dev@${acme}.test`) as Trace;
  };

  beforeAll(async () => {
    stage = await startApprovalStage({ tenant: acme, yaml, users: ['dev', 'lead'], gatewayEnv: { GATEWAY_APPROVAL_POLL_MS: '2000' } });
  });
  afterAll(() => stage?.close());

  it('keeps each tool the way the tenant says: a hash an auditor can check, nothing, or the payload', async () => {
    const client = await connectClient(stage.gateways[0]!.url, acme, 'coding', stage.tokens.dev!);
    const listed = await client.callTool({ name: 'list_repositories', arguments: { owner: 'acme' } });
    const cloned = await client.callTool({ name: 'clone_repository', arguments: { name: 'web-storefront', steps: 1 } });
    expect(listed.isError).toBeFalsy();
    expect(cloned.isError).toBeFalsy();

    const hashed = await traceOf('list_repositories');
    expect(hashed).toMatchObject({ status: 'ok', payloadMode: 'hashed', arguments: { sha256: payloadHash({ owner: 'acme' }) } });
    // The hash is over the result exactly as the client received it, so the client can verify it.
    expect(hashed.result).toEqual({ sha256: payloadHash(listed) });
    expect(JSON.stringify(hashed)).not.toContain('payments-api'); // the repository list itself is not kept
    expect(hashed.resultBytes).toBeGreaterThan(0);

    const full = await traceOf('clone_repository');
    expect(full).toMatchObject({ status: 'ok', payloadMode: null, arguments: { name: 'web-storefront', steps: 1 } });
    expect(JSON.stringify(full.result)).toContain('web-storefront');

    // A held call: the approver still sees the arguments; the trace keeps neither them nor the result.
    const call = client.callTool({ name: 'delete_repository', arguments: { name: 'payments-api' } });
    const held = await stage.approvers.waitForPending(stage.tokens.lead!, 'delete_repository');
    expect(held.arguments).toEqual({ name: 'payments-api' });
    expect((await stage.approvers.decide(stage.tokens.lead!, held.id as string, 'approve')).status).toBe(200);
    expect((await call).structuredContent).toMatchObject({ deleted: { name: 'payments-api' } }); // the client gets it all
    const none = await stage.db.getRepository(Trace).findOneByOrFail({ approvalId: held.id as string });
    expect(none).toMatchObject({ status: 'ok', payloadMode: 'none', arguments: null, result: null });
    expect(none.resultBytes).toBeGreaterThan(0);
    await client.close();
  });

  it('purges payloads past the retention from traces and decided approvals; the records stay and stay searchable', async () => {
    const tenantId = (await stage.approvers.list(stage.tokens.lead!))[0]!.tenantId as string;
    await stage.db.query(`UPDATE traces SET created_at = created_at - interval '2 days' WHERE tenant_id = $1`, [tenantId]);
    await stage.db.query(`UPDATE approvals SET created_at = created_at - interval '2 days' WHERE tenant_id = $1`, [tenantId]);
    const swept = await stage.gateways[0]!.sweepRetention();
    expect(swept.traces).toBeGreaterThanOrEqual(3);
    expect(swept.approvals).toBe(1);
    expect(await stage.gateways[1]!.sweepRetention()).toEqual({ traces: 0, approvals: 0 }); // idempotent across replicas

    const rows = await stage.db.getRepository(Trace).find({ where: { tenantId } });
    for (const row of rows) expect(row).toMatchObject({ payloadMode: 'purged', arguments: null, result: null, status: 'ok' });
    const approval = await stage.db.getRepository(Approval).findOneByOrFail({ tenantId });
    expect(approval).toMatchObject({ payloadPurged: true, arguments: {}, result: null, status: 'approved', execution: 'succeeded' });

    const search = await fetch(`${stage.api.url}/api/tenants/${acme}/traces?tool=clone_repository`, {
      headers: { authorization: `Bearer ${stage.tokens.lead}` },
    });
    expect(search.status).toBe(200);
    expect((await search.json()).items).toHaveLength(1);
  });

  it('refuses a rule for a server the tenant does not have, naming it and the line', () => {
    const bad = yaml(
      'bad',
      'http://127.0.0.1:1/mcp',
      `
    traces:
      tools:
        - { server: nope, tool: x, payloads: hashed }`,
    );
    expect(() => parseConfig(bad, 'bad.yaml')).toThrow(/bad\.yaml:\d+:\d+.*no server "nope" in this tenant/s);
  });
});

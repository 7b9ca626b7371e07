import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { queuePrefix } from '@gatehouse/core';
import { APPROVAL_QUEUES, signWebhook } from '@gatehouse/approvals';
import { Trace } from '@gatehouse/audit';
import type { DemoHttpServer } from '@gatehouse/demo-servers';
import type { RunningGateway } from '@gatehouse/gateway';
import type { RunningApi } from '@gatehouse/api';
import { applyYaml, connectClient, issueToken, uniqueSlug } from '../support/test-gateway';
import { codingTenantYaml, ApproverApi, startApprovalStage, type ApprovalStage } from '../support/approvals';

const yaml = (slug: string, url: string, timeout = '10m', webhook = '') =>
  codingTenantYaml(slug, url, {
    settings: `    approvals: { timeout: ${timeout}, approvers: approver${webhook} }`,
    tools: [
      '{ server: codehost, tool: list_repositories }',
      '{ server: codehost, tool: delete_repository }',
      '{ server: codehost, tool: clone_repository, approval: always }',
    ],
    leads: ['lead', 'lead2'],
  });

describe('approvals: destructive calls are held until an approver decides, and run exactly once', () => {
  let db: DataSource;
  let upstream: DemoHttpServer;
  let gateways: RunningGateway[];
  let api: RunningApi;
  let approvers: ApproverApi;
  let stage: ApprovalStage;
  const acme = uniqueSlug('acme');
  let tokens: Record<string, string> = {};
  const deletes = () => stage.deletes();

  beforeAll(async () => {
    stage = await startApprovalStage({
      tenant: acme,
      yaml,
      users: ['dev', 'lead', 'lead2'],
      gatewayEnv: { GATEWAY_APPROVAL_PROGRESS_MS: '150', GATEWAY_APPROVAL_POLL_MS: '2000', GATEWAY_APPROVAL_RECONCILE_MS: '500' },
    });
    ({ db, upstream, gateways, api, approvers, tokens } = stage);
  });
  afterAll(() => stage?.close());

  const trace = (approvalId: string) => db.getRepository(Trace).findOneByOrFail({ approvalId });

  it('runs a read-only tool at once, holds a destructive one until approved, then returns the real upstream result', async () => {
    const client = await connectClient(gateways[0]!.url, acme, 'coding', tokens.dev!);
    expect((await client.callTool({ name: 'list_repositories', arguments: {} })).isError).toBeFalsy();

    const before = deletes();
    const progress: string[] = [];
    const call = client.callTool(
      { name: 'delete_repository', arguments: { name: 'payments-api' } },
      { onprogress: (p) => progress.push(p.message ?? '') },
    );
    const held = await approvers.waitForPending(tokens.lead!, 'delete_repository');
    expect(held).toMatchObject({
      requesterEmail: `dev@${acme}.test`,
      clientName: 'e2e-legacy',
      profile: 'coding',
      server: 'codehost',
      upstreamTool: 'delete_repository',
      arguments: { name: 'payments-api' },
      status: 'pending',
    });
    expect(held.policyReason).toContain('destructiveHint: true');
    await new Promise((r) => setTimeout(r, 400));
    expect(deletes()).toBe(before); // held: nothing reached the upstream
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]).toContain(`approval ${held.id as string}`);
    expect((await trace(held.id as string)).status).toBe('pending_approval');

    const approved = await approvers.decide(
      tokens.lead!,
      held.id as string,
      'approve',
      'Repository is archived; deletion agreed in CHG-1234.',
    );
    expect(approved.status).toBe(200);
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ deleted: { name: 'payments-api' } });
    expect(deletes()).toBe(before + 1);

    const record = await approvers.waitForOutcome(tokens.lead!, held.id as string);
    expect(record).toMatchObject({
      status: 'approved',
      execution: 'succeeded',
      deciderEmail: `lead@${acme}.test`,
      reason: 'Repository is archived; deletion agreed in CHG-1234.',
    });
    expect(await trace(held.id as string)).toMatchObject({ status: 'ok', exposedTool: 'delete_repository', userEmail: `dev@${acme}.test` });
    await client.close();
  });

  it('holds a 2026-07-28 client the same way (approval: always on a non-destructive tool)', async () => {
    const client = await connectClient(gateways[1]!.url, acme, 'coding', tokens.dev!, 'modern');
    const call = client.callTool({ name: 'clone_repository', arguments: { name: 'design-system', steps: 1 } });
    const held = await approvers.waitForPending(tokens.lead!, 'clone_repository');
    expect(held.policyReason).toContain('approval: always');
    expect((await approvers.decide(tokens.lead2!, held.id as string, 'approve')).status).toBe(200);
    expect((await call).structuredContent).toMatchObject({ cloned: 'design-system' });
    await client.close();
  });

  it('returns an error naming the decision when an approver denies, and the call never runs', async () => {
    const client = await connectClient(gateways[0]!.url, acme, 'coding', tokens.dev!);
    const before = deletes();
    const call = client.callTool({ name: 'delete_repository', arguments: { name: 'web-storefront' } });
    const held = await approvers.waitForPending(tokens.lead!, 'delete_repository');
    expect((await approvers.decide(tokens.lead!, held.id as string, 'deny', 'Storefront is live; open a change request.')).status).toBe(
      200,
    );
    await expect(call).rejects.toThrow(
      new RegExp(
        `lead@${acme}.test denied this call to "delete_repository": Storefront is live; open a change request\\. It did not run\\.`,
      ),
    );
    expect(deletes()).toBe(before);
    expect(await trace(held.id as string)).toMatchObject({ status: 'denied', errorCode: 'approval_denied' });
    await client.close();
  });

  it('refuses self-approval, a second decision, and a member deciding; none changes anything', async () => {
    const client = await connectClient(gateways[0]!.url, acme, 'coding', tokens.lead!);
    const call = client.callTool({ name: 'delete_repository', arguments: { name: 'infra-terraform' } });
    call.catch(() => undefined);
    const held = await approvers.waitForPending(tokens.lead2!, 'delete_repository');
    const id = held.id as string;

    const self = await approvers.decide(tokens.lead!, id, 'approve');
    expect(self.status).toBe(403);
    expect((await self.json()).error.code).toBe('self_approval');
    expect((await approvers.decide(tokens.dev!, id, 'approve')).status).toBe(403);
    expect((await approvers.get(tokens.lead2!, id)).status).toBe('pending');

    // An approve and a deny race: exactly one wins, the other is a conflict.
    const [a, b] = await Promise.all([approvers.decide(tokens.lead2!, id, 'deny', 'no'), approvers.decide(tokens.lead2!, id, 'approve')]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const second = await approvers.decide(tokens.lead2!, id, 'approve');
    expect(second.status).toBe(409);
    expect((await second.json()).error.message).toMatch(/already (approved|denied) by lead2@/);
    await client.close();
  });

  it('runs an approved call once however often its job is delivered, by however many workers', async () => {
    const client = await connectClient(gateways[0]!.url, acme, 'coding', tokens.dev!);
    const before = deletes();
    const call = client.callTool({ name: 'delete_repository', arguments: { name: 'ml-forecasting' } });
    const held = await approvers.waitForPending(tokens.lead!, 'delete_repository');
    const id = held.id as string;
    // Redeliveries: the same approval queued under ten more job ids, taken by both gateways' workers at once.
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    const queue = new Queue(APPROVAL_QUEUES.execute, { connection: redis, prefix: queuePrefix({ DATABASE_URL: inject('databaseUrl') }) });
    const tenantId = (await approvers.get(tokens.lead!, id)).tenantId as string;
    expect((await approvers.decide(tokens.lead!, id, 'approve')).status).toBe(200);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => queue.add('execute', { approvalId: id, tenantId }, { jobId: `dup-${i}-${id}` })),
    );
    expect((await call).isError).toBeFalsy();
    await new Promise((r) => setTimeout(r, 500));
    expect(deletes()).toBe(before + 1);
    expect(await queue.getJobCounts('active', 'waiting')).toMatchObject({ active: 0, waiting: 0 });
    await queue.close();
    redis.disconnect();
    await client.close();
  });

  it("never lets one tenant's approver read or decide another tenant's approval", async () => {
    const globex = uniqueSlug('globex');
    await applyYaml(db, yaml(globex, upstream.url));
    const globexDev = await issueToken(db, globex, `dev@${globex}.test`);
    const globexLead = await issueToken(db, globex, `lead@${globex}.test`);
    const client = await connectClient(gateways[0]!.url, globex, 'coding', globexDev);
    const call = client.callTool({ name: 'delete_repository', arguments: { name: 'globex-cli' } });
    call.catch(() => undefined);
    const globexApprovers = new ApproverApi(api.url, globex);
    const foreign = (await globexApprovers.waitForPending(globexLead, 'delete_repository')).id as string;

    // acme's approver, on acme's routes, with globex's approval id: as if it did not exist.
    const read = await fetch(`${api.url}/api/tenants/${acme}/approvals/${foreign}`, {
      headers: { authorization: `Bearer ${tokens.lead}` },
    });
    expect(read.status).toBe(404);
    for (const decision of ['approve', 'deny'] as const) expect((await approvers.decide(tokens.lead!, foreign, decision)).status).toBe(404);
    expect((await approvers.list(tokens.lead!)).map((a) => a.id)).not.toContain(foreign);
    // …and on globex's routes: the tenant is not theirs.
    expect((await globexApprovers.decide(tokens.lead!, foreign, 'approve')).status).toBe(404);
    expect((await globexApprovers.get(globexLead, foreign)).status).toBe('pending');

    expect((await globexApprovers.decide(globexLead, foreign, 'deny', 'cleanup')).status).toBe(200);
    await expect(call).rejects.toThrow(/denied/);
    await client.close();
  });

  it('notifies approvers through a signed webhook, retried with backoff, without delaying the hold', async () => {
    const secret = 'whsec-0123456789abcdef';
    const deliveries: Array<{ at: number; body: string; signature: string; status: number }> = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const status = deliveries.length === 0 ? 503 : 204; // the approvers' endpoint is down at first
        deliveries.push({ at: Date.now(), body, signature: String(req.headers['x-gatehouse-signature']), status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/approvals`;
    await applyYaml(db, yaml(acme, upstream.url, '10m', `, webhook: { url: "${hook}", secret: "${secret}" }`));
    try {
      const client = await connectClient(gateways[0]!.url, acme, 'coding', tokens.dev!);
      const call = client.callTool({ name: 'delete_repository', arguments: { name: 'design-system' } });
      call.catch(() => undefined);
      const held = await approvers.waitForPending(tokens.lead!, 'delete_repository');
      const deadline = Date.now() + 10_000;
      while (deliveries.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(deliveries.map((d) => d.status)).toEqual([503, 204]);
      expect(deliveries[1]!.at - deliveries[0]!.at).toBeGreaterThanOrEqual(900); // backed off
      for (const delivery of deliveries) {
        const [t, v1] = delivery.signature.split(',').map((part) => part.split('=')[1]);
        expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${delivery.body}`).digest('hex'));
        expect(signWebhook('wrong-secret-0123456', delivery.body, Number(t))).not.toContain(v1);
      }
      expect(JSON.parse(deliveries[0]!.body)).toMatchObject({
        type: 'approval.requested',
        approval: {
          id: held.id,
          tenant: acme,
          tool: 'delete_repository',
          requester: `dev@${acme}.test`,
          arguments: { name: 'design-system' },
          client: 'e2e-legacy 9.9.9',
        },
      });
      expect((await approvers.decide(tokens.lead!, held.id as string, 'deny', 'webhook test')).status).toBe(200);
      await expect(call).rejects.toThrow(/denied/);
      await client.close();
    } finally {
      await applyYaml(db, yaml(acme, upstream.url));
      receiver.close();
    }
  });

  it('expires a call nobody decides on, tells the client, and refuses a late approval', async () => {
    await applyYaml(db, yaml(acme, upstream.url, '1s'));
    const client = await connectClient(gateways[0]!.url, acme, 'coding', tokens.dev!);
    const before = deletes();
    const started = Date.now();
    const call = client.callTool({ name: 'delete_repository', arguments: { name: 'globex-cli' } });
    const held = await approvers.waitForPending(tokens.lead!, 'delete_repository');
    await expect(call).rejects.toThrow(/No approver decided on this call to "delete_repository" within 1 s; it expired and did not run/);
    expect(Date.now() - started).toBeLessThan(5000);
    const late = await approvers.decide(tokens.lead!, held.id as string, 'approve');
    expect(late.status).toBe(409);
    expect((await late.json()).error.message).toMatch(/already expired/);
    expect(deletes()).toBe(before);
    expect(await trace(held.id as string)).toMatchObject({ status: 'denied', errorCode: 'approval_expired' });
    await applyYaml(db, yaml(acme, upstream.url));
    await client.close();
  });
});

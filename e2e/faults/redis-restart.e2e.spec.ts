import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { Client } from '@modelcontextprotocol/client';
import { startDemoHttpServer, type DemoHttpServer } from '@gatehouse/demo-servers';
import type { RunningGateway } from '@gatehouse/gateway';
import { loadApiConfig, startApi, type RunningApi } from '@gatehouse/api';
import { dropDatabase } from '@gatehouse/database';
import { Tenant } from '@gatehouse/tenancy';
import { applyYaml, connectClient, openIsolatedDatabase, issueToken, startTestGateway, uniqueSlug } from '../support/test-gateway';
import { ApproverApi } from '../support/approvals';
import { startSeverableProxy, targetOf, type SeverableProxy } from './support/severable-proxy';
import { keepCalling, sleep } from './support/call-load';

const yaml = (slug: string, url: string, extraTool = '') => `
tenants:
  - slug: ${slug}
    name: Redis restart
    limits: { user: 100000/min, tools: [{ server: codehost, tool: clone_repository, perUser: 2/h }] }
    servers: [{ name: codehost, transport: http, url: "${url}" }]
    profiles:
      - slug: coding
        tools:
          - { server: codehost, tool: list_repositories }
          - { server: codehost, tool: clone_repository }
          - { server: codehost, tool: delete_repository }${extraTool}
    groups:
      - { idpGroup: devs, role: member, profiles: [coding] }
      - { idpGroup: leads, role: approver, profiles: [coding] }
    users:
      - { email: dev@${slug}.test, groups: [devs] }
      - { email: dev2@${slug}.test, groups: [devs] }
      - { email: lead@${slug}.test, groups: [leads] }
`;

/**
 * Redis restarted. The gateway and the API reach the machine's Redis through a TCP proxy the test
 * severs (connections reset, port refusing) and restores; the real Redis, shared with other test
 * files, keeps running. Redis carries rate limits, config-change pub/sub and the approval queues,
 * so while it is away: non-destructive calls must go on; once it is back, held calls must resume.
 * (A Redis restart that also loses every queued job is approval-durability.e2e.spec.ts.)
 */
describe('fault: Redis restarts', () => {
  let dbUrl: string;
  let db: DataSource;
  let proxy: SeverableProxy;
  let upstream: DemoHttpServer;
  let gateway: RunningGateway;
  let api: RunningApi;
  const tenant = uniqueSlug('redisrestart');
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    // Its own database: the approval queues are named after it, so no other file's gateway takes these jobs.
    ({ url: dbUrl, db } = await openIsolatedDatabase('redisrestart'));
    upstream = await startDemoHttpServer('codehost');
    await applyYaml(db, yaml(tenant, upstream.url));
    for (const who of ['dev', 'dev2', 'lead']) tokens[who] = await issueToken(db, tenant, `${who}@${tenant}.test`);
    proxy = await startSeverableProxy(targetOf(inject('redisUrl')));
    const redisUrl = proxy.via(inject('redisUrl'));
    gateway = await startTestGateway({
      DATABASE_URL: dbUrl,
      REDIS_URL: redisUrl,
      GATEWAY_APPROVAL_POLL_MS: '300',
      GATEWAY_APPROVAL_RECONCILE_MS: '300',
    });
    api = await startApi(loadApiConfig({ DATABASE_URL: dbUrl, REDIS_URL: redisUrl, API_PORT: '0', LOG_LEVEL: 'silent' }));
  });
  afterAll(async () => {
    await api?.close();
    await gateway?.close();
    await proxy?.close();
    await upstream?.close();
    await db?.destroy();
    if (dbUrl) await dropDatabase(dbUrl);
  });

  it('keeps non-destructive calls going while Redis is away; limits and config changes resume with it', { timeout: 45_000 }, async () => {
    const clients: Record<string, Client> = {
      legacy: await connectClient(gateway.url, tenant, 'coding', tokens.dev!, 'legacy'),
      modern: await connectClient(gateway.url, tenant, 'coding', tokens.dev!, 'modern'),
    };
    const dev2 = await connectClient(gateway.url, tenant, 'coding', tokens.dev2!, 'legacy');
    try {
      const load = keepCalling(clients, { name: 'list_repositories', arguments: {} });
      await sleep(800);
      await proxy.sever();
      const severedAt = Date.now();
      // The per-tool quota (2 an hour) cannot be counted without Redis: calls go on unlimited.
      const clone = () => dev2.callTool({ name: 'clone_repository', arguments: { name: 'design-system', steps: 1 } });
      for (let i = 0; i < 3; i++) expect((await clone()).isError).toBeFalsy();
      // Still in the load balancer (it serves), with the outage in the body of /readyz.
      const ready = await fetch(`${gateway.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'degraded', dependencies: { postgres: 'up', redis: 'down' } });
      await sleep(2_500);
      await proxy.restore();
      const restoredAt = Date.now();
      await sleep(1_500);
      await load.stop();

      const calls = load.outcomes;
      const during = calls.filter((c) => c.endedAt >= severedAt && c.startedAt <= restoredAt);
      const failed = calls.filter((c) => c.error);
      console.info(
        `[fault:redis] ${calls.length} calls (${during.length} overlapping the ${restoredAt - severedAt} ms outage), ${failed.length} failed, ` +
          `slowest ${Math.max(...calls.map((c) => c.endedAt - c.startedAt))} ms`,
      );
      expect(during.length).toBeGreaterThan(10);
      expect(failed).toEqual([]);

      // Limits are enforced again once Redis is back.
      await expect.poll(async () => (await clone().catch((e: Error) => e)) instanceof Error, { timeout: 10_000, interval: 200 }).toBe(true);
      const limited = await clone().catch((e: Error) => e);
      expect(String(limited)).toContain('Rate limit reached for you on clone_repository (2 calls per hour)');

      // The gateway re-subscribed to config changes: a tool added now shows up without waiting for
      // the one-minute cache expiry.
      await applyYaml(db, yaml(tenant, upstream.url, '\n          - { server: codehost, tool: list_repositories, as: list_repos_again }'));
      await expect
        .poll(async () => (await clients.legacy!.listTools()).tools.map((t) => t.name), { timeout: 10_000, interval: 200 })
        .toContain('list_repos_again');
    } finally {
      for (const c of [...Object.values(clients), dev2]) await c.close().catch(() => undefined);
      await applyYaml(db, yaml(tenant, upstream.url));
    }
  });

  it(
    'resumes held calls: one held before the outage and one held during it are each answered and run once',
    { timeout: 45_000 },
    async () => {
      const approvers = new ApproverApi(api.url, tenant);
      const deletes = () => upstream.stats().delete_repository ?? 0;
      const before = deletes();
      const first = await connectClient(gateway.url, tenant, 'coding', tokens.dev!, 'legacy');
      const second = await connectClient(gateway.url, tenant, 'coding', tokens.dev2!, 'modern');
      try {
        const heldBefore = first.callTool({ name: 'delete_repository', arguments: { name: 'payments-api' } });
        const approvalBefore = await approvers.waitForPending(tokens.lead!, 'delete_repository');

        await proxy.sever();
        const heldDuring = second.callTool({ name: 'delete_repository', arguments: { name: 'web-storefront' } });
        // The hold is written to Postgres even though its deadline job cannot be queued.
        const approvalDuring = await waitForSecondPending(approvers, tokens.lead!, approvalBefore.id as string);
        await sleep(1_500);
        await proxy.restore();

        for (const approval of [approvalBefore, approvalDuring]) {
          expect((await approvers.decide(tokens.lead!, approval.id as string, 'approve')).status).toBe(200);
        }
        expect((await heldBefore).structuredContent).toMatchObject({ deleted: { name: 'payments-api' } });
        const during = await heldDuring;
        // A 2026-era client is held in rounds; its SDK retries until the outcome comes.
        expect(during.structuredContent).toMatchObject({ deleted: { name: 'web-storefront' } });
        await sleep(900); // a few reconciler sweeps: nothing may run a second time
        expect(deletes()).toBe(before + 2);
        const tenantId = (await db.getRepository(Tenant).findOneOrFail({ where: { slug: tenant } })).id;
        const outcomes = await db.query(`SELECT status, execution FROM approvals WHERE tenant_id = $1 AND id = ANY($2)`, [
          tenantId,
          [approvalBefore.id, approvalDuring.id],
        ]);
        expect(outcomes).toEqual([
          { status: 'approved', execution: 'succeeded' },
          { status: 'approved', execution: 'succeeded' },
        ]);
      } finally {
        await first.close().catch(() => undefined);
        await second.close().catch(() => undefined);
      }
    },
  );
});

/** The pending approval that is not `firstId` (the API lists by status, not by tool alone). */
async function waitForSecondPending(approvers: ApproverApi, token: string, firstId: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const pending = (await approvers.list(token, 'pending')).find((a) => a.id !== firstId);
    if (pending) return pending;
    await sleep(50);
  }
  throw new Error('the call made during the outage was never held');
}

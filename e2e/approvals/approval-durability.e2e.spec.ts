import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { Trace } from '@gatehouse/audit';
import { startDemoHttpServer, type DemoHttpServer } from '@gatehouse/demo-servers';
import { loadApiConfig, startApi, type RunningApi } from '@gatehouse/api';
import { dropDatabase } from '@gatehouse/database';
import { applyYaml, connectClient, openIsolatedDatabase, issueToken, startTestGateway, uniqueSlug } from '../support/test-gateway';
import { ApproverApi } from '../support/approvals';
import { freePort, kill, spawnGateway, spawnRedis } from '../support/processes';

const yaml = (slug: string, url: string) => `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers: [{ name: codehost, transport: http, url: "${url}" }]
    profiles:
      - slug: coding
        tools: [{ server: codehost, tool: delete_repository }, { server: codehost, tool: clone_repository, approval: always }]
    groups:
      - { idpGroup: devs, role: member, profiles: [coding] }
      - { idpGroup: leads, role: approver, profiles: [coding] }
    users:
      - { email: dev@${slug}.test, groups: [devs] }
      - { email: lead@${slug}.test, groups: [leads] }
`;

const FAST = { GATEWAY_APPROVAL_POLL_MS: '300', GATEWAY_APPROVAL_RECONCILE_MS: '300' };
const gatewayEnv = (dbUrl: string, extra: Record<string, string> = {}) => ({ DATABASE_URL: dbUrl, ...FAST, ...extra });

// Its own database: every gateway worker on a database takes its approvals, and this file needs
// to control exactly which workers are alive.
describe('approvals survive restarts: nothing pending is lost, nothing runs twice', () => {
  let db: DataSource;
  let dbUrl: string;
  let upstream: DemoHttpServer;
  const acme = uniqueSlug('acme');
  const tokens: Record<string, string> = {};
  const deletes = () => upstream.stats().delete_repository ?? 0;
  const startTestApi = (redisUrl = inject('redisUrl')) =>
    startApi(loadApiConfig({ DATABASE_URL: dbUrl, REDIS_URL: redisUrl, API_PORT: '0', LOG_LEVEL: 'silent' }));

  beforeAll(async () => {
    ({ url: dbUrl, db } = await openIsolatedDatabase('approvals', 4));
    upstream = await startDemoHttpServer('codehost');
    await applyYaml(db, yaml(acme, upstream.url));
    tokens.dev = await issueToken(db, acme, `dev@${acme}.test`);
    tokens.lead = await issueToken(db, acme, `lead@${acme}.test`);
  });
  afterAll(async () => {
    await upstream?.close();
    await db?.destroy();
    if (dbUrl) await dropDatabase(dbUrl);
  });

  it('a call held by a gateway that is killed, approved through a restarted API, runs once on the next gateway', async () => {
    const env = { ...gatewayEnv(dbUrl), REDIS_URL: inject('redisUrl'), TRACE_SPOOL_DIR: mkdtempSync(join(tmpdir(), 'gh-spool-')) };
    const doomed = await spawnGateway(env);
    let api: RunningApi = await startTestApi();
    const before = deletes();
    try {
      const client = await connectClient(doomed.url, acme, 'coding', tokens.dev!);
      const call = client.callTool({ name: 'delete_repository', arguments: { name: 'payments-api' } });
      call.catch(() => undefined); // its gateway dies; the client may wait to resume, or give up
      const held = await new ApproverApi(api.url, acme).waitForPending(tokens.lead!, 'delete_repository');
      await kill(doomed.process); // every gateway worker is gone
      void client.close().catch(() => undefined);
      await api.close();
      api = await startTestApi(); // and the API restarts
      const approvers = new ApproverApi(api.url, acme);
      expect((await approvers.get(tokens.lead!, held.id as string)).status).toBe('pending');
      expect((await approvers.decide(tokens.lead!, held.id as string, 'approve')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      expect(deletes()).toBe(before); // no worker alive yet: queued, not run

      const successor = await startTestGateway(gatewayEnv(dbUrl));
      try {
        const done = await approvers.waitForOutcome(tokens.lead!, held.id as string);
        expect(done).toMatchObject({ status: 'approved', execution: 'succeeded' });
        expect((done.result as { structuredContent: unknown }).structuredContent).toMatchObject({ deleted: { name: 'payments-api' } });
        await new Promise((r) => setTimeout(r, 600)); // a reconciler sweep or two
        expect(deletes()).toBe(before + 1);
        expect(await db.getRepository(Trace).findOneByOrFail({ approvalId: held.id as string })).toMatchObject({ status: 'ok' });
      } finally {
        await successor.close();
      }
    } finally {
      await kill(doomed.process);
      await api.close();
    }
  });

  it('an approval made while Redis is down, and a Redis restart that loses every job, still runs the call once and answers the waiting client', async () => {
    const port = await freePort();
    const redisUrl = `redis://127.0.0.1:${port}`;
    let redis = await spawnRedis(port);
    const gateway = await startTestGateway(gatewayEnv(dbUrl, { REDIS_URL: redisUrl }));
    const api = await startTestApi(redisUrl);
    const approvers = new ApproverApi(api.url, acme);
    const before = deletes();
    try {
      const client = await connectClient(gateway.url, acme, 'coding', tokens.dev!);
      const call = client.callTool({ name: 'delete_repository', arguments: { name: 'web-storefront' } });
      const held = await approvers.waitForPending(tokens.lead!, 'delete_repository');
      await kill(redis); // jobs gone: Redis here keeps nothing on disk
      expect((await approvers.decide(tokens.lead!, held.id as string, 'approve')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 500));
      expect(deletes()).toBe(before);
      redis = await spawnRedis(port);
      const result = await call; // the held client is answered once the reconciler requeues the work
      expect(result.structuredContent).toMatchObject({ deleted: { name: 'web-storefront' } });
      await new Promise((r) => setTimeout(r, 600));
      expect(deletes()).toBe(before + 1);
      await client.close();
    } finally {
      await api.close();
      await gateway.close();
      await kill(redis);
    }
  });

  it('never runs a call twice when its worker dies mid-call: the execution is marked interrupted for a human', async () => {
    const env = { ...gatewayEnv(dbUrl), REDIS_URL: inject('redisUrl'), TRACE_SPOOL_DIR: mkdtempSync(join(tmpdir(), 'gh-spool-')) };
    const worker = await spawnGateway(env);
    const api = await startTestApi();
    const approvers = new ApproverApi(api.url, acme);
    const clones = () => upstream.stats().clone_repository ?? 0;
    const before = clones();
    try {
      const client = await connectClient(worker.url, acme, 'coding', tokens.dev!);
      const call = client.callTool({ name: 'clone_repository', arguments: { name: 'design-system', steps: 100 } }); // ~5 s upstream
      call.catch(() => undefined);
      const held = await approvers.waitForPending(tokens.lead!, 'clone_repository');
      expect((await approvers.decide(tokens.lead!, held.id as string, 'approve')).status).toBe(200);
      const deadline = Date.now() + 10_000;
      while (clones() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(clones()).toBe(before + 1); // the upstream started it
      await kill(worker.process); // …and its worker dies mid-call

      const successor = await startTestGateway(gatewayEnv(dbUrl, { GATEWAY_APPROVAL_EXECUTION_LIMIT_MS: '1000' }));
      try {
        const done = await approvers.waitForOutcome(tokens.lead!, held.id as string);
        expect(done).toMatchObject({ status: 'approved', execution: 'interrupted' });
        expect(done.executionError).toMatch(/may or may not have run it, and Gatehouse will not run it again/);
        expect(await db.getRepository(Trace).findOneByOrFail({ approvalId: held.id as string })).toMatchObject({
          status: 'error',
          errorCode: 'execution_interrupted',
        });
        await new Promise((r) => setTimeout(r, 600));
        expect(clones()).toBe(before + 1);
      } finally {
        await successor.close();
      }
      void client.close().catch(() => undefined);
    } finally {
      await kill(worker.process);
      await api.close();
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import type { DataSource } from 'typeorm';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { startDemoHttpServer, type DemoHttpServer } from '@gatehouse/demo-servers';
import { startConformanceServer, WATCHED_RESOURCE_URI, type ConformanceServer } from '@gatehouse/conformance-server';
import { loadApiConfig, startApi, type RunningApi } from '@gatehouse/api';
import { dropDatabase } from '@gatehouse/database';
import { applyYaml, connectClient, issueToken, openIsolatedDatabase, uniqueSlug, type Era } from '../support/test-gateway';
import { ApproverApi } from '../support/approvals';
import { EVERYTHING_BIN } from '../support/demo-tenant-yaml';
import { modernRpc } from '../support/modern-rpc';
import { kill, spawnGateway } from '../support/processes';
import { keepCalling, sleep } from '../faults/support/call-load';
import { startRoundRobinProxy, type RoundRobinProxy } from './support/round-robin-proxy';

const VICTIM = 1;

const yaml = (slug: string, url: string, confUrl: string, listAs = 'list_repositories') => `
tenants:
  - slug: ${slug}
    name: ${slug}
    servers:
      - { name: codehost, transport: http, url: "${url}" }
      - { name: everything, transport: stdio, command: "${process.execPath}", args: ["${EVERYTHING_BIN}", "stdio"] }
      - { name: conf, transport: http, url: "${confUrl}" }
    profiles:
      - slug: coding
        tools:
          - { server: codehost, tool: list_repositories, as: ${listAs} }
          - { server: codehost, tool: clone_repository, approval: never }
          - { server: codehost, tool: delete_repository, approval: always }
          - { server: everything, tool: trigger-sampling-request, as: ask_model }
          - { server: everything, tool: trigger-elicitation-request, as: ask_user }
          - { server: conf, tool: update_watched_resource, approval: never }
        resources: [conf]
    groups:
      - { idpGroup: devs, role: member, profiles: [coding] }
      - { idpGroup: leads, role: approver, profiles: [coding] }
    users:
      - { email: dev@${slug}.test, groups: [devs] }
      - { email: lead@${slug}.test, groups: [leads] }
`;

/**
 * Issue 7 point 3: three gateway processes behind a round-robin load balancer without
 * stickiness serve one client's 2025-era session (initialize on one, calls on the others,
 * notifications and approval holds delivered, streams resumed elsewhere); config changes reach
 * every replica; a replica killed mid-load fails only the calls it had in flight.
 */
describe('scale-out: any replica serves any request of any session', () => {
  let db: DataSource;
  let dbUrl: string;
  let upstream: DemoHttpServer;
  let conf: ConformanceServer;
  let api: RunningApi;
  let proxy: RoundRobinProxy;
  const replicas: Array<{ url: string; process: ChildProcess; spool: string }> = [];
  const tenant = uniqueSlug('scale');
  const tokens: Record<string, string> = {};
  const clients: Client[] = [];
  const connect = async (era: Era = 'legacy', who = 'dev') => {
    const client = await connectClient(proxy.url, tenant, 'coding', tokens[who] as string, era);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    ({ url: dbUrl, db } = await openIsolatedDatabase('scale', 4));
    upstream = await startDemoHttpServer('codehost');
    conf = await startConformanceServer({ onerror: () => undefined });
    await applyYaml(db, yaml(tenant, upstream.url, conf.url));
    tokens.dev = await issueToken(db, tenant, `dev@${tenant}.test`);
    tokens.lead = await issueToken(db, tenant, `lead@${tenant}.test`);
    for (let i = 0; i < 3; i++) {
      const spool = mkdtempSync(join(tmpdir(), `gh-scale-${i}-`));
      const gateway = await spawnGateway(
        {
          DATABASE_URL: dbUrl,
          REDIS_URL: inject('redisUrl'),
          TRACE_SPOOL_DIR: spool,
          GATEWAY_APPROVAL_POLL_MS: '300',
          // Long calls have their stream closed after 300 ms: the client resumes through the balancer.
          GATEWAY_SSE_POLL_AFTER_MS: '300',
          GATEWAY_SSE_RETRY_MS: '50',
          // The replica the last test kills holds its traces in memory for a second: without the
          // on-disk journal, the kill would lose the traces of every call it answered in that second.
          ...(i === VICTIM ? { TRACE_FLUSH_MS: '1000' } : {}),
          LOG_LEVEL: process.env.SCALE_DEBUG ? 'debug' : 'warn',
        },
        { captureOutput: !!process.env.SCALE_DEBUG },
      );
      replicas.push({ ...gateway, spool });
    }
    proxy = await startRoundRobinProxy(replicas.map((r) => r.url));
    // Each replica connects to the upstreams (one spawns a stdio server) before any test times it.
    for (const replica of replicas) await modernRpc(`${replica.url}/mcp/${tenant}/coding`, tokens.dev as string, 'tools/list', {});
    api = await startApi(loadApiConfig({ DATABASE_URL: dbUrl, REDIS_URL: inject('redisUrl'), API_PORT: '0', LOG_LEVEL: 'silent' }));
  }, 60_000);
  afterAll(async () => {
    if (process.env.SCALE_DEBUG) console.log(JSON.stringify(proxy.served));
    if (process.env.SCALE_DEBUG) for (const r of replicas) console.log((r as unknown as { output(): string }).output().slice(-6000));
    for (const client of clients) await client.close().catch(() => undefined);
    await proxy?.close();
    for (const replica of replicas) await kill(replica.process);
    await api?.close();
    await upstream?.close();
    await conf?.close();
    await db?.destroy();
    if (dbUrl) await dropDatabase(dbUrl);
    for (const replica of replicas) rmSync(replica.spool, { recursive: true, force: true });
  });

  const backendsOf = (sessionId: string | undefined) =>
    new Set(proxy.served.filter((s) => s.sessionId === sessionId).map((s) => s.backend));

  it('serves one session on all three replicas: initialize on one, calls with progress on the others', async () => {
    const client = await connect();
    const progress: number[] = [];
    for (let i = 0; i < 4; i++) {
      const list = await client.callTool({ name: 'list_repositories', arguments: {} });
      expect(list.isError).toBeFalsy();
    }
    const clone = await client.callTool(
      { name: 'clone_repository', arguments: { name: 'payments-api', steps: 3 } },
      { onprogress: (p) => progress.push(p.progress) },
    );
    expect(clone.structuredContent).toMatchObject({ cloned: 'payments-api', steps: 3 });
    expect(progress).toEqual([1, 2, 3]);
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId;
    expect(backendsOf(sessionId)).toEqual(new Set([0, 1, 2]));
  });

  it('resumes a long call whose stream was closed on another replica, and delivers every progress event as it happens', async () => {
    const client = await connect();
    const progress: number[] = [];
    const arrived: number[] = [];
    const clone = await client.callTool(
      { name: 'clone_repository', arguments: { name: 'payments-api', steps: 20 } },
      {
        onprogress: (p) => {
          progress.push(p.progress);
          arrived.push(Date.now());
        },
        resetTimeoutOnProgress: true,
      },
    );
    expect(clone.structuredContent).toMatchObject({ cloned: 'payments-api', steps: 20 });
    expect(progress).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Steps are 50 ms apart and the first stream closes after 300 ms: the last ten events come
    // over resumed streams, still spread over ~500 ms rather than in one batch with the result.
    expect((arrived[19] as number) - (arrived[9] as number)).toBeGreaterThan(300);
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId;
    const resumed = proxy.served.filter((s) => s.sessionId === sessionId && s.method === 'GET' && s.lastEventId);
    expect(resumed.length).toBeGreaterThan(0);
    const posted = proxy.served.find((s) => s.sessionId === sessionId && s.method === 'POST' && !s.lastEventId);
    expect(resumed.some((s) => s.backend !== posted?.backend)).toBe(true);
  });

  it('delivers a cancellation posted to another replica to the one running the call (session bus)', async () => {
    const client = await connect();
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId;
    const ran = () => proxy.served.find((s) => s.sessionId === sessionId && s.rpcMethod === 'tools/call')?.backend;
    // Once the call runs, its resumed streams and the cancellation go to the replicas not running it.
    proxy.steer((r) => {
      const running = ran();
      if (r.sessionId !== sessionId || running === undefined) return undefined;
      if (r.rpcMethod === 'notifications/cancelled') return (running + 1) % replicas.length;
      return r.method === 'GET' && r.lastEventId ? (running + 2) % replicas.length : undefined;
    });
    const controller = new AbortController();
    const progress: number[] = [];
    const call = client.callTool(
      { name: 'clone_repository', arguments: { name: 'payments-api', steps: 40 } },
      {
        signal: controller.signal,
        onprogress: (p) => {
          progress.push(p.progress);
          // Past the first stream's 300 ms: the progress comes over a resumed stream, as it does
          // for any call that outlives GATEWAY_SSE_POLL_AFTER_MS.
          if (progress.length === 10) controller.abort();
        },
      },
    );
    await expect(call).rejects.toThrow();
    // The client sends notifications/cancelled after rejecting the call.
    const cancelPost = () => proxy.served.find((s) => s.sessionId === sessionId && s.rpcMethod === 'notifications/cancelled');
    await expect.poll(cancelPost).toBeDefined();
    proxy.steer(undefined);
    expect(cancelPost()?.backend).not.toBe(ran());
    const resumedOn = proxy.served.filter((s) => s.sessionId === sessionId && s.method === 'GET' && s.lastEventId).map((s) => s.backend);
    expect(resumedOn.length).toBeGreaterThan(0);
    expect(resumedOn).not.toContain(ran());
    // The running replica stopped the upstream call: its trace ends as cancelled well before the
    // 40 steps would have, and no replica kept sending progress.
    const trace = async () =>
      (
        (await db.query(`SELECT t.status, t.latency_ms FROM traces t WHERE t.session_id = $1 AND t.exposed_tool = 'clone_repository'`, [
          sessionId,
        ])) as Array<{ status: string; latency_ms: number }>
      )[0];
    await expect.poll(trace, { timeout: 10_000 }).toBeDefined();
    const row = (await trace()) as { status: string; latency_ms: number };
    expect(row.status).toBe('error');
    expect(Number(row.latency_ms)).toBeLessThan(2_000); // 40 steps of 50 ms
  });

  it('stops a 2026-07-28 call whose client aborts, on whichever replica the balancer sent it to', async () => {
    const client = await connect('modern');
    const controller = new AbortController();
    const startedAt = new Date();
    const call = client.callTool(
      { name: 'clone_repository', arguments: { name: 'payments-api', steps: 40 } },
      { signal: controller.signal, onprogress: (p) => void (p.progress === 10 && controller.abort()) },
    );
    await expect(call).rejects.toThrow();
    const trace = async () =>
      (
        (await db.query(
          `SELECT status, latency_ms FROM traces WHERE client_name = 'e2e-modern' AND exposed_tool = 'clone_repository' AND created_at >= $1`,
          [startedAt],
        )) as Array<{ status: string; latency_ms: number }>
      )[0];
    await expect.poll(trace, { timeout: 10_000 }).toBeDefined();
    expect(await trace()).toMatchObject({ status: 'error' });
    expect(Number((await trace())?.latency_ms)).toBeLessThan(2_000); // 40 steps of 50 ms
  });

  it("relays the upstream's sampling and elicitation requests, and the client's answers posted to other replicas reach the call", async () => {
    const client = new Client(
      { name: 'e2e-relay', version: '1.0.0' },
      { capabilities: { sampling: {}, elicitation: { form: {} } }, versionNegotiation: { mode: 'legacy' } },
    );
    const asked: string[] = [];
    client.setRequestHandler('sampling/createMessage', async (request) => {
      asked.push(request.method);
      return { model: 'test-model', role: 'assistant', content: { type: 'text', text: 'forty-two' } };
    });
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(request.method);
      return { action: 'accept', content: { name: 'Ada Lovelace', check: true } };
    });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${proxy.url}/mcp/${tenant}/coding`), {
        requestInit: { headers: { Authorization: `Bearer ${tokens.dev}` } },
      }),
    );
    clients.push(client);
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId;
    const callsOn = () => proxy.served.filter((s) => s.sessionId === sessionId && s.rpcMethod === 'tools/call').map((s) => s.backend);
    // The client's answers (POSTs of JSON-RPC responses, no method) go to a replica not running the call.
    proxy.steer((r) => {
      const running = callsOn().at(-1);
      return r.sessionId === sessionId && r.method === 'POST' && !r.rpcMethod && running !== undefined
        ? (running + 1) % replicas.length
        : undefined;
    });
    try {
      const sampled = await client.callTool({ name: 'ask_model', arguments: { prompt: 'the answer?' } });
      expect(sampled.isError).toBeFalsy();
      expect(JSON.stringify(sampled.content)).toContain('forty-two');
      const elicited = await client.callTool({ name: 'ask_user', arguments: {} });
      expect(elicited.isError).toBeFalsy();
      expect(JSON.stringify(elicited.content)).toContain('Ada Lovelace');
    } finally {
      proxy.steer(undefined);
    }
    expect(asked).toEqual(['sampling/createMessage', 'elicitation/create']);
    const answers = proxy.served.filter((s) => s.sessionId === sessionId && s.method === 'POST' && !s.rpcMethod);
    expect(answers).toHaveLength(2);
    answers.forEach((answer, i) => expect(answer.backend).not.toBe(callsOn()[i]));
  });

  it('delivers resource updates to a session whose subscribe, GET stream and triggering call are on three different replicas', async () => {
    const client = await connect();
    const updated: string[] = [];
    client.setNotificationHandler('notifications/resources/updated', (n) => void updated.push(n.params.uri));
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId;
    // The standalone GET stream is opened after initialize; give it a moment to land on a replica.
    await sleep(300);
    const streamOn = proxy.routed.findLast((s) => s.sessionId === sessionId && s.method === 'GET' && !s.lastEventId)?.backend;
    expect(streamOn).toBeDefined();
    const other = (k: number) => ((streamOn as number) + k) % replicas.length;
    proxy.steer((r) =>
      r.sessionId !== sessionId
        ? undefined
        : r.rpcMethod === 'resources/subscribe'
          ? other(1)
          : r.rpcMethod === 'tools/call'
            ? other(2)
            : undefined,
    );
    try {
      await client.subscribeResource({ uri: WATCHED_RESOURCE_URI });
      // The subscription reaches the other replicas over the session bus; each subscribes upstream.
      await sleep(300);
      await client.callTool({ name: 'update_watched_resource', arguments: {} });
      await expect.poll(() => updated, { timeout: 5_000 }).toEqual([WATCHED_RESOURCE_URI]);
    } finally {
      proxy.steer(undefined);
    }
    const landed = proxy.served.filter(
      (s) => s.sessionId === sessionId && ['resources/subscribe', 'tools/call'].includes(s.rpcMethod ?? ''),
    );
    expect(new Set([streamOn, ...landed.map((s) => s.backend)]).size).toBe(3);
    // Every replica holding the session hears the upstream; only the one with the GET stream delivers.
    await sleep(500);
    expect(updated).toEqual([WATCHED_RESOURCE_URI]);
  });

  it('holds a destructive call, and the approval reaches the client whichever replicas its requests land on', async () => {
    const client = await connect();
    const approvers = new ApproverApi(api.url, tenant);
    const call = client.callTool(
      { name: 'delete_repository', arguments: { name: 'legacy-billing' } },
      { resetTimeoutOnProgress: true, timeout: 30_000 },
    );
    const held = await approvers.waitForPending(tokens.lead as string, 'delete_repository');
    // The hold outlives several stream closures (300 ms each), each resumed on the next replica.
    await sleep(1_000);
    expect((await approvers.decide(tokens.lead as string, held.id as string, 'approve', 'scale test')).status).toBe(200);
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(upstream.stats().delete_repository).toBe(1);
  });

  it('tells a session about a config change on its GET stream, and every replica applies it within a second', async () => {
    const client = await connect();
    const changed = new Promise<void>((resolve) => client.setNotificationHandler('notifications/tools/list_changed', () => resolve()));
    // The standalone GET stream is opened after initialize; give it a moment to land on a replica.
    await sleep(300);
    await applyYaml(db, yaml(tenant, upstream.url, conf.url, 'list_repos'));
    const appliedAt = Date.now(); // the change is committed and announced
    try {
      const seenAt: number[] = [];
      await Promise.all(
        replicas.map(async (replica) => {
          while (Date.now() - appliedAt < 5_000) {
            const reply = await modernRpc(`${replica.url}/mcp/${tenant}/coding`, tokens.dev as string, 'tools/list', {});
            const names = ((reply.result as { tools?: Array<{ name: string }> })?.tools ?? []).map((t) => t.name);
            if (names.includes('list_repos')) return void seenAt.push(Date.now() - appliedAt);
            await sleep(10);
          }
        }),
      );
      console.info(`config change served by each replica after ${seenAt.join(', ')} ms`);
      expect(seenAt).toHaveLength(3);
      expect(Math.max(...seenAt)).toBeLessThan(1_000);
      await changed;
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('list_repos');
    } finally {
      await applyYaml(db, yaml(tenant, upstream.url, conf.url));
    }
  });

  it(
    'a replica killed (SIGKILL) mid-load fails only the calls it had in flight, and every answered call is traced',
    { timeout: 60_000 },
    async () => {
      const load: Record<string, Client> = {};
      for (let i = 0; i < 4; i++) load[`legacy${i}`] = await connect('legacy');
      for (let i = 0; i < 2; i++) load[`modern${i}`] = await connect('modern');
      const started = Date.now();
      const calls = keepCalling(load, { name: 'list_repositories', arguments: {} }, 2);
      await sleep(1_500);
      const victim = replicas[VICTIM]!;
      await kill(victim.process);
      const killedAt = Date.now(); // the process is gone: no call started later may reach it
      await sleep(2_500);
      await calls.stop();

      const failed = calls.outcomes.filter((o) => o.error);
      const succeeded = calls.outcomes.length - failed.length;
      console.info(
        `kill test: ${calls.outcomes.length} calls, ${failed.length} failed`,
        failed.map((f) => f.error?.slice(0, 160)),
      );
      expect(succeeded).toBeGreaterThan(20);
      for (const failure of failed) {
        // Only calls the killed replica was running fail: cut off mid-response, or answered by
        // another replica with a clear error once the killed one's heartbeat expired.
        expect(failure.startedAt).toBeLessThan(killedAt);
        const onVictim = failure.error?.includes(`"backend":${VICTIM},`) || failure.error?.includes('replica running this request stopped');
        expect(onVictim, failure.error).toBe(true);
      }
      // Every client, including those whose sessions the killed replica had served, goes on calling.
      for (const name of Object.keys(load)) {
        expect(
          calls.outcomes.some((o) => o.client === name && !o.error && o.startedAt > killedAt),
          name,
        ).toBe(true);
      }

      // The orchestrator restarts the killed replica on its volume: it adopts the trace journal the
      // killed process left behind and replays it.
      const restarted = await spawnGateway({ DATABASE_URL: dbUrl, REDIS_URL: inject('redisUrl'), TRACE_SPOOL_DIR: victim.spool });
      replicas.push({ ...restarted, spool: victim.spool });
      const traced = async () =>
        Number(
          (
            await db.query(
              `SELECT count(*)::int AS n FROM traces t JOIN tenants ON tenants.id = t.tenant_id WHERE tenants.slug = $1 AND t.exposed_tool = 'list_repositories' AND t.status = 'ok' AND t.created_at >= $2`,
              [tenant, new Date(started)],
            )
          )[0].n,
        );
      const deadline = Date.now() + 10_000;
      while ((await traced()) < succeeded && Date.now() < deadline) await sleep(100);
      expect(await traced()).toBe(succeeded);
    },
  );
});

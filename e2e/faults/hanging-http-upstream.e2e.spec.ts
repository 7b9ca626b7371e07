import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { ProtocolError, type Client } from '@modelcontextprotocol/client';
import type { RunningGateway } from '@gatehouse/gateway';
import { searchTraces } from '@gatehouse/audit';
import { Tenant } from '@gatehouse/tenancy';
import { applyYaml, connectClient, issueToken, openTestDatabase, startTestGateway, uniqueSlug, type Era } from '../support/test-gateway';
import { startHangingUpstream, type HangingUpstream, type HangingUpstreamKind } from './support/hanging-upstream';
import { sleep } from './support/call-load';

const TIMEOUT_MS = 1_500;

/**
 * An upstream HTTP server that hangs: its `hang` tool never answers. The server's `timeoutMs` must
 * end the call with a clear JSON-RPC error and cancel it upstream; a client that gives up must have
 * its cancellation reach the upstream; and nothing else may wait behind the hung call. Both ways an
 * upstream is cancelled are covered: a 2026-07-28 upstream (the call's request is closed) and a
 * 2025-era upstream with sessions (`notifications/cancelled`).
 */
describe.each<HangingUpstreamKind>(['modern', 'sessions'])('fault: an upstream HTTP server hanging (%s upstream)', (kind) => {
  let db: DataSource;
  let gateway: RunningGateway;
  let upstream: HangingUpstream;
  const tenant = uniqueSlug(`hang-${kind}`);
  let tenantId: string;
  let token: string;
  const clients: Client[] = [];
  const connect = async (era: Era) => {
    const client = await connectClient(gateway.url, tenant, 'main', token, era);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    db = await openTestDatabase();
    upstream = await startHangingUpstream(kind);
    await applyYaml(
      db,
      `
tenants:
  - slug: ${tenant}
    name: Hanging upstream
    servers:
      - { name: slow, transport: http, url: "${upstream.url}", timeoutMs: ${TIMEOUT_MS} }
      - { name: patient, transport: http, url: "${upstream.url}", timeoutMs: 600000 }
    profiles:
      - slug: main
        tools:
          - { server: slow, tool: hang }
          - { server: slow, tool: quick }
          - { server: patient, tool: hang, as: hang_patiently }
    groups: [{ idpGroup: all, profiles: [main] }]
    users: [{ email: u@${tenant}.test, groups: [all] }]
`,
    );
    tenantId = (await db.getRepository(Tenant).findOneOrFail({ where: { slug: tenant } })).id;
    token = await issueToken(db, tenant, `u@${tenant}.test`);
    gateway = await startTestGateway();
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await gateway?.close();
    await upstream?.close();
    await db?.destroy();
  });

  it("ends a call the upstream never answers with a clear JSON-RPC error after the server's timeoutMs, and cancels it upstream", async () => {
    const client = await connect('legacy');
    const before = upstream.hangs();
    const hung = client.callTool({ name: 'hang', arguments: {} }).catch((e: unknown) => e);
    // The hung call holds up nothing: the same server, on the same session, answers meanwhile.
    await expect.poll(() => upstream.hangs().started, { timeout: 5_000 }).toBe(before.started + 1);
    expect(JSON.stringify((await client.callTool({ name: 'quick', arguments: {} })).content)).toContain('quick answer');

    const error = (await hung) as ProtocolError;
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toMatch(new RegExp(`server "slow" did not answer "hang" within ${TIMEOUT_MS} ms`));
    expect(error.data).toMatchObject({ code: 'upstream_timeout', server: 'slow', timeoutMs: TIMEOUT_MS });
    // The upstream was told: its handler saw the cancellation.
    await expect.poll(() => upstream.hangs().aborted, { timeout: 5_000 }).toBe(before.aborted + 1);
    if (kind === 'sessions') expect(upstream.cancelledNotifications().at(-1)?.reason).toMatch(/timed out/i);

    await gateway.traces.flush();
    const traces = await searchTraces(db, tenantId, { tool: 'hang', status: 'error' });
    expect(traces.items[0]).toMatchObject({ server: 'slow', errorCode: 'upstream_timeout' });
  });

  it.each<Era>(['legacy', 'modern'])("forwards a %s-era client's cancellation to the upstream", async (era) => {
    const client = await connect(era);
    const before = { ...upstream.hangs(), notices: upstream.cancelledNotifications().length };
    const controller = new AbortController();
    const call = client.callTool({ name: 'hang_patiently', arguments: {} }, { signal: controller.signal });
    await expect.poll(() => upstream.hangs().started, { timeout: 5_000 }).toBe(before.started + 1);
    controller.abort(new Error('the user pressed stop'));
    await expect(call).rejects.toThrow();
    await expect.poll(() => upstream.hangs().aborted, { timeout: 5_000 }).toBe(before.aborted + 1);
    if (kind === 'sessions') expect(upstream.cancelledNotifications()).toHaveLength(before.notices + 1);
    await gateway.traces.flush();
    await expect
      .poll(async () => (await searchTraces(db, tenantId, { tool: 'hang_patiently', status: 'error' })).items.length, { timeout: 5_000 })
      .toBeGreaterThan(0);
  });

  it('leaves no upstream connection open per call that timed out', async () => {
    const client = await connect('modern');
    const before = upstream.hangs().aborted;
    const rounds = 4;
    const open: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const results = await Promise.all(
        Array.from({ length: 6 }, () => client.callTool({ name: 'hang', arguments: {} }).catch((e: unknown) => e)),
      );
      expect(results.every((r) => r instanceof ProtocolError)).toBe(true);
      await sleep(100);
      open.push(upstream.openConnections());
    }
    await expect.poll(() => upstream.hangs().aborted, { timeout: 5_000 }).toBe(before + 6 * rounds);
    console.info(`[fault:hang:${kind}] upstream connections open after each round of 6 timed-out calls: ${open.join(' → ')}`);
    // The first round fills the keep-alive pool (idle sockets come and go with it); a connection
    // left open per timed-out call would add 6 every round, 18 over the three after the first.
    expect(open.at(-1)! - open[0]!).toBeLessThanOrEqual(6);
  });
});

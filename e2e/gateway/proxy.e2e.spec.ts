import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { ProtocolError, type Client } from '@modelcontextprotocol/client';
import { startDemoHttpServer, startDemoSseServer, type DemoHttpServer, type DemoSseServer } from '@gatehouse/demo-servers';
import type { RunningGateway } from '@gatehouse/gateway';
import { searchTraces } from '@gatehouse/audit';
import { Tenant } from '@gatehouse/tenancy';
import { applyYaml, connectClient, issueToken, openTestDatabase, startTestGateway, uniqueSlug, type Era } from '../support/test-gateway';
import { demoTenantYaml } from '../support/demo-tenant-yaml';

describe('gateway proxy: profiles, overrides and traces through real upstreams', () => {
  let db: DataSource;
  let gateway: RunningGateway;
  let codehost: DemoHttpServer;
  let crm: DemoHttpServer;
  let kbSse: DemoSseServer;
  const tenant = uniqueSlug('acme');
  let tenantId: string;
  let devToken: string;
  let agentToken: string;

  beforeAll(async () => {
    db = await openTestDatabase();
    [codehost, crm, kbSse] = await Promise.all([startDemoHttpServer('codehost'), startDemoHttpServer('crm'), startDemoSseServer('kb')]);
    await applyYaml(db, demoTenantYaml(tenant, { codehost: codehost.url, crm: crm.url, kbSse: kbSse.url }));
    tenantId = (await db.getRepository(Tenant).findOneOrFail({ where: { slug: tenant } })).id;
    devToken = await issueToken(db, tenant, `dev@${tenant}.test`);
    agentToken = await issueToken(db, tenant, `agent@${tenant}.test`);
    gateway = await startTestGateway({ GATEWAY_PAGE_SIZE: '3' });
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([codehost?.close(), crm?.close(), kbSse?.close()]);
    await db?.destroy();
  });

  describe.each<Era>(['legacy', 'modern'])('a %s-era client', (era) => {
    let coding: Client;
    let support: Client;

    beforeAll(async () => {
      coding = await connectClient(gateway.url, tenant, 'coding', devToken, era);
      support = await connectClient(gateway.url, tenant, 'support', agentToken, era);
    });
    afterAll(async () => {
      await coding?.close();
      await support?.close();
    });

    it('negotiates the era it asked for', () => {
      expect(coding.getNegotiatedProtocolVersion()).toBe(era === 'modern' ? '2026-07-28' : '2025-11-25');
    });

    it("lists exactly the profile's tools, under the profile's names, across pages", async () => {
      const { tools } = await coding.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['clone_repository', 'delete_repository', 'everything_echo', 'list_repositories']);
      // The SDK aggregates pages when no cursor is given; ask for the first page on the wire.
      const firstPage = await coding.request({ method: 'tools/list', params: {} });
      expect(firstPage.tools).toHaveLength(3);
      expect(firstPage.nextCursor).toBeTruthy();
      const secondPage = await coding.listTools({ cursor: firstPage.nextCursor }, { cacheMode: 'bypass' });
      expect(secondPage.tools).toHaveLength(1);
      expect(secondPage.nextCursor).toBeUndefined();
    });

    it('shows overridden descriptions and hides pinned arguments from the schema', async () => {
      const { tools } = await support.listTools();
      const lookup = tools.find((t) => t.name === 'support_user_lookup');
      expect(lookup?.description).toBe('Look up customers.');
      expect(Object.keys(lookup?.inputSchema.properties ?? {})).not.toContain('table');
      expect(lookup?.inputSchema.required ?? []).not.toContain('table');
      expect(lookup?.annotations?.readOnlyHint).toBe(true);
    });

    it('forwards a call with pinned values merged in and records one trace', async () => {
      const result = await support.callTool({ name: 'support_user_lookup', arguments: { where: "plan = 'enterprise'", limit: 2 } });
      expect(result.isError).toBeFalsy();
      const rows = (result.structuredContent as { rows: Array<{ email: string }> }).rows;
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.email.includes('@'))).toBe(true);
      await gateway.traces.flush();
      const page = await searchTraces(db, tenantId, { tool: 'support_user_lookup', user: `agent@${tenant}.test` });
      const trace = page.items.find((t) => t.protocolVersion === coding.getNegotiatedProtocolVersion());
      expect(trace).toMatchObject({
        status: 'ok',
        server: 'crm',
        upstreamTool: 'sql_query',
        exposedTool: 'support_user_lookup',
        profile: 'support',
        clientName: `e2e-${era}`,
        clientVersion: '9.9.9',
        arguments: { where: "plan = 'enterprise'", limit: 2, table: 'users' },
      });
      expect(trace?.latencyMs).toBeGreaterThan(0);
      if (era === 'legacy') expect(trace?.sessionId).toBeTruthy();
    });

    it('refuses a pinned argument with a clear JSON-RPC error instead of overriding it', async () => {
      const error = await support.callTool({ name: 'support_user_lookup', arguments: { table: 'orders' } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProtocolError);
      expect((error as ProtocolError).code).toBe(-32602);
      expect((error as ProtocolError).message).toMatch(/does not accept argument "table".*fixed by the administrator/);
      await gateway.traces.flush();
      const denied = await searchTraces(db, tenantId, { status: 'denied', tool: 'support_user_lookup' });
      expect(denied.items.some((t) => (t.arguments as Record<string, unknown>).table === 'orders')).toBe(true);
    });

    it('answers an unknown tool with a JSON-RPC error naming it', async () => {
      const error = (await coding.callTool({ name: 'sql_query', arguments: {} }).catch((e: unknown) => e)) as ProtocolError;
      expect(error.code).toBe(-32602);
      expect(error.message).toContain('Unknown tool "sql_query" on profile "coding"');
    });

    it('passes upstream tool errors through unchanged', async () => {
      const result = await support.callTool({ name: 'support_user_lookup', arguments: { where: "nosuchcolumn = 'x'" } });
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toMatch(/nosuchcolumn/);
    });

    it('relays progress notifications from the upstream in order', async () => {
      const progress: number[] = [];
      const result = await coding.callTool(
        { name: 'clone_repository', arguments: { name: 'payments-api', steps: 4 } },
        { onprogress: (p) => progress.push(p.progress) },
      );
      expect(result.isError).toBeFalsy();
      expect(progress.length).toBeGreaterThanOrEqual(3);
      expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    });

    it('reaches stdio and legacy-SSE upstreams, and passes resources and prompts through', async () => {
      const stdio = await support.callTool({ name: 'search_articles', arguments: { query: 'password' } });
      const sse = await support.callTool({ name: 'search_articles_sse', arguments: { query: 'password' } });
      expect(stdio.isError).toBeFalsy();
      expect(sse.isError).toBeFalsy();
      const { resources } = await support.listResources();
      expect(resources.length).toBeGreaterThan(0);
      const read = await support.readResource({ uri: resources[0]!.uri });
      expect(read.contents[0]?.uri).toBe(resources[0]!.uri);
      const { prompts } = await support.listPrompts();
      expect(prompts.map((p) => p.name)).toContain('summarize_article');
    });

    it('serves many concurrent calls on one session', async () => {
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => coding.callTool({ name: 'everything_echo', arguments: { message: `m${i}` } })),
      );
      results.forEach((r, i) => expect(JSON.stringify(r.content)).toContain(`m${i}`));
    });
  });

  it('cancels the upstream call when the client aborts', async () => {
    const client = await connectClient(gateway.url, tenant, 'coding', devToken, 'modern');
    const controller = new AbortController();
    const progress: number[] = [];
    const call = client.callTool(
      { name: 'clone_repository', arguments: { name: 'payments-api', steps: 40 } },
      { signal: controller.signal, onprogress: (p) => {
        progress.push(p.progress);
        if (progress.length === 2) controller.abort();
      } },
    );
    await expect(call).rejects.toThrow();
    const before = progress.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(progress.length).toBe(before);
    await gateway.traces.flush();
    await expect.poll(async () => (await searchTraces(db, tenantId, { tool: 'clone_repository', status: 'error' })).items.length, { timeout: 5000 }).toBeGreaterThan(0);
    await client.close();
  });
});

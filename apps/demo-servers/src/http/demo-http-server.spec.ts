import { setTimeout as sleep } from 'node:timers/promises';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startDemoHttpServer, type DemoHttpServer } from './demo-http-server';
import type { DemoServerName } from '../demo-servers';

type ClientOptions = ConstructorParameters<typeof Client>[1];

const ERAS: ReadonlyArray<{ era: 'legacy' | 'modern'; options: ClientOptions }> = [
  { era: 'legacy', options: {} },
  { era: 'modern', options: { versionNegotiation: { mode: 'auto' } } },
];

const open: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

async function serve(name: DemoServerName): Promise<DemoHttpServer> {
  const server = await startDemoHttpServer(name, { port: 0 });
  open.push(server);
  return server;
}

async function connect(server: DemoHttpServer, options: ClientOptions): Promise<Client> {
  const client = new Client({ name: 'demo-servers-spec', version: '1.0.0' }, options);
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  open.unshift(client);
  return client;
}

function textOf(result: { content?: unknown }): string {
  const [first] = result.content as Array<{ type: string; text?: string }>;
  return first.text ?? '';
}

async function repositories(client: Client): Promise<Array<{ name: string; cloned: boolean }>> {
  const result = await client.callTool({ name: 'list_repositories', arguments: {} });
  return (result.structuredContent as { repositories: Array<{ name: string; cloned: boolean }> }).repositories;
}

describe('startDemoHttpServer', () => {
  it('binds an ephemeral port and serves /healthz and zeroed /stats', async () => {
    const server = await serve('codehost');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(server.url).not.toContain(':0/');
    const base = server.url.replace(/\/mcp$/, '');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok', server: 'codehost' });
    expect(await (await fetch(`${base}/stats`)).json()).toEqual({
      list_repositories: 0,
      delete_repository: 0,
      clone_repository: 0,
    });
  });

  it('negotiates the modern era when the client pins 2026-07-28', async () => {
    const server = await serve('kb');
    const client = await connect(server, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    expect(client.getProtocolEra()).toBe('modern');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['search_articles']);
  });

  describe.each(ERAS)('over Streamable HTTP, $era era', ({ era, options }) => {
    it('connects in the expected era', async () => {
      const client = await connect(await serve('crm'), options);
      expect(client.getProtocolEra()).toBe(era);
    });

    it('lists crm tools with their annotations and output schema', async () => {
      const client = await connect(await serve('crm'), options);
      const { tools } = await client.listTools();
      const byName = new Map(tools.map((tool) => [tool.name, tool]));
      expect(byName.get('sql_query')?.annotations).toMatchObject({ readOnlyHint: true });
      expect(byName.get('sql_query')?.outputSchema).toMatchObject({ type: 'object' });
      expect(byName.get('update_customer_plan')?.annotations).toMatchObject({
        readOnlyHint: false,
        destructiveHint: false,
      });
    });

    it('answers sql_query with filtered rows as text and structured content', async () => {
      const server = await serve('crm');
      const client = await connect(server, options);
      const result = await client.callTool({
        name: 'sql_query',
        arguments: { table: 'users', where: "plan = 'pro' AND email LIKE '%example.com'", limit: 3 },
      });
      expect(result.isError).toBeFalsy();
      const structured = result.structuredContent as {
        table: string;
        rowCount: number;
        rows: Array<Record<string, unknown>>;
      };
      expect(structured.table).toBe('users');
      expect(structured.rowCount).toBe(3);
      expect(structured.rows.every((row) => row.plan === 'pro')).toBe(true);
      expect(JSON.parse(textOf(result))).toEqual(structured);
      expect(server.stats().sql_query).toBe(1);
    });

    it('reports an unknown table or column as a tool error', async () => {
      const client = await connect(await serve('crm'), options);
      const table = await client.callTool({ name: 'sql_query', arguments: { table: 'invoices' } });
      expect(table.isError).toBe(true);
      expect(textOf(table)).toMatch(/Unknown table "invoices".*users, orders/);
      const column = await client.callTool({
        name: 'sql_query',
        arguments: { table: 'orders', where: "plan = 'pro'" },
      });
      expect(column.isError).toBe(true);
      expect(textOf(column)).toMatch(/Unknown column "plan" in table "orders"/);
    });

    it('keeps update_customer_plan changes across requests', async () => {
      const client = await connect(await serve('crm'), options);
      const before = await client.callTool({ name: 'sql_query', arguments: { table: 'users', where: 'id = 1' } });
      const { rows } = before.structuredContent as { rows: Array<{ email: string; plan: string }> };
      expect(rows[0].plan).toBe('free');
      const update = await client.callTool({
        name: 'update_customer_plan',
        arguments: { email: rows[0].email, plan: 'enterprise' },
      });
      expect(update.isError).toBeFalsy();
      const after = await client.callTool({ name: 'sql_query', arguments: { table: 'users', where: 'id = 1' } });
      expect((after.structuredContent as { rows: Array<{ plan: string }> }).rows[0].plan).toBe('enterprise');
    });

    it('deletes a repository for good and counts the execution', async () => {
      const server = await serve('codehost');
      const client = await connect(server, options);
      const { tools } = await client.listTools();
      expect(tools.find((tool) => tool.name === 'delete_repository')?.annotations).toMatchObject({
        destructiveHint: true,
      });
      const deleted = await client.callTool({ name: 'delete_repository', arguments: { name: 'legacy-billing' } });
      expect(deleted.isError).toBeFalsy();
      expect((await repositories(client)).map((repo) => repo.name)).not.toContain('legacy-billing');
      const again = await client.callTool({ name: 'delete_repository', arguments: { name: 'legacy-billing' } });
      expect(again.isError).toBe(true);
      const stats = await (await fetch(server.url.replace(/\/mcp$/, '/stats'))).json();
      expect(stats).toMatchObject({ delete_repository: 2, list_repositories: 1 });
    });

    it('sends one progress notification per clone step, in order', async () => {
      const client = await connect(await serve('codehost'), options);
      const progress: Array<{ progress: number; total?: number }> = [];
      const result = await client.callTool(
        { name: 'clone_repository', arguments: { name: 'docs-site', steps: 4 } },
        { onprogress: ({ progress: value, total }) => progress.push({ progress: value, total }) },
      );
      expect(result.isError).toBeFalsy();
      expect(progress).toEqual([1, 2, 3, 4].map((value) => ({ progress: value, total: 4 })));
      expect((await repositories(client)).find((repo) => repo.name === 'docs-site')?.cloned).toBe(true);
    });

    it('serves kb articles as resources and the summarize prompt', async () => {
      const client = await connect(await serve('kb'), options);
      const { resources } = await client.listResources();
      expect(resources).toHaveLength(15);
      expect(resources.map((resource) => resource.uri)).toContain('kb://articles/enable-sso');
      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates.map((template) => template.uriTemplate)).toEqual(['kb://articles/{id}']);
      const read = await client.readResource({ uri: 'kb://articles/enable-sso' });
      expect(read.contents[0]).toMatchObject({ uri: 'kb://articles/enable-sso', mimeType: 'text/markdown' });
      await expect(client.readResource({ uri: 'kb://articles/nope' })).rejects.toThrow(/nope/);
      const prompt = await client.getPrompt({ name: 'summarize_article', arguments: { id: 'refund-policy' } });
      expect(JSON.stringify(prompt.messages)).toContain('Annual plans can be refunded');
      const search = await client.callTool({ name: 'search_articles', arguments: { query: 'saml sso', limit: 2 } });
      const { hits } = search.structuredContent as { hits: Array<{ id: string }> };
      expect(hits[0].id).toBe('enable-sso');
    });
  });

  it('stops a modern-era clone when the client cancels', async () => {
    const server = await serve('codehost');
    const client = await connect(server, { versionNegotiation: { mode: 'auto' } });
    const controller = new AbortController();
    const seen: number[] = [];
    const call = client.callTool(
      { name: 'clone_repository', arguments: { name: 'globex-cli', steps: 8 } },
      {
        signal: controller.signal,
        onprogress: ({ progress }) => {
          seen.push(progress);
          if (progress === 2) controller.abort(new Error('user cancelled'));
        },
      },
    );
    await expect(call).rejects.toThrow(/cancelled/);
    await sleep(8 * 50 + 200);
    expect(seen).toEqual([1, 2]);
    expect((await repositories(client)).find((repo) => repo.name === 'globex-cli')?.cloned).toBe(false);
  });

  it('cannot cancel a legacy-era clone: stateless serving runs it to completion', async () => {
    const server = await serve('codehost');
    const client = await connect(server, {});
    const controller = new AbortController();
    const call = client.callTool(
      { name: 'clone_repository', arguments: { name: 'globex-cli', steps: 4 } },
      { signal: controller.signal, onprogress: ({ progress }) => progress === 1 && controller.abort() },
    );
    await expect(call).rejects.toThrow();
    // The cancel notification reaches a fresh per-request instance that knows nothing of the clone.
    await vi.waitFor(
      async () => expect((await repositories(client)).find((repo) => repo.name === 'globex-cli')?.cloned).toBe(true),
      { timeout: 5_000, interval: 100 },
    );
  });
});

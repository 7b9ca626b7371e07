import { Client, SSEClientTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { startDemoSseServer, type DemoSseServer } from './demo-sse-server';

const open: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

async function serveAndConnect(): Promise<{ server: DemoSseServer; client: Client }> {
  const server = await startDemoSseServer('kb', { port: 0 });
  open.push(server);
  const client = new Client({ name: 'demo-servers-sse-spec', version: '1.0.0' });
  await client.connect(new SSEClientTransport(new URL(server.url)));
  open.push(client);
  return { server, client };
}

describe('startDemoSseServer (legacy HTTP+SSE, kb)', () => {
  it('announces the /sse endpoint on an ephemeral port', async () => {
    const { server, client } = await serveAndConnect();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/sse$/);
    expect(client.getProtocolEra()).toBe('legacy');
    expect(client.getServerVersion()?.name).toBe('gatehouse-demo-kb-legacy-sse');
  });

  it('lists and runs search_articles and counts executions', async () => {
    const { server, client } = await serveAndConnect();
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(1);
    expect(tools[0]).toMatchObject({ name: 'search_articles', annotations: { readOnlyHint: true } });
    const result = await client.callTool({ name: 'search_articles', arguments: { query: 'refund' } });
    const { hits } = result.structuredContent as { hits: Array<{ id: string; uri: string }> };
    expect(hits[0]).toMatchObject({ id: 'refund-policy', uri: 'kb://articles/refund-policy' });
    expect(server.stats()).toEqual({ search_articles: 1 });
  });

  it('serves the article resources and the summarize prompt', async () => {
    const { client } = await serveAndConnect();
    const { resources } = await client.listResources();
    expect(resources).toHaveLength(15);
    const read = await client.readResource({ uri: 'kb://articles/two-factor' });
    expect(JSON.stringify(read.contents)).toContain('TOTP');
    const prompt = await client.getPrompt({ name: 'summarize_article', arguments: { id: 'rate-limits' } });
    expect(JSON.stringify(prompt.messages)).toContain('600 requests per minute');
  });

  it('keeps concurrent SSE sessions apart', async () => {
    const { server, client } = await serveAndConnect();
    const second = new Client({ name: 'second', version: '1.0.0' });
    await second.connect(new SSEClientTransport(new URL(server.url)));
    open.push(second);
    await Promise.all([
      client.callTool({ name: 'search_articles', arguments: { query: 'sso' } }),
      second.callTool({ name: 'search_articles', arguments: { query: 'billing' } }),
    ]);
    expect(server.stats()).toEqual({ search_articles: 2 });
  });
});

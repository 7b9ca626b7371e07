import { Client, LOG_LEVEL_META_KEY, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { startConformanceServer, type ConformanceServer } from './conformance-http-server';
import { WATCHED_RESOURCE_URI } from './conformance-mcp-server';

type ClientOptions = NonNullable<ConstructorParameters<typeof Client>[1]>;

const ERAS: ReadonlyArray<{ era: 'legacy' | 'modern'; options: ClientOptions }> = [
  { era: 'legacy', options: {} },
  { era: 'modern', options: { versionNegotiation: { mode: { pin: '2026-07-28' } } } },
];

const open: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

async function serve(): Promise<ConformanceServer> {
  const server = await startConformanceServer({ port: 0 });
  open.push(server);
  return server;
}

async function connect(server: ConformanceServer, options: ClientOptions): Promise<Client> {
  const client = new Client(
    { name: 'conformance-server-spec', version: '1.0.0' },
    { ...options, capabilities: { sampling: {}, elicitation: {} } },
  );
  client.setRequestHandler('sampling/createMessage', (request) => ({
    role: 'assistant',
    model: 'spec-model',
    stopReason: 'endTurn',
    content: { type: 'text', text: `echo: ${JSON.stringify(request.params.messages[0]?.content)}` },
  }));
  client.setRequestHandler('elicitation/create', () => ({
    action: 'accept',
    content: { username: 'ada', email: 'ada@example.com' },
  }));
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
  open.push(client);
  return client;
}

function textOf(result: { content?: unknown }): string {
  const [first] = result.content as Array<{ type: string; text?: string }>;
  return first?.text ?? '';
}

async function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('startConformanceServer', () => {
  it('serves /mcp on an ephemeral loopback port', async () => {
    const server = await serve();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const health = await fetch(server.url.replace(/\/mcp$/, '/healthz'));
    expect(health.status).toBe(200);
  });

  it('rejects a non-loopback Host header (DNS rebinding protection)', async () => {
    const server = await serve();
    const { port } = new URL(server.url);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/mcp',
          method: 'POST',
          headers: {
            host: 'evil.example.com',
            origin: 'http://evil.example.com',
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
    });
    expect(status).toBe(403);
  });

  it('keeps a session per 2025-era client', async () => {
    const server = await serve();
    await connect(server, {});
    await connect(server, {});
    expect(server.legacySessionCount()).toBe(2);
  });

  describe.each(ERAS)('$era era', ({ era, options }) => {
    it('negotiates the expected era', async () => {
      const client = await connect(await serve(), options);
      expect(client.getProtocolEra()).toBe(era);
    });

    it('lists the conformance tools and keeps JSON Schema 2020-12 keywords', async () => {
      const client = await connect(await serve(), options);
      const { tools } = await client.listTools();
      const names = tools.map((tool) => tool.name);
      for (const name of [
        'test_simple_text',
        'test_image_content',
        'test_audio_content',
        'test_embedded_resource',
        'test_multiple_content_types',
        'test_tool_with_logging',
        'test_error_handling',
        'test_tool_with_progress',
        'test_sampling',
        'test_elicitation',
        'test_elicitation_sep1034_defaults',
        'test_elicitation_sep1330_enums',
        'json_schema_2020_12_tool',
        'test_reconnection',
      ]) {
        expect(names).toContain(name);
      }
      const schema = tools.find((tool) => tool.name === 'json_schema_2020_12_tool')?.inputSchema;
      expect(schema).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $defs: { address: { type: 'object' } },
        additionalProperties: false,
      });
    });

    it('round-trips sampling and elicitation through the client', async () => {
      const client = await connect(await serve(), options);
      const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hi there' } });
      expect(textOf(sampled)).toBe('LLM response: echo: {"type":"text","text":"hi there"}');
      const elicited = await client.callTool({ name: 'test_elicitation', arguments: { message: 'who?' } });
      expect(textOf(elicited)).toBe('User response: action=accept, content={"username":"ada","email":"ada@example.com"}');
    });

    it('reports progress and log messages during a call', async () => {
      const client = await connect(await serve(), options);
      const progress: number[] = [];
      await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, { onprogress: (p) => progress.push(p.progress) });
      expect(progress).toEqual([0, 50, 100]);

      const logs: unknown[] = [];
      client.setNotificationHandler('notifications/message', (notification) => {
        logs.push(notification.params.data);
      });
      if (era === 'legacy') {
        await client.setLoggingLevel('debug');
        await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
      } else {
        // 2026-07-28 has no logging/setLevel: the level rides the request envelope.
        await client.callTool({ name: 'test_tool_with_logging', arguments: {}, _meta: { [LOG_LEVEL_META_KEY]: 'debug' } });
      }
      await until(() => logs.length >= 3);
      expect(logs).toEqual(['Tool execution started', 'Tool processing data', 'Tool execution completed']);
    });

    it('reads static and templated resources, gets prompts and completes arguments', async () => {
      const client = await connect(await serve(), options);
      const text = await client.readResource({ uri: 'test://static-text' });
      expect(text.contents[0]).toMatchObject({ mimeType: 'text/plain', text: expect.stringContaining('static text') });
      const templated = await client.readResource({ uri: 'test://template/42/data' });
      expect(JSON.parse((templated.contents[0] as { text: string }).text)).toEqual({
        id: '42',
        templateTest: true,
        data: 'Data for ID: 42',
      });
      const prompt = await client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: 'a', arg2: 'b' } });
      expect(JSON.stringify(prompt.messages)).toContain("arg1='a', arg2='b'");
      const completion = await client.complete({
        ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
        argument: { name: 'arg1', value: 'par' },
      });
      expect(completion.completion.values).toEqual(['paris', 'park', 'party']);
    });

    it('notifies resource subscribers when the watched resource changes', async () => {
      const server = await serve();
      const client = await connect(server, options);
      const updated: string[] = [];
      client.setNotificationHandler('notifications/resources/updated', (notification) => {
        updated.push(notification.params.uri);
      });
      if (era === 'legacy') {
        await client.subscribeResource({ uri: WATCHED_RESOURCE_URI });
      } else {
        const subscription = await client.listen({ resourceSubscriptions: [WATCHED_RESOURCE_URI] });
        open.push(subscription);
      }
      const other = await connect(server, options);
      await other.callTool({ name: 'update_watched_resource', arguments: {} });
      await until(() => updated.length > 0);
      expect(updated).toEqual([WATCHED_RESOURCE_URI]);
      const read = await client.readResource({ uri: WATCHED_RESOURCE_URI });
      expect((read.contents[0] as { text: string }).text).toBe('Watched resource, version 2.');
    });
  });
});

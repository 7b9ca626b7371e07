import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

type ClientOptions = ConstructorParameters<typeof Client>[1];

const REPO_ROOT = resolve(__dirname, '../../../..');
const SERVE_STDIO = resolve(REPO_ROOT, 'apps/demo-servers/dist/bin/serve-stdio.js');
const SERVE_HTTP = resolve(REPO_ROOT, 'apps/demo-servers/dist/bin/serve-http.js');

const ERAS: ReadonlyArray<{ era: 'legacy' | 'modern'; options: ClientOptions }> = [
  { era: 'legacy', options: {} },
  { era: 'modern', options: { versionNegotiation: { mode: 'auto' } } },
];

const clients: Client[] = [];

// Both binaries are tested from one file so the build below runs once, not
// concurrently from parallel spec files writing the same dist/.
beforeAll(() => {
  // The binaries under test are the compiled ones a gateway or script would spawn.
  execFileSync(process.execPath, [resolve(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'apps/demo-servers'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
});

afterEach(async () => {
  while (clients.length > 0) await clients.pop()?.close();
});

async function connect(name: string, options: ClientOptions): Promise<{ client: Client; errors: Error[] }> {
  const client = new Client({ name: 'demo-servers-stdio-spec', version: '1.0.0' }, options);
  const errors: Error[] = [];
  client.onerror = (error) => errors.push(error);
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: [SERVE_STDIO, name], stderr: 'pipe' }),
  );
  clients.push(client);
  return { client, errors };
}

async function clonedState(client: Client, name: string): Promise<boolean | undefined> {
  const result = await client.callTool({ name: 'list_repositories', arguments: {} });
  const { repositories } = result.structuredContent as { repositories: Array<{ name: string; cloned: boolean }> };
  return repositories.find((repo) => repo.name === name)?.cloned;
}

describe('serve-stdio binary', () => {
  it('writes only JSON-RPC to stdout and diagnostics to stderr', async () => {
    const child = spawn(process.execPath, [SERVE_STDIO, 'kb'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout });
    const firstLine = once(lines, 'line');
    child.stdin.write(
      `${JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
      })}\n`,
    );
    const [line] = (await firstLine) as [string];
    expect(JSON.parse(line)).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      result: { serverInfo: { name: 'gatehouse-demo-kb' } },
    });
    child.stdin.end();
    await once(child, 'exit');
    expect(stderr).toContain('[demo-servers:kb] serving over stdio');
  });

  it('exits with usage for an unknown server name', async () => {
    const child = spawn(process.execPath, [SERVE_STDIO, 'billing'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(2);
    expect(stderr).toMatch(/Unknown demo server "billing"/);
  });

  describe.each(ERAS)('$era era', ({ era, options }) => {
    it('negotiates the era and lists tools with annotations', async () => {
      const { client } = await connect('codehost', options);
      expect(client.getProtocolEra()).toBe(era);
      const { tools } = await client.listTools();
      expect(Object.fromEntries(tools.map((tool) => [tool.name, tool.annotations?.destructiveHint]))).toEqual({
        list_repositories: undefined,
        delete_repository: true,
        clone_repository: false,
      });
    });

    it('streams clone progress in order', async () => {
      const { client, errors } = await connect('codehost', options);
      const seen: number[] = [];
      const result = await client.callTool(
        { name: 'clone_repository', arguments: { name: 'payments-api' } },
        { onprogress: ({ progress }) => seen.push(progress) },
      );
      expect(result.isError).toBeFalsy();
      expect(seen).toEqual([1, 2, 3, 4, 5]);
      expect(await clonedState(client, 'payments-api')).toBe(true);
      expect(errors).toEqual([]);
    });

    it('stops a clone when the client cancels', async () => {
      const { client, errors } = await connect('codehost', options);
      const controller = new AbortController();
      const call = client.callTool(
        { name: 'clone_repository', arguments: { name: 'payments-api', steps: 8 } },
        { signal: controller.signal, onprogress: ({ progress }) => progress === 2 && controller.abort() },
      );
      await expect(call).rejects.toThrow();
      await sleep(8 * 50 + 200);
      expect(await clonedState(client, 'payments-api')).toBe(false);
      // Progress or a result sent after the cancellation would surface here as "unknown token/ID".
      expect(errors).toEqual([]);
    });

    it('serves crm queries and kb resources', async () => {
      const { client: crm } = await connect('crm', options);
      const rows = await crm.callTool({
        name: 'sql_query',
        arguments: { table: 'orders', where: "status = 'refunded'" },
      });
      expect((rows.structuredContent as { rowCount: number }).rowCount).toBe(8);
      const { client: kb } = await connect('kb', options);
      const read = await kb.readResource({ uri: 'kb://articles/webhooks' });
      expect(JSON.stringify(read.contents)).toContain('HMAC-SHA256');
    });
  });
});

describe('serve-http binary', () => {
  it('prints one JSON line with the real URL, serves it, and exits on SIGTERM', async () => {
    const child = spawn(process.execPath, [SERVE_HTTP, 'crm', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const announced = JSON.parse(line) as { name: string; url: string };
    expect(announced.name).toBe('crm');
    expect(announced.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/mcp$/);
    const health = await fetch(announced.url.replace(/\/mcp$/, '/healthz'));
    expect(await health.json()).toEqual({ status: 'ok', server: 'crm' });
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  });
});

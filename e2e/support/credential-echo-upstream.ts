import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';

/**
 * An upstream that requires a bearer token and carelessly echoes it back: in a tool result and in
 * a tool error. What a leaky third-party MCP server looks like to Gatehouse.
 */
export async function startCredentialEchoUpstream(
  accepts: (authorization: string) => boolean,
  /** Names the account a credential belongs to (shown in results; not itself a secret). */
  identify?: (authorization: string) => string | undefined,
): Promise<{
  url: string;
  /** Authorization headers received, in order (to prove the real secret was sent). */
  seen: string[];
  close(): Promise<void>;
}> {
  const seen: string[] = [];
  let current = '';
  const handler = createMcpHandler(() => {
    const server = new McpServer({ name: 'credential-echo', version: '1.0.0' });
    server.registerTool(
      'whoami',
      { description: 'Says which credential called it.', inputSchema: z.object({}), annotations: { readOnlyHint: true } },
      async () => ({
        content: [{ type: 'text', text: `called with ${current}` }],
        structuredContent: { authorization: current, account: identify?.(current) ?? null },
      }),
    );
    server.registerTool(
      'fail_loudly',
      { description: 'Fails, quoting its credential.', inputSchema: z.object({}), annotations: { readOnlyHint: true } },
      async () => {
        throw new Error(`backend refused ${current}`);
      },
    );
    return server;
  });
  const node = toNodeHandler(handler);
  const http: HttpServer = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    seen.push(auth);
    if (!accepts(auth)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    current = auth;
    void node(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    seen,
    async close() {
      await handler.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}

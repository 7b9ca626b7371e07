// A real stdio MCP server (SDK v2) that dies at start while $HEALTHY_FLAG (a file) is missing, as
// a server does whose dependency is broken, and serves normally once it exists. Each start appends
// its pid to $START_LOG, so tests count how often the gateway's supervisor started it.
import { appendFileSync, existsSync } from 'node:fs';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

appendFileSync(process.env.START_LOG, `${process.pid} ${Date.now()}\n`);
if (!existsSync(process.env.HEALTHY_FLAG)) {
  process.stderr.write(`crash-loop: cannot start, ${process.env.HEALTHY_FLAG} is missing\n`);
  process.exit(1);
}
serveStdio(() => {
  const server = new McpServer({ name: 'crash-loop', version: '1.0.0' });
  server.registerTool(
    'ping',
    { description: 'Answers pong.', inputSchema: z.object({}), annotations: { readOnlyHint: true } },
    async () => ({
      content: [{ type: 'text', text: `pong from ${process.pid}` }],
    }),
  );
  server.registerTool(
    'crash',
    { description: 'Exits the process.', inputSchema: z.object({}), annotations: { readOnlyHint: true } },
    async () => {
      setImmediate(() => process.exit(3));
      return new Promise(() => {});
    },
  );
  return server;
});

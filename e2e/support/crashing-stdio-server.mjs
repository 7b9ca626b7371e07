// A real stdio MCP server (SDK v2) with a tool that kills its own process, to exercise the
// gateway's stdio supervisor. Each start appends a line to $START_LOG so tests count restarts.
import { appendFileSync } from 'node:fs';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

if (process.env.START_LOG) appendFileSync(process.env.START_LOG, `${process.pid}\n`);
serveStdio(() => {
  const server = new McpServer({ name: 'crashy', version: '1.0.0' });
  server.registerTool('ping', { description: 'Answers pong.', inputSchema: z.object({}), annotations: { readOnlyHint: true } }, async () => ({
    content: [{ type: 'text', text: `pong from ${process.pid}` }],
  }));
  server.registerTool('crash', { description: 'Exits the process.', inputSchema: z.object({}), annotations: { readOnlyHint: true } }, async () => {
    setImmediate(() => process.exit(3));
    return new Promise(() => {});
  });
  return server;
});

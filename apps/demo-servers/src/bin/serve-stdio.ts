#!/usr/bin/env node
/**
 * `node apps/demo-servers/dist/bin/serve-stdio.js <crm|codehost|kb>`
 *
 * Serves one demo over stdio with the SDK's `serveStdio`, which picks the
 * protocol era from the client's opening message (2025 `initialize` or a
 * 2026-07-28 `server/discover`) and pins it for the connection. stdout carries
 * protocol only; diagnostics go to stderr. The process exits when the client
 * closes stdin.
 */
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { DEMO_SERVERS } from '../demo-servers';
import { parseDemoCliArgs } from './demo-cli-args';

const { name } = parseDemoCliArgs(process.argv.slice(2), 'serve-stdio.js <crm|codehost|kb>');
const demo = DEMO_SERVERS[name]();
serveStdio(demo.factory, {
  onerror: (error) => process.stderr.write(`[demo-servers:${name}] ${error.message}\n`),
});
process.stderr.write(`[demo-servers:${name}] serving over stdio\n`);

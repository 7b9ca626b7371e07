#!/usr/bin/env node
/**
 * `node apps/demo-servers/dist/bin/serve-http.js <crm|codehost|kb> [--port N] [--host H]`
 *
 * Prints exactly one JSON line, `{"name":..,"url":..}`, once listening, so a
 * script (or the demo launcher) can read the URL even with `--port 0`.
 */
import { startDemoHttpServer } from '../http/demo-http-server';
import { parseDemoCliArgs } from './demo-cli-args';

async function main(): Promise<void> {
  const { name, port, host } = parseDemoCliArgs(
    process.argv.slice(2),
    'serve-http.js <crm|codehost|kb> [--port N] [--host H]',
  );
  const server = await startDemoHttpServer(name, { port, host });
  process.stdout.write(`${JSON.stringify({ name, url: server.url })}\n`);
  const shutdown = (): void => {
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`[demo-servers:${name}] close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`[demo-servers] ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

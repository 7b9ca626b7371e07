#!/usr/bin/env node
/**
 * `node apps/conformance-server/dist/bin/serve.js [--port N] [--host H]`
 *
 * Starts the conformance upstream and prints one JSON line,
 * `{"url":"http://127.0.0.1:N/mcp"}`, on stdout once it listens. Stops on
 * SIGINT/SIGTERM (or when stdin closes, with `--exit-on-stdin-close`).
 */
import { startConformanceServer } from '../conformance-http-server';

interface Args {
  port: number;
  host: string;
  exitOnStdinClose: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { port: 0, host: '127.0.0.1', exitOnStdinClose: false };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = (): string => {
      const next = argv[i + 1];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      i += 1;
      return next;
    };
    if (flag === '--port') {
      const port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`invalid --port`);
      args.port = port;
    } else if (flag === '--host') {
      args.host = value();
    } else if (flag === '--exit-on-stdin-close') {
      args.exitOnStdinClose = true;
    } else if (flag === '--help' || flag === '-h') {
      process.stdout.write('usage: serve.js [--port N] [--host HOST] [--exit-on-stdin-close]\n');
      process.exit(0);
    } else {
      throw new Error(`unknown argument ${flag}`);
    }
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const server = await startConformanceServer({ port: args.port, host: args.host });
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  const stop = (): void => {
    const timer = setTimeout(() => process.exit(0), 3_000);
    timer.unref();
    void server.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (args.exitOnStdinClose) {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`conformance-server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

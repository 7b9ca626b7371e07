/**
 * Argument parsing shared by the demo-server binaries: one positional server
 * name plus optional `--port` and `--host`. Exits with usage on bad input,
 * since these are only run by hand or by scripts that should fail loudly.
 */
import { parseArgs } from 'node:util';
import { DEMO_SERVER_NAMES, type DemoServerName, isDemoServerName } from '../demo-servers';

export interface DemoCliArgs {
  name: DemoServerName;
  port: number;
  host: string;
}

export function parseDemoCliArgs(argv: string[], usage: string): DemoCliArgs {
  const fail = (problem: string): never => {
    process.stderr.write(`${problem}\nUsage: ${usage}\nServers: ${DEMO_SERVER_NAMES.join(', ')}\n`);
    process.exit(2);
  };
  const parsed = (() => {
    try {
      return parseArgs({
        args: argv,
        allowPositionals: true,
        options: { port: { type: 'string' }, host: { type: 'string' } },
      });
    } catch (error) {
      return fail(error instanceof Error ? error.message : String(error));
    }
  })();
  const [name, ...extra] = parsed.positionals;
  if (name === undefined || extra.length > 0) return fail('Expected exactly one server name.');
  if (!isDemoServerName(name)) return fail(`Unknown demo server "${name}".`);
  const port = Number(parsed.values.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`Invalid --port "${parsed.values.port}".`);
  return { name, port, host: parsed.values.host ?? '127.0.0.1' };
}

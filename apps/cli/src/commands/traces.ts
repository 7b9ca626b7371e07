import type { Command } from 'commander';
import { GatehouseError } from '@gatehouse/core';
import { Tenant } from '@gatehouse/tenancy';
import { searchTraces, type Trace } from '@gatehouse/audit';
import { withDatabase } from '../cli-context';

function row(t: Trace): string {
  return [t.createdAt.toISOString(), t.status.padEnd(7), (t.userEmail ?? '-').padEnd(24), `${t.profile}/${t.exposedTool}`.padEnd(32), `${t.server ?? '-'}:${t.upstreamTool ?? '-'}`.padEnd(28), `${t.latencyMs.toFixed(1)}ms`, t.error ?? ''].join('  ');
}

export function registerTraces(program: Command): void {
  program
    .command('traces')
    .description('search tool-call traces of a tenant, newest first')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--user <email>')
    .option('--tool <name>', 'exposed or upstream tool name')
    .option('--server <name>')
    .option('--profile <slug>')
    .option('--status <status>', 'ok | error | denied | pending_approval | blocked')
    .option('--since <time>', 'from this time: e.g. 1h, 30m, 7d (before now) or an ISO timestamp')
    .option('--until <time>', 'before this time; same forms as --since')
    .option('--finding <rule|category>', 'traces the scanner flagged or blocked: a rule id, a category (injection, hidden-unicode, secret, exfiltration) or "any"')
    .option('-q, --query <text>', 'free text over arguments')
    .option('--limit <n>', 'rows per page', '50')
    .option('--cursor <cursor>')
    .option('--json', 'print JSON lines (one trace per line)')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      await withDatabase(async (db) => {
        const tenant = await db.getRepository(Tenant).findOne({ where: { slug: String(opts.tenant) } });
        if (!tenant) throw new GatehouseError('tenant_not_found', `Unknown tenant "${String(opts.tenant)}".`);
        const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
        const page = await searchTraces(db, tenant.id, {
          user: str('user'), tool: str('tool'), server: str('server'), profile: str('profile'),
          status: str('status') as never, since: str('since'), until: str('until'), finding: str('finding'), q: str('query'), limit: Number(str('limit')), cursor: str('cursor'),
        });
        if (opts.json) {
          for (const t of page.items) process.stdout.write(`${JSON.stringify(t)}\n`);
        } else {
          for (const t of page.items) process.stdout.write(`${row(t)}\n`);
          process.stderr.write(page.nextCursor ? `more: --cursor ${page.nextCursor}\n` : `${page.items.length} trace(s)\n`);
        }
      });
    });
}

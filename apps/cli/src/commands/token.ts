import type { Command } from 'commander';
import { GatehouseError } from '@gatehouse/core';
import { Tenant, TenantScope, User } from '@gatehouse/tenancy';
import { issuePersonalAccessToken, parseTokenLifetime } from '@gatehouse/identity';
import { withDatabase } from '../cli-context';

export function registerToken(program: Command): void {
  const token = program.command('token').description('personal access tokens');
  token
    .command('create')
    .description('create a personal access token; the token is the last line of stdout')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--user <email>', 'user email')
    .option('--expires <duration>', 'lifetime such as 30d, 12h')
    .option('--name <name>', 'a label for the token')
    .action(async (opts: { tenant: string; user: string; expires?: string; name?: string }) => {
      const lifetimeMs = opts.expires ? parseTokenLifetime(opts.expires) : undefined;
      const issued = await withDatabase(async (db) => {
        const tenant = await db.getRepository(Tenant).findOne({ where: { slug: opts.tenant } });
        if (!tenant) throw new GatehouseError('tenant_not_found', `Unknown tenant "${opts.tenant}".`);
        const user = await new TenantScope(db.manager, tenant.id).findOne(User, { email: opts.user.toLowerCase() });
        if (!user) throw new GatehouseError('not_found', `Tenant "${opts.tenant}" has no user "${opts.user}".`);
        return issuePersonalAccessToken(db.manager, { tenantId: tenant.id, userId: user.id, name: opts.name, lifetimeMs });
      });
      const expiry = issued.record.expiresAt ? `expires ${issued.record.expiresAt.toISOString()}` : 'does not expire';
      process.stderr.write(`token for ${opts.user} on ${opts.tenant} (${expiry}); it is shown once:\n`);
      process.stdout.write(`${issued.token}\n`);
    });
}

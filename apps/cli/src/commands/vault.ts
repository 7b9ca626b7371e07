import type { Command } from 'commander';
import { GatehouseError } from '@gatehouse/core';
import { Tenant } from '@gatehouse/tenancy';
import { LocalMasterKeys, Vault } from '@gatehouse/vault';
import type { DataSource } from 'typeorm';
import { actor, announceSecretsChanged, cliEnv, withDatabase } from '../cli-context';

/** `gatehouse secret …` (tenant credentials, write-only) and `gatehouse vault rotate`. */
export function registerVault(program: Command): void {
  const secret = program.command('secret').description('tenant secrets for upstream servers (values are write-only)');
  secret
    .command('set')
    .description('store a secret, reading its value from stdin (never from the command line, where ps would show it)')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--name <name>', 'secret name, referenced as ${secret:NAME}')
    .option('--description <text>', 'what the secret is for')
    .action(async (opts: { tenant: string; name: string; description?: string }) => {
      const value = (await readStdin()).replace(/\r?\n$/, '');
      const saved = await withVault(async (vault, tenantId) => {
        const result = await vault.put(tenantId, opts.name, value, actor(), opts.description);
        await announceSecretsChanged(tenantId);
        return result;
      }, opts.tenant);
      process.stdout.write(`${saved.created ? 'created' : 'replaced'} secret ${saved.name} in ${opts.tenant}\n`);
    });
  secret
    .command('list')
    .description("list a tenant's secrets (names and dates, never values)")
    .requiredOption('--tenant <slug>', 'tenant slug')
    .action(async (opts: { tenant: string }) => {
      const items = await withVault((vault, tenantId) => vault.list(tenantId), opts.tenant);
      for (const s of items)
        process.stdout.write(
          `${s.name}\tupdated ${s.updatedAt.toISOString()} by ${s.updatedBy}${s.description ? `\t${s.description}` : ''}\n`,
        );
      process.stdout.write(`${items.length} secret(s)\n`);
    });
  secret
    .command('delete')
    .description('delete a secret')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--name <name>', 'secret name')
    .action(async (opts: { tenant: string; name: string }) => {
      await withVault(async (vault, tenantId) => {
        await vault.remove(tenantId, opts.name, actor());
        await announceSecretsChanged(tenantId);
      }, opts.tenant);
      process.stdout.write(`deleted secret ${opts.name} in ${opts.tenant}\n`);
    });

  program
    .command('vault')
    .description('the vault itself')
    .command('rotate')
    .description(
      're-wrap every tenant data key with GATEHOUSE_MASTER_KEY (the old key as GATEHOUSE_MASTER_KEY_PREVIOUS); running processes keep working if they hold both keys',
    )
    .action(async () => {
      const result = await withVault((vault) => vault.rotateMasterKey());
      const keys = LocalMasterKeys.fromEnv(cliEnv());
      process.stdout.write(
        `re-wrapped ${result.rewrapped} data key(s); ${result.current} already under master key ${keys?.currentKeyId}\n`,
      );
    });
}

async function withVault<T>(fn: (vault: Vault, tenantId: string) => Promise<T>, tenantSlug?: string): Promise<T> {
  const keys = LocalMasterKeys.fromEnv(cliEnv());
  return withDatabase(async (db: DataSource) => {
    const vault = new Vault(db, keys);
    await vault.verifyKeys();
    let tenantId = '';
    if (tenantSlug !== undefined) {
      const tenant = await db.getRepository(Tenant).findOne({ where: { slug: tenantSlug } });
      if (!tenant) throw new GatehouseError('tenant_not_found', `Unknown tenant "${tenantSlug}".`);
      tenantId = tenant.id;
    }
    return fn(vault, tenantId);
  });
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('secret value (then Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

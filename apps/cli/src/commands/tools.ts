import type { Command } from 'commander';
import { IsNull } from 'typeorm';
import { GatehouseError } from '@gatehouse/core';
import { Tenant, TenantScope } from '@gatehouse/tenancy';
import { DriftEvent, Profile, ProfileTool } from '@gatehouse/catalog';
import { approveToolDrift } from '@gatehouse/config';
import { actor, announceConfigChange, withDatabase } from '../cli-context';

export function registerTools(program: Command): void {
  const tools = program.command('tools').description('tool definitions and drift');
  tools
    .command('drift')
    .description('list tools withheld because their upstream definition changed')
    .requiredOption('--tenant <slug>')
    .action(async (opts: { tenant: string }) => {
      await withDatabase(async (db) => {
        const tenant = await db.getRepository(Tenant).findOne({ where: { slug: opts.tenant } });
        if (!tenant) throw new GatehouseError('tenant_not_found', `Unknown tenant "${opts.tenant}".`);
        const scope = new TenantScope(db.manager, tenant.id);
        const events = await scope.find(DriftEvent, { resolvedAt: IsNull() }, { detectedAt: 'ASC' });
        const toolsById = new Map((await scope.find(ProfileTool)).map((t) => [t.id, t]));
        const profiles = new Map((await scope.find(Profile)).map((p) => [p.id, p.slug]));
        for (const e of events) {
          const tool = toolsById.get(e.profileToolId);
          process.stdout.write(`${e.detectedAt.toISOString()}  ${profiles.get(tool?.profileId ?? '') ?? '?'}/${tool?.exposedName ?? '?'}  upstream ${e.upstreamName}  ${e.approvedHash?.slice(0, 12) ?? '-'} -> ${e.newHash.slice(0, 12)}\n`);
        }
        process.stderr.write(`${events.length} pending drift event(s)\n`);
      });
    });
  tools
    .command('approve')
    .description('re-approve the current upstream definition of drifted tools in a profile')
    .requiredOption('--tenant <slug>')
    .requiredOption('--profile <slug>')
    .option('--tool <name>', 'only this exposed tool')
    .action(async (opts: { tenant: string; profile: string; tool?: string }) => {
      const result = await withDatabase(async (db) => {
        const tenant = await db.getRepository(Tenant).findOne({ where: { slug: opts.tenant } });
        if (!tenant) throw new GatehouseError('tenant_not_found', `Unknown tenant "${opts.tenant}".`);
        return { tenantId: tenant.id, changes: await approveToolDrift(db, tenant.id, { profile: opts.profile, tool: opts.tool }, actor()) };
      });
      for (const c of result.changes) process.stdout.write(`~ approved ${c.name}\n`);
      process.stdout.write(result.changes.length ? `${result.changes.length} tool(s) re-approved\n` : 'nothing to approve\n');
      if (result.changes.length) await announceConfigChange([result.tenantId], 'tools approve');
    });
}

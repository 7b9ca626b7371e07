import type { Command } from 'commander';
import { applyConfig, loadConfigFile } from '@gatehouse/config';
import { actor, announceConfigChange, withDatabase } from '../cli-context';

const SYMBOL = { create: '+', update: '~', delete: '-' } as const;

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description('apply a declarative config file (idempotent; validates everything first)')
    .requiredOption('-f, --file <file>', 'YAML file')
    .option('--approve-drift', 're-approve tools withheld because their upstream definition changed')
    .action(async (opts: { file: string; approveDrift?: boolean }) => {
      const config = await loadConfigFile(opts.file);
      const result = await withDatabase((db) => applyConfig(db, config, { actor: actor(), approveDrift: opts.approveDrift }));
      for (const change of result.changes) process.stdout.write(`${SYMBOL[change.action]} ${change.kind} ${change.name}\n`);
      process.stdout.write(result.changes.length ? `${result.changes.length} change(s) applied\n` : 'no changes\n');
      if (result.changes.length) await announceConfigChange(result.tenantIds, 'apply');
    });
}

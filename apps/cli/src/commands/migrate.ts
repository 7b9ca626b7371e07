import type { Command } from 'commander';
import { migrate } from '@gatehouse/database';
import { cliEnv } from '../cli-context';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('create the database if needed and run pending migrations')
    .action(async () => {
      const ran = await migrate(cliEnv().DATABASE_URL);
      process.stdout.write(ran.length ? `applied migrations: ${ran.join(', ')}\n` : 'database is up to date\n');
    });
}

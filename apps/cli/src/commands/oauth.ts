import type { Command } from 'commander';
import { SigningKeys } from '@gatehouse/identity';
import { withDatabase } from '../cli-context';

export function registerOAuth(program: Command): void {
  const oauth = program.command('oauth').description('the OAuth authorization server for MCP clients');
  oauth
    .command('rotate-keys')
    .description('make a new access-token signing key current; older keys stay published until their tokens have expired')
    .action(async () => {
      const kid = await withDatabase((db) => new SigningKeys(db).rotate());
      process.stderr.write('new signing key; API replicas pick it up within a minute, gateways on first sight of a token\n');
      process.stdout.write(`${kid}\n`);
    });
}

import 'reflect-metadata';
import { Command } from 'commander';
import { isGatehouseError } from '@gatehouse/core';
import { ConfigInvalidError } from '@gatehouse/config';
import { registerMigrate } from './commands/migrate';
import { registerApply } from './commands/apply';
import { registerToken } from './commands/token';
import { registerTraces } from './commands/traces';
import { registerTools } from './commands/tools';
import { registerStart } from './commands/start';
import { registerOAuth } from './commands/oauth';
import { registerVault } from './commands/vault';

const program = new Command('gatehouse').description('Gatehouse: the control plane for MCP tool use').showHelpAfterError();
registerMigrate(program);
registerApply(program);
registerToken(program);
registerTraces(program);
registerTools(program);
registerOAuth(program);
registerVault(program);
registerStart(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigInvalidError) process.stderr.write(`${error.message}\n`);
  else if (isGatehouseError(error)) process.stderr.write(`error (${error.code}): ${error.message}\n`);
  else process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

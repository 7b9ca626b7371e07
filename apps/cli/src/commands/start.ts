import type { Command } from 'commander';
import { loadGatewayConfig, startGateway } from '@gatehouse/gateway';
import { loadApiConfig, startApi } from '@gatehouse/api';

type Stoppable = { close(): Promise<void> };

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('start processes: api, gateway or all')
    .argument('[what]', 'api | gateway | all', 'all')
    .action(async (what: string) => {
      if (!['api', 'gateway', 'all'].includes(what)) throw new Error(`unknown process "${what}" (api | gateway | all)`);
      const running: Stoppable[] = [];
      if (what === 'gateway' || what === 'all') running.push(await startGateway(loadGatewayConfig()));
      if (what === 'api' || what === 'all') running.push(await startApi(loadApiConfig()));
      const stop = async () => {
        await Promise.allSettled(running.map((r) => r.close()));
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

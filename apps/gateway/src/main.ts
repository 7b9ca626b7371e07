import { loadGatewayConfig } from './gateway-config';
import { startGateway } from './gateway';

async function main(): Promise<void> {
  const gateway = await startGateway(loadGatewayConfig());
  const stop = async () => {
    await gateway.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@gatehouse/core';
import { createDataSource } from '@gatehouse/database';
import type { ApiConfig } from './api-config';
import { ApiModule } from './api.module';
import { GatehouseExceptionFilter } from './gatehouse-exception.filter';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

export async function startApi(config: ApiConfig): Promise<RunningApi> {
  const logger = createLogger('api', config.LOG_LEVEL);
  const db = createDataSource({ url: config.DATABASE_URL, poolSize: 10, applicationName: 'gatehouse-api' });
  await db.initialize();
  const app = await NestFactory.create(ApiModule.forDataSource(db), { logger: false });
  app.useGlobalFilters(new GatehouseExceptionFilter());
  app.enableShutdownHooks();
  await app.listen(config.API_PORT, config.API_HOST);
  const address = app.getHttpServer().address() as AddressInfo;
  const url = `http://${config.API_HOST}:${address.port}`;
  logger.info({ url }, 'api listening');
  return {
    url,
    async close() {
      await app.close();
      await db.destroy();
    },
  };
}

import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HealthController } from './health/health.controller';
import { TracesController } from './traces/traces.controller';
import { AuditController } from './audit/audit.controller';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from './auth/access.guard';

@Module({})
export class ApiModule {
  static forDataSource(db: DataSource): DynamicModule {
    return {
      module: ApiModule,
      controllers: [HealthController, TracesController, AuditController],
      providers: [{ provide: DataSource, useValue: db }, { provide: APP_GUARD, useClass: AccessGuard }],
    };
  }
}

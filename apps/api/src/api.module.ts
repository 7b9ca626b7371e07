import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { HealthController } from './health/health.controller';
import { TracesController } from './traces/traces.controller';
import { AuditController } from './audit/audit.controller';
import { OverviewController } from './overview/overview.controller';
import { AccessGuard } from './auth/access.guard';

@Module({})
export class ApiModule {
  static register(): DynamicModule {
    return {
      module: ApiModule,
      controllers: [HealthController, TracesController, AuditController, OverviewController],
      providers: [{ provide: APP_GUARD, useClass: AccessGuard }],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HealthController } from './health/health.controller';
import { TracesController } from './traces/traces.controller';
import { AuditController } from './audit/audit.controller';
import { TenantPrincipalGuard } from './auth/tenant-principal.guard';

@Module({})
export class ApiModule {
  static forDataSource(db: DataSource): DynamicModule {
    return {
      module: ApiModule,
      controllers: [HealthController, TracesController, AuditController],
      providers: [{ provide: DataSource, useValue: db }, TenantPrincipalGuard],
    };
  }
}

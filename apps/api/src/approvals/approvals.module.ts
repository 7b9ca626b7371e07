import { Module, type DynamicModule } from '@nestjs/common';
import { ApprovalService } from '@gatehouse/approvals';
import { ApprovalsController } from './approvals.controller';

@Module({})
export class ApprovalsModule {
  static register(service: ApprovalService): DynamicModule {
    return { module: ApprovalsModule, controllers: [ApprovalsController], providers: [{ provide: ApprovalService, useValue: service }] };
  }
}

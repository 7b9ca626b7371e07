import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigChangeAnnouncer } from './config-change-announcer';
import { GroupMappingsController } from './group-mappings.controller';
import { TokensController } from './tokens.controller';
import { ToolDriftController } from './tool-drift.controller';

/** The console's admin surface that changes what gateways enforce: tokens, group mappings, drift approvals. */
@Module({})
export class AdminModule {
  static register(announcer: ConfigChangeAnnouncer): DynamicModule {
    return {
      module: AdminModule,
      controllers: [TokensController, GroupMappingsController, ToolDriftController],
      providers: [{ provide: ConfigChangeAnnouncer, useValue: announcer }],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigChangeAnnouncer } from './config-change-announcer';
import { GroupMappingsController } from './group-mappings.controller';
import { TokensController } from './tokens.controller';
import { ToolDriftController } from './tool-drift.controller';
import { ServersController } from './servers.controller';
import { ProfilesController } from './profiles.controller';
import { UpstreamStatusRedis } from './upstream-status-redis';
import { ServerEditPolicy } from './server-edit-policy';

/** The console's admin surface over what gateways enforce and hold: tokens, group mappings, drift approvals, upstream health. */
@Module({})
export class AdminModule {
  static register(announcer: ConfigChangeAnnouncer, statusRedis: UpstreamStatusRedis, serverEdits: ServerEditPolicy): DynamicModule {
    return {
      module: AdminModule,
      controllers: [TokensController, GroupMappingsController, ToolDriftController, ServersController, ProfilesController],
      providers: [
        { provide: ConfigChangeAnnouncer, useValue: announcer },
        { provide: UpstreamStatusRedis, useValue: statusRedis },
        { provide: ServerEditPolicy, useValue: serverEdits },
      ],
    };
  }
}

import { Module, type DynamicModule } from '@nestjs/common';
import { ConnectionsController, UpstreamCallbackController } from './connections.controller';
import { UserConnections } from './user-connections';

@Module({})
export class ConnectionsModule {
  static register(connections: UserConnections): DynamicModule {
    return {
      module: ConnectionsModule,
      controllers: [ConnectionsController, UpstreamCallbackController],
      providers: [{ provide: UserConnections, useValue: connections }],
    };
  }
}

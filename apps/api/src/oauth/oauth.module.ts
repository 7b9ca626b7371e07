import { Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { AuthorizationServer, SigningKeys, type AuthorizationServerOptions } from '@gatehouse/identity';
import { BROWSER_SESSION_READER, type BrowserSessionReader } from './browser-session';
import { ConsentTickets } from './consent-tickets';
import { OAuthController } from './oauth.controller';

@Module({})
export class OAuthModule {
  static register(deps: { db: DataSource; redis: Redis; options: AuthorizationServerOptions; sessions: BrowserSessionReader }): DynamicModule {
    const keys = new SigningKeys(deps.db);
    return {
      module: OAuthModule,
      controllers: [OAuthController],
      providers: [
        { provide: SigningKeys, useValue: keys },
        { provide: AuthorizationServer, useValue: new AuthorizationServer(deps.db, deps.redis, keys, deps.options) },
        { provide: ConsentTickets, useValue: new ConsentTickets(deps.redis) },
        { provide: BROWSER_SESSION_READER, useValue: deps.sessions },
      ],
    };
  }
}

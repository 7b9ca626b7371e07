import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BrowserSessions, SamlService } from '@gatehouse/identity';
import { SessionCookie } from './auth/session-cookie';

/** The process-wide pieces `startApi` builds once (database, SAML, sessions), for every feature module. */
@Global()
@Module({})
export class SharedModule {
  static register(deps: { db: DataSource; saml: SamlService; cookie: SessionCookie }): DynamicModule {
    const providers = [
      { provide: DataSource, useValue: deps.db },
      { provide: SamlService, useValue: deps.saml },
      { provide: BrowserSessions, useValue: deps.cookie.sessions },
      { provide: SessionCookie, useValue: deps.cookie },
    ];
    return { module: SharedModule, providers, exports: providers.map((p) => p.provide) };
  }
}

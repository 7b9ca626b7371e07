import { Module, type DynamicModule } from '@nestjs/common';
import { SamlController } from './saml.controller';
import { SessionController } from './session.controller';
import { SsoSettingsController } from './sso-settings.controller';

/** SAML SSO, console sessions (`/api/me`, logout) and the tenant's SSO settings. */
@Module({})
export class SsoModule {
  static register(): DynamicModule {
    return { module: SsoModule, controllers: [SamlController, SessionController, SsoSettingsController] };
  }
}

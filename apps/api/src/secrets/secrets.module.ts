import { Module, type DynamicModule } from '@nestjs/common';
import { Vault } from '@gatehouse/vault';
import { SecretChangeAnnouncer, SecretsController } from './secrets.controller';

@Module({})
export class SecretsModule {
  static register(vault: Vault, announce: SecretChangeAnnouncer): DynamicModule {
    return {
      module: SecretsModule,
      controllers: [SecretsController],
      providers: [
        { provide: Vault, useValue: vault },
        { provide: SecretChangeAnnouncer, useValue: announce },
      ],
    };
  }
}

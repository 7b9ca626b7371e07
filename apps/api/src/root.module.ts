import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';

/** The API's composition root: the feature modules `startApi` built from the running config. */
@Module({})
export class RootModule {
  static compose(modules: DynamicModule[]): DynamicModule {
    return { module: RootModule, imports: [DiscoveryModule, ...modules] };
  }
}

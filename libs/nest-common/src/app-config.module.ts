import { Global, Module } from '@nestjs/common';
import { loadConfig, loadMasterKey, type AppConfig } from '@walbridge/config';
import { SecretBox } from '@walbridge/persistence';

export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({
  providers: [
    { provide: APP_CONFIG, useFactory: (): AppConfig => loadConfig() },
    { provide: SecretBox, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new SecretBox(loadMasterKey(config)) },
  ],
  exports: [APP_CONFIG, SecretBox],
})
export class AppConfigModule {}

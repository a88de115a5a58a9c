import { Global, Module } from '@nestjs/common';
import { loadConfig, loadMasterKey, type AppConfig } from '@walbridge/config';
import { SecretBox, SecretsService } from '@walbridge/persistence';

export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({
  providers: [
    { provide: APP_CONFIG, useFactory: (): AppConfig => loadConfig() },
    { provide: SecretBox, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new SecretBox(loadMasterKey(config)) },
    { provide: SecretsService, inject: [SecretBox], useFactory: (box: SecretBox) => new SecretsService(box) },
  ],
  exports: [APP_CONFIG, SecretsService],
})
export class AppConfigModule {}

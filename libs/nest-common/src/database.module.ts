import { Global, Module } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@walbridge/config';
import { PrecheckRepository, TaskLogRepository, TaskRepository, metadataDataSourceOptions } from '@walbridge/persistence';
import { APP_CONFIG } from './app-config.module';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => metadataDataSourceOptions(config.WALBRIDGE_DATABASE_URL),
    }),
  ],
  providers: [
    { provide: TaskRepository, inject: [getDataSourceToken()], useFactory: (ds: DataSource) => new TaskRepository(ds) },
    { provide: TaskLogRepository, inject: [getDataSourceToken()], useFactory: (ds: DataSource) => new TaskLogRepository(ds) },
    { provide: PrecheckRepository, inject: [getDataSourceToken()], useFactory: (ds: DataSource) => new PrecheckRepository(ds) },
  ],
  exports: [TaskRepository, TaskLogRepository, PrecheckRepository],
})
export class DatabaseModule {}

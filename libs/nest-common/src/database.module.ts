import { Global, Module } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@walbridge/config';
import { TaskLogRepository, TaskRepository, metadataDataSourceOptions } from '@walbridge/persistence';
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
  ],
  exports: [TaskRepository, TaskLogRepository],
})
export class DatabaseModule {}
